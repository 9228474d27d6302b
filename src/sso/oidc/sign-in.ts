/**
 * The end of a sign-in: the IdP's redirect back to Roster becomes a verified subject and its
 * claims, or a refusal saying why.
 */
import { timingSafeEqual } from 'node:crypto';
import { authorizationCodeGrant, fetchUserInfo, type Configuration, type IDToken } from 'openid-client';
import type { OidcFlowSecrets } from './authorization.ts';
import { clientConfiguration, type OidcClientSettings } from './client.ts';
import { refusalFor, refused, type OidcRefused } from './refusals.ts';

export interface OidcSignInResult {
  /** The pinned issuer, which the ID token's `iss` equals. */
  issuer: string;
  subject: string;
  /** ID token claims merged with userinfo: userinfo fills what the ID token lacks; `sub` must match. */
  claims: Record<string, unknown>;
}

export type OidcSignInOutcome = { ok: true; value: OidcSignInResult } | OidcRefused;

/** Claims without which Roster cannot name or match a member; their absence sends it to userinfo. */
const PROFILE_CLAIMS = ['email', 'name'] as const;

/**
 * Verifies the callback and completes the authorization code flow.
 *
 * In order: the callback's `iss` (RFC 9207) against the pinned issuer, when present, and required
 * when the IdP advertises it; `state` against the stored one; an `error` from the IdP; the code
 * exchanged with the PKCE verifier at the pinned token endpoint; the ID token verified against the
 * pinned keys, issuer and algorithms, and its nonce against the stored one; then userinfo when
 * the ID token lacks email or name. Nothing is rediscovered.
 *
 * Whatever the IdP or the browser sends ends in a refusal, never an exception; only settings that
 * are not well formed (an empty client id, an unknown auth method) throw.
 */
export async function completeOidcSignIn(
  settings: OidcClientSettings,
  input: { callbackUrl: URL; redirectUri: string; expected: OidcFlowSecrets; now?: Date },
): Promise<OidcSignInOutcome> {
  const { provider } = settings;
  const parameters = input.callbackUrl.searchParams;

  const iss = parameters.getAll('iss');
  if (iss.length > 1) return refused('wrong_issuer', 'the callback has more than one "iss"');
  if (iss.length === 0 && provider.authorizationResponseIssParameterSupported) {
    return refused('wrong_issuer', 'the IdP promises "iss" on its callbacks (RFC 9207), but this one has none');
  }
  if (iss.length === 1 && iss[0] !== provider.issuer) {
    return refused('wrong_issuer', `the callback's "iss" is ${JSON.stringify(iss[0])}, not ${JSON.stringify(provider.issuer)}`);
  }
  const state = parameters.getAll('state');
  if (state.length !== 1 || !sameSecret(state[0]!, input.expected.state)) {
    return refused('state_mismatch', state.length === 0 ? 'the callback has no "state"' : "the callback's \"state\" is not this flow's");
  }

  const config = clientConfiguration(settings, { now: input.now, redirectUri: input.redirectUri });
  let idToken: IDToken;
  let accessToken: string;
  try {
    const tokens = await authorizationCodeGrant(config, input.callbackUrl, {
      expectedState: input.expected.state,
      expectedNonce: input.expected.nonce,
      pkceCodeVerifier: input.expected.codeVerifier,
      idTokenExpected: true,
    });
    const claims = tokens.claims();
    if (!claims) return refused('invalid_id_token', 'the token response has no ID token');
    idToken = claims;
    accessToken = tokens.access_token;
  } catch (error) {
    return refusalFor('code_grant', error);
  }

  const subject = idToken.sub;
  if (typeof subject !== 'string' || subject.trim() === '') {
    return refused('missing_subject', 'the ID token has no subject');
  }
  const claims: Record<string, unknown> = { ...idToken };
  if (provider.userinfoEndpoint && PROFILE_CLAIMS.some((claim) => claims[claim] === undefined)) {
    const userinfo = await userinfoClaims(config, accessToken, subject);
    if (!userinfo.ok) return userinfo;
    for (const [claim, value] of Object.entries(userinfo.value)) {
      if (claims[claim] === undefined) claims[claim] = value;
    }
  }
  return { ok: true, value: { issuer: provider.issuer, subject, claims } };
}

async function userinfoClaims(
  config: Configuration,
  accessToken: string,
  subject: string,
): Promise<{ ok: true; value: Record<string, unknown> } | OidcRefused> {
  try {
    // openid-client refuses a response whose `sub` is not `subject`.
    return { ok: true, value: { ...(await fetchUserInfo(config, accessToken, subject)) } };
  } catch (error) {
    return refusalFor('userinfo', error);
  }
}

function sameSecret(received: string, expected: string): boolean {
  const a = Buffer.from(received);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
