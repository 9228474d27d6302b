/**
 * Why a sign-in is refused, and the one place where openid-client's errors become those reasons.
 *
 * openid-client throws its own classes (AuthorizationResponseError, ResponseBodyError,
 * WWWAuthenticateChallengeError) or a ClientError whose `code` comes from oauth4webapi. Each is
 * first named by what it means (its signal), then the table turns the signal into a refusal for the
 * call that raised it. The original error is kept as `cause` for the log.
 */
import { AuthorizationResponseError, ClientError, ResponseBodyError, WWWAuthenticateChallengeError } from 'openid-client';

export type OidcRefusal =
  | 'state_mismatch'
  | 'nonce_mismatch'
  | 'wrong_issuer'
  | 'unexpected_algorithm'
  | 'idp_error'
  | 'token_exchange_failed'
  | 'invalid_id_token'
  | 'userinfo_failed'
  | 'missing_subject';

export interface OidcRefused {
  ok: false;
  reason: OidcRefusal;
  /** One line for the log and the operator; for `idp_error` it starts with the IdP's error code. */
  detail: string;
  /** What openid-client threw, when it threw. */
  cause?: unknown;
}

export function refused(reason: OidcRefusal, detail: string, cause?: unknown): OidcRefused {
  return cause === undefined ? { ok: false, reason, detail } : { ok: false, reason, detail, cause };
}

/** The openid-client call that failed: the code grant (callback, token request, ID token) or userinfo. */
export type OidcCall = 'code_grant' | 'userinfo';

type Signal =
  | 'authorization_error' // the callback carried `error`
  | 'endpoint_refused' // the endpoint answered with an OAuth error or a WWW-Authenticate challenge
  | 'endpoint_broken' // unreachable, timed out, not 200, not JSON, not https, or a malformed body
  | 'nonce_claim'
  | 'issuer_claim'
  | 'signing_algorithm'
  | 'id_token' // signature, key selection, timestamps, audience and the other ID token checks
  | 'subject_mismatch' // userinfo's `sub` is not the ID token's
  | 'unknown';

const REFUSALS: Record<Signal, Record<OidcCall, OidcRefusal>> = {
  authorization_error: { code_grant: 'idp_error', userinfo: 'userinfo_failed' },
  endpoint_refused: { code_grant: 'token_exchange_failed', userinfo: 'userinfo_failed' },
  endpoint_broken: { code_grant: 'token_exchange_failed', userinfo: 'userinfo_failed' },
  nonce_claim: { code_grant: 'nonce_mismatch', userinfo: 'userinfo_failed' },
  issuer_claim: { code_grant: 'wrong_issuer', userinfo: 'userinfo_failed' },
  signing_algorithm: { code_grant: 'unexpected_algorithm', userinfo: 'userinfo_failed' },
  id_token: { code_grant: 'invalid_id_token', userinfo: 'userinfo_failed' },
  subject_mismatch: { code_grant: 'invalid_id_token', userinfo: 'userinfo_failed' },
  unknown: { code_grant: 'token_exchange_failed', userinfo: 'userinfo_failed' },
};

/** oauth4webapi's error codes, as ClientError.code carries them. */
const CODE_SIGNALS: Record<string, Signal> = {
  OAUTH_RESPONSE_IS_NOT_CONFORM: 'endpoint_broken',
  OAUTH_RESPONSE_IS_NOT_JSON: 'endpoint_broken',
  OAUTH_HTTP_REQUEST_FORBIDDEN: 'endpoint_broken',
  OAUTH_REQUEST_PROTOCOL_FORBIDDEN: 'endpoint_broken',
  OAUTH_MISSING_SERVER_METADATA: 'endpoint_broken',
  OAUTH_INVALID_SERVER_METADATA: 'endpoint_broken',
  OAUTH_TIMEOUT: 'endpoint_broken',
  OAUTH_ABORT: 'endpoint_broken',
  OAUTH_JWT_TIMESTAMP_CHECK_FAILED: 'id_token',
  OAUTH_KEY_SELECTION_FAILED: 'id_token',
  OAUTH_PARSE_ERROR: 'id_token',
  OAUTH_UNSUPPORTED_OPERATION: 'id_token',
};

/** The refusal for an error thrown by openid-client during `call`. */
export function refusalFor(call: OidcCall, error: unknown): OidcRefused {
  return refused(REFUSALS[signalOf(error)][call], detailOf(error), error);
}

function signalOf(error: unknown): Signal {
  if (error instanceof AuthorizationResponseError) return 'authorization_error';
  if (error instanceof ResponseBodyError || error instanceof WWWAuthenticateChallengeError) return 'endpoint_refused';
  // fetch rejects with a TypeError when the endpoint cannot be reached.
  if (error instanceof TypeError) return 'endpoint_broken';
  if (!(error instanceof ClientError)) return 'unknown';
  // openid-client wraps oauth4webapi's error, whose own `cause` says which check failed.
  const inner = error.cause instanceof Error ? error.cause.cause : undefined;
  const cause: Record<string, unknown> = typeof inner === 'object' && inner !== null ? (inner as Record<string, unknown>) : {};
  switch (error.code) {
    case 'OAUTH_JWT_CLAIM_COMPARISON_FAILED':
      return cause.claim === 'nonce' ? 'nonce_claim' : cause.claim === 'iss' ? 'issuer_claim' : 'id_token';
    case 'OAUTH_JSON_ATTRIBUTE_COMPARISON_FAILED':
      return cause.attribute === 'sub' ? 'subject_mismatch' : 'endpoint_broken';
    case 'OAUTH_INVALID_RESPONSE':
      // The algorithm check names the header and what was expected; a malformed token or
      // userinfo response names the body; the rest concern the ID token itself.
      if (typeof cause.header === 'object' && 'expected' in cause && 'reason' in cause) return 'signing_algorithm';
      return 'body' in cause ? 'endpoint_broken' : 'id_token';
    default:
      return (error.code && CODE_SIGNALS[error.code]) || 'unknown';
  }
}

function detailOf(error: unknown): string {
  if (error instanceof AuthorizationResponseError || error instanceof ResponseBodyError) {
    const status = error instanceof ResponseBodyError ? ` (HTTP ${error.status})` : '';
    return `${error.error}${error.error_description ? `: ${error.error_description}` : ''}${status}`;
  }
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause;
  if (error instanceof TypeError && cause instanceof Error) {
    return `${error.message} (${'code' in cause && typeof cause.code === 'string' ? cause.code : cause.message})`;
  }
  // openid-client's own message is generic ("unexpected JWT claim value encountered"); the
  // wrapped one names the claim or parameter.
  if (error instanceof ClientError && cause instanceof Error) return cause.message;
  if (cause instanceof Response) return `${error.message} (HTTP ${cause.status})`;
  return error.message;
}
