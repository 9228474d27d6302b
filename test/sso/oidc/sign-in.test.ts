import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { completeOidcSignIn, type OidcClientSettings, type PinnedOidcProvider } from '../../../src/sso/oidc/index.ts';
import { startTestOidcIdp, type TestOidcIdp } from '../../support/test-oidc-idp.ts';
import { ACCOUNTS, BASIC_CLIENT, pinned, POST_CLIENT, REDIRECT_URI, settingsFor, signInAtIdp } from './fixtures.ts';

let idp: TestOidcIdp;
let provider: PinnedOidcProvider;
let basic: OidcClientSettings;
let post: OidcClientSettings;

beforeAll(async () => {
  idp = await startTestOidcIdp({ clients: [BASIC_CLIENT, POST_CLIENT], accounts: ACCOUNTS, claimsOnlyInUserinfo: ['bob'] });
  provider = await pinned(idp);
  basic = settingsFor(provider, BASIC_CLIENT);
  post = settingsFor(provider, POST_CLIENT);
});
afterAll(() => idp.close());

/** The requests the IdP receives while `run` runs. */
async function requestsDuring(run: () => Promise<unknown>): Promise<string[]> {
  const before = idp.requests.length;
  await run();
  return idp.requests.slice(before);
}

describe('a sign-in that completes', () => {
  it.each([
    ['client_secret_basic', () => basic, 'Basic'],
    ['client_secret_post', () => post, ''],
  ])('authenticates to the token endpoint with %s and answers the subject and ID token claims', async (_method, settings, scheme) => {
    const { secrets, callbackUrl } = await signInAtIdp(idp, settings(), 'alice');
    let outcome: Awaited<ReturnType<typeof completeOidcSignIn>> | undefined;
    const requests = await requestsDuring(async () => {
      outcome = await completeOidcSignIn(settings(), { callbackUrl, redirectUri: REDIRECT_URI, expected: secrets });
    });

    expect(outcome).toMatchObject({
      ok: true,
      value: { issuer: idp.issuer, subject: 'alice', claims: { ...ACCOUNTS.alice, sub: 'alice', iss: idp.issuer, nonce: secrets.nonce } },
    });
    expect(idp.tokenRequestAuthSchemes.at(-1)).toBe(scheme);
    // The ID token's signature is checked against the pinned keys; it had email and name, so
    // userinfo is not asked.
    expect(requests).toEqual(['POST /token', 'GET /jwks']);
  });

  it('fills what the ID token lacks from userinfo', async () => {
    const { secrets, callbackUrl } = await signInAtIdp(idp, basic, 'bob');
    let outcome: Awaited<ReturnType<typeof completeOidcSignIn>> | undefined;
    const requests = await requestsDuring(async () => {
      outcome = await completeOidcSignIn(basic, { callbackUrl, redirectUri: REDIRECT_URI, expected: secrets });
    });

    expect(requests).toContain('GET /me');
    expect(outcome).toMatchObject({ ok: true, value: { subject: 'bob', claims: { ...ACCOUNTS.bob, sub: 'bob', aud: BASIC_CLIENT.client_id } } });
  });

});

describe('a sign-in that is refused', () => {
  it('state_mismatch: the callback carries another flow’s state, and no code is exchanged', async () => {
    const { secrets, callbackUrl } = await signInAtIdp(idp, basic, 'alice');
    const requests = await requestsDuring(async () => {
      const outcome = await completeOidcSignIn(basic, {
        callbackUrl,
        redirectUri: REDIRECT_URI,
        expected: { ...secrets, state: 'the-state-of-another-flow' },
      });
      expect(outcome).toMatchObject({ ok: false, reason: 'state_mismatch' });
    });
    expect(requests).toEqual([]);
  });

  it('state_mismatch: the callback has no state', async () => {
    const { secrets, callbackUrl } = await signInAtIdp(idp, basic, 'alice');
    callbackUrl.searchParams.delete('state');
    const outcome = await completeOidcSignIn(basic, { callbackUrl, redirectUri: REDIRECT_URI, expected: secrets });
    expect(outcome).toMatchObject({ ok: false, reason: 'state_mismatch' });
  });

  it('nonce_mismatch: the ID token was issued for another nonce than the one stored', async () => {
    const { secrets, callbackUrl } = await signInAtIdp(idp, basic, 'alice');
    const outcome = await completeOidcSignIn(basic, {
      callbackUrl,
      redirectUri: REDIRECT_URI,
      expected: { ...secrets, nonce: 'a-nonce-of-another-flow' },
    });
    expect(outcome).toMatchObject({ ok: false, reason: 'nonce_mismatch', detail: expect.stringContaining('nonce') });
    expect(outcome.ok || outcome.cause).toBeInstanceOf(Error);
  });

  it('wrong_issuer: the callback’s iss names another issuer (mix-up)', async () => {
    const { secrets, callbackUrl } = await signInAtIdp(idp, basic, 'alice');
    expect(callbackUrl.searchParams.get('iss')).toBe(idp.issuer);
    callbackUrl.searchParams.set('iss', 'https://attacker.example.test');
    const outcome = await completeOidcSignIn(basic, { callbackUrl, redirectUri: REDIRECT_URI, expected: secrets });
    expect(outcome).toMatchObject({ ok: false, reason: 'wrong_issuer', detail: expect.stringContaining('attacker.example.test') });
  });

  it('wrong_issuer: the callback lacks the iss the IdP advertises', async () => {
    expect(provider.authorizationResponseIssParameterSupported).toBe(true);
    const { secrets, callbackUrl } = await signInAtIdp(idp, basic, 'alice');
    callbackUrl.searchParams.delete('iss');
    const outcome = await completeOidcSignIn(basic, { callbackUrl, redirectUri: REDIRECT_URI, expected: secrets });
    expect(outcome).toMatchObject({ ok: false, reason: 'wrong_issuer' });
  });

  it('wrong_issuer: the ID token’s iss is not the pinned issuer', async () => {
    // A connection pinned to another issuer, at an IdP that does not send iss on the callback.
    const other = settingsFor({ ...provider, issuer: `${idp.issuer}/other`, authorizationResponseIssParameterSupported: false }, BASIC_CLIENT);
    const { secrets, callbackUrl } = await signInAtIdp(idp, other, 'alice');
    callbackUrl.searchParams.delete('iss');
    const outcome = await completeOidcSignIn(other, { callbackUrl, redirectUri: REDIRECT_URI, expected: secrets });
    expect(outcome).toMatchObject({ ok: false, reason: 'wrong_issuer', detail: expect.stringContaining('"iss"') });
  });

  it('token_exchange_failed: a code is exchanged once only', async () => {
    const { secrets, callbackUrl } = await signInAtIdp(idp, basic, 'alice');
    const input = { callbackUrl, redirectUri: REDIRECT_URI, expected: secrets };
    expect(await completeOidcSignIn(basic, input)).toMatchObject({ ok: true });
    expect(await completeOidcSignIn(basic, input)).toMatchObject({
      ok: false,
      reason: 'token_exchange_failed',
      detail: expect.stringMatching(/^invalid_grant.*\(HTTP 400\)$/),
    });
  });

  it('token_exchange_failed: the code verifier is not the one the challenge was made from', async () => {
    const { secrets, callbackUrl } = await signInAtIdp(idp, basic, 'alice');
    const outcome = await completeOidcSignIn(basic, {
      callbackUrl,
      redirectUri: REDIRECT_URI,
      expected: { ...secrets, codeVerifier: 'a-verifier-of-another-flow-that-is-long-enough-to-be-valid' },
    });
    expect(outcome).toMatchObject({ ok: false, reason: 'token_exchange_failed', detail: expect.stringMatching(/^invalid_grant/) });
  });

  it('token_exchange_failed: the redirect URI is not the one the code was issued for', async () => {
    const { secrets, callbackUrl } = await signInAtIdp(idp, basic, 'alice');
    const outcome = await completeOidcSignIn(basic, {
      callbackUrl,
      redirectUri: 'https://roster.example.test/another/callback',
      expected: secrets,
    });
    expect(outcome).toMatchObject({ ok: false, reason: 'token_exchange_failed' });
  });

  it('idp_error: the IdP answers access_denied, with its error code in the detail', async () => {
    const { secrets, callbackUrl } = await signInAtIdp(idp, basic, 'alice', { deny: true });
    expect(callbackUrl.searchParams.get('error')).toBe('access_denied');
    const requests = await requestsDuring(async () => {
      const outcome = await completeOidcSignIn(basic, { callbackUrl, redirectUri: REDIRECT_URI, expected: secrets });
      expect(outcome).toMatchObject({ ok: false, reason: 'idp_error', detail: 'access_denied: the user cancelled the sign-in' });
    });
    expect(requests).toEqual([]);
  });

  it('invalid_id_token: the ID token is not signed by a key of the pinned key set', async () => {
    const elsewhere = await startTestOidcIdp({ clients: [BASIC_CLIENT], accounts: ACCOUNTS });
    try {
      const settings = settingsFor({ ...provider, jwksUri: (await pinned(elsewhere)).jwksUri }, BASIC_CLIENT);
      const { secrets, callbackUrl } = await signInAtIdp(idp, settings, 'alice');
      const outcome = await completeOidcSignIn(settings, { callbackUrl, redirectUri: REDIRECT_URI, expected: secrets });
      expect(outcome).toMatchObject({ ok: false, reason: 'invalid_id_token' });
    } finally {
      await elsewhere.close();
    }
  });

  it('invalid_id_token: the ID token has expired by the time given as now', async () => {
    const { secrets, callbackUrl } = await signInAtIdp(idp, basic, 'alice');
    const outcome = await completeOidcSignIn(basic, {
      callbackUrl,
      redirectUri: REDIRECT_URI,
      expected: secrets,
      now: new Date(Date.now() + 24 * 3600 * 1000),
    });
    expect(outcome).toMatchObject({ ok: false, reason: 'invalid_id_token', detail: expect.stringContaining('"exp"') });
  });
});

describe('the signing algorithm', () => {
  let es256: TestOidcIdp;
  beforeAll(async () => {
    es256 = await startTestOidcIdp({ clients: [BASIC_CLIENT], accounts: ACCOUNTS, idTokenSigningAlg: 'ES256' });
  });
  afterAll(() => es256.close());

  it('is accepted when pinned', async () => {
    const settings = settingsFor(await pinned(es256), BASIC_CLIENT);
    expect(settings.provider.idTokenSigningAlgs).toContain('ES256');
    const { secrets, callbackUrl } = await signInAtIdp(es256, settings, 'alice');
    expect(await completeOidcSignIn(settings, { callbackUrl, redirectUri: REDIRECT_URI, expected: secrets })).toMatchObject({
      ok: true,
      value: { subject: 'alice' },
    });
  });

  it('unexpected_algorithm: the IdP signs with ES256 but the connection pinned RS256 only', async () => {
    const settings = settingsFor({ ...(await pinned(es256)), idTokenSigningAlgs: ['RS256'] }, BASIC_CLIENT);
    const { secrets, callbackUrl } = await signInAtIdp(es256, settings, 'alice');
    const outcome = await completeOidcSignIn(settings, { callbackUrl, redirectUri: REDIRECT_URI, expected: secrets });
    expect(outcome).toMatchObject({ ok: false, reason: 'unexpected_algorithm', detail: expect.stringContaining('"alg"') });
  });

  it('unexpected_algorithm: a stored list naming HS256 or none is filtered before use', async () => {
    const settings = settingsFor({ ...(await pinned(es256)), idTokenSigningAlgs: ['HS256', 'none'] }, BASIC_CLIENT);
    const { secrets, callbackUrl } = await signInAtIdp(es256, settings, 'alice');
    const outcome = await completeOidcSignIn(settings, { callbackUrl, redirectUri: REDIRECT_URI, expected: secrets });
    expect(outcome).toMatchObject({ ok: false, reason: 'unexpected_algorithm' });
  });
});
