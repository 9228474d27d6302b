/**
 * Clients, accounts and a sign-in driver shared by the relying-party tests, against the test IdP
 * of test/support/test-oidc-idp.ts.
 */
import { expect } from 'vitest';
import {
  authorizationRedirectUrl,
  discoverOidcProvider,
  newOidcFlowSecrets,
  type OidcClientSettings,
  type OidcFlowSecrets,
  type PinnedOidcProvider,
} from '../../../src/sso/oidc/index.ts';
import type { TestOidcClient, TestOidcIdp } from '../../support/test-oidc-idp.ts';

export const REDIRECT_URI = 'https://roster.example.test/sso/oidc/callback';

export const BASIC_CLIENT: TestOidcClient = {
  client_id: 'roster-basic',
  client_secret: 'a-basic-client-secret-of-some-length',
  redirect_uris: [REDIRECT_URI],
  token_endpoint_auth_method: 'client_secret_basic',
};

export const POST_CLIENT: TestOidcClient = {
  client_id: 'roster-post',
  client_secret: 'a-post-client-secret-of-some-length',
  redirect_uris: [REDIRECT_URI],
  token_endpoint_auth_method: 'client_secret_post',
};

export const ACCOUNTS = {
  /** Her ID token carries her profile. */
  alice: { email: 'alice@example.test', email_verified: true, name: 'Alice Liddell', groups: ['admins'] },
  /** His ID token carries only `sub`: the rest is in userinfo. */
  bob: { email: 'bob@example.test', email_verified: false, name: 'Bob Builder', groups: ['builders', 'staff'] },
};

/** The provider as discovery pins it; fails the test when discovery refuses. */
export async function pinned(idp: TestOidcIdp): Promise<PinnedOidcProvider> {
  const discovered = await discoverOidcProvider(idp.issuer, { allowInsecureRequests: true });
  if (!discovered.ok) expect.fail(discovered.error);
  return discovered.value;
}

export function settingsFor(provider: PinnedOidcProvider, client: TestOidcClient): OidcClientSettings {
  return {
    provider,
    clientId: client.client_id,
    clientSecret: client.client_secret,
    tokenEndpointAuthMethod: client.token_endpoint_auth_method,
    scopes: ['openid', 'email', 'profile', 'groups'],
    allowInsecureRequests: true,
  };
}

/** Starts a flow and lets `accountId` sign in at the IdP: the callback Roster would receive. */
export async function signInAtIdp(
  idp: TestOidcIdp,
  settings: OidcClientSettings,
  accountId: string,
  options: { deny?: boolean } = {},
): Promise<{ secrets: OidcFlowSecrets; callbackUrl: URL }> {
  const secrets = newOidcFlowSecrets();
  const url = await authorizationRedirectUrl(settings, { redirectUri: REDIRECT_URI, secrets });
  const callbackUrl = await idp.authorize(url, accountId, options);
  return { secrets, callbackUrl };
}
