import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { authorizationRedirectUrl, newOidcFlowSecrets, type OidcClientSettings, type PinnedOidcProvider } from '../../../src/sso/oidc/index.ts';
import { REDIRECT_URI } from './fixtures.ts';

const TENANT = 'https://login.microsoftonline.com/9b1c3a7e-4f0d-4c2e-8a51-2d7f6e0b9c13';

/** Pinned as discovery pins Entra ID: it advertises no PKCE method. */
const ENTRA: PinnedOidcProvider = {
  issuer: `${TENANT}/v2.0`,
  authorizationEndpoint: `${TENANT}/oauth2/v2.0/authorize`,
  tokenEndpoint: `${TENANT}/oauth2/v2.0/token`,
  jwksUri: `${TENANT}/discovery/v2.0/keys`,
  userinfoEndpoint: 'https://graph.microsoft.com/oidc/userinfo',
  idTokenSigningAlgs: ['RS256'],
  authorizationResponseIssParameterSupported: false,
};

const SETTINGS: OidcClientSettings = {
  provider: ENTRA,
  clientId: 'a3f1c2d4-roster',
  clientSecret: 'an-entra-client-secret',
  tokenEndpointAuthMethod: 'client_secret_post',
  scopes: ['email', 'profile'],
  allowInsecureRequests: false,
};

describe('the authorization request', () => {
  it('is a code flow request with state, nonce and PKCE S256, even to an IdP that does not advertise PKCE', async () => {
    const secrets = newOidcFlowSecrets();
    const url = await authorizationRedirectUrl(SETTINGS, { redirectUri: REDIRECT_URI, secrets, loginHint: 'alice@example.test' });

    expect(`${url.origin}${url.pathname}`).toBe(ENTRA.authorizationEndpoint);
    expect(Object.fromEntries(url.searchParams)).toEqual({
      client_id: SETTINGS.clientId,
      response_type: 'code',
      redirect_uri: REDIRECT_URI,
      scope: 'openid email profile',
      state: secrets.state,
      nonce: secrets.nonce,
      code_challenge: createHash('sha256').update(secrets.codeVerifier).digest('base64url'),
      code_challenge_method: 'S256',
      login_hint: 'alice@example.test',
    });
  });

  it('names openid once whether or not the settings list it', async () => {
    const secrets = newOidcFlowSecrets();
    const url = await authorizationRedirectUrl({ ...SETTINGS, scopes: ['openid', 'email'] }, { redirectUri: REDIRECT_URI, secrets });
    expect(url.searchParams.get('scope')).toBe('openid email');
    expect(url.searchParams.has('login_hint')).toBe(false);
  });

  it('refuses an http authorization endpoint unless insecure requests are allowed', async () => {
    const provider = { ...ENTRA, authorizationEndpoint: 'http://127.0.0.1:9/auth' };
    const input = { redirectUri: REDIRECT_URI, secrets: newOidcFlowSecrets() };
    await expect(authorizationRedirectUrl({ ...SETTINGS, provider }, input)).rejects.toThrow(/HTTPS/);
    await expect(authorizationRedirectUrl({ ...SETTINGS, provider, allowInsecureRequests: true }, input)).resolves.toBeInstanceOf(URL);
  });
});

describe('flow secrets', () => {
  it('are fresh for every flow, with a verifier of 43 characters or more', () => {
    const [a, b] = [newOidcFlowSecrets(), newOidcFlowSecrets()];
    expect(new Set([a.state, a.nonce, a.codeVerifier, b.state, b.nonce, b.codeVerifier]).size).toBe(6);
    expect(a.codeVerifier).toMatch(/^[A-Za-z0-9_-]{43,128}$/);
  });
});
