/**
 * The start of a sign-in: fresh secrets for one flow, and the authorization request URL that sends
 * the browser to the IdP (authorization code flow, PKCE S256, state, nonce).
 */
import { buildAuthorizationUrl, calculatePKCECodeChallenge, randomNonce, randomPKCECodeVerifier, randomState } from 'openid-client';
import { clientConfiguration, type OidcClientSettings } from './client.ts';

/** Stored by the caller for one flow (single use, bound to the browser and the connection). */
export interface OidcFlowSecrets {
  state: string;
  nonce: string;
  codeVerifier: string;
}

export function newOidcFlowSecrets(): OidcFlowSecrets {
  return { state: randomState(), nonce: randomNonce(), codeVerifier: randomPKCECodeVerifier() };
}

/**
 * The URL to redirect the browser to. PKCE S256 is always sent, even to IdPs that do not advertise
 * it (Entra ID supports it without saying so); IdPs that do not know it ignore the parameters.
 */
export async function authorizationRedirectUrl(
  settings: OidcClientSettings,
  input: { redirectUri: string; secrets: OidcFlowSecrets; loginHint?: string },
): Promise<URL> {
  const scopes = new Set(['openid', ...settings.scopes]);
  const parameters: Record<string, string> = {
    response_type: 'code',
    redirect_uri: input.redirectUri,
    scope: [...scopes].join(' '),
    state: input.secrets.state,
    nonce: input.secrets.nonce,
    code_challenge: await calculatePKCECodeChallenge(input.secrets.codeVerifier),
    code_challenge_method: 'S256',
  };
  if (input.loginHint) parameters.login_hint = input.loginHint;
  return buildAuthorizationUrl(clientConfiguration(settings), parameters);
}
