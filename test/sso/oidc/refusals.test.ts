import { ClientError, ResponseBodyError, WWWAuthenticateChallengeError } from 'openid-client';
import { describe, expect, it } from 'vitest';
import { refusalFor } from '../../../src/sso/oidc/refusals.ts';

/** A ClientError as openid-client wraps oauth4webapi's: the inner error's cause names the check. */
function clientError(code: string, message: string, details?: unknown): ClientError {
  const inner = new Error(message, { cause: details });
  return new ClientError('openid-client summary', { cause: inner, code } as ErrorOptions);
}

describe('the refusal for an openid-client error', () => {
  it.each([
    ['a nonce comparison', clientError('OAUTH_JWT_CLAIM_COMPARISON_FAILED', 'nonce', { claim: 'nonce' }), 'nonce_mismatch'],
    ['an issuer comparison', clientError('OAUTH_JWT_CLAIM_COMPARISON_FAILED', 'iss', { claim: 'iss' }), 'wrong_issuer'],
    ['an audience comparison', clientError('OAUTH_JWT_CLAIM_COMPARISON_FAILED', 'aud', { claim: 'aud' }), 'invalid_id_token'],
    ['the algorithm check', clientError('OAUTH_INVALID_RESPONSE', 'alg', { header: { alg: 'HS256' }, expected: ['RS256'], reason: 'x' }), 'unexpected_algorithm'],
    ['a failed signature', clientError('OAUTH_INVALID_RESPONSE', 'JWT signature verification failed', { signature: 'x' }), 'invalid_id_token'],
    ['a malformed token response', clientError('OAUTH_INVALID_RESPONSE', 'no access_token', { body: {} }), 'token_exchange_failed'],
    ['an expired ID token', clientError('OAUTH_JWT_TIMESTAMP_CHECK_FAILED', 'exp', { claim: 'exp' }), 'invalid_id_token'],
    ['no matching key', clientError('OAUTH_KEY_SELECTION_FAILED', 'no key', {}), 'invalid_id_token'],
    ['a timeout', clientError('OAUTH_TIMEOUT', 'timed out'), 'token_exchange_failed'],
    ['an unreachable endpoint', new TypeError('fetch failed', { cause: Object.assign(new Error('x'), { code: 'ECONNREFUSED' }) }), 'token_exchange_failed'],
    [
      'an OAuth error from the token endpoint',
      new ResponseBodyError('x', { cause: { error: 'invalid_grant' }, response: new Response(null, { status: 400 }) }),
      'token_exchange_failed',
    ],
    ['something unforeseen', new Error('surprise'), 'token_exchange_failed'],
  ])('during the code grant: %s', (_case, error, reason) => {
    const refusal = refusalFor('code_grant', error);
    expect(refusal).toMatchObject({ ok: false, reason });
    expect(refusal.cause).toBe(error);
  });

  it('during userinfo is always userinfo_failed', () => {
    const challenge = new WWWAuthenticateChallengeError('x', { cause: [], response: new Response(null, { status: 401 }) });
    for (const error of [challenge, clientError('OAUTH_JSON_ATTRIBUTE_COMPARISON_FAILED', 'sub', { attribute: 'sub' }), new TypeError('fetch failed')]) {
      expect(refusalFor('userinfo', error)).toMatchObject({ reason: 'userinfo_failed' });
    }
  });

  it('names the check that failed, not openid-client’s summary, and the endpoint’s error code', () => {
    expect(refusalFor('code_grant', clientError('OAUTH_JWT_CLAIM_COMPARISON_FAILED', 'unexpected ID Token "nonce" claim value', { claim: 'nonce' })).detail).toBe(
      'unexpected ID Token "nonce" claim value',
    );
    const body = new ResponseBodyError('x', { cause: { error: 'invalid_grant', error_description: 'grant request is invalid' }, response: new Response(null, { status: 400 }) });
    expect(refusalFor('code_grant', body).detail).toBe('invalid_grant: grant request is invalid (HTTP 400)');
  });
});
