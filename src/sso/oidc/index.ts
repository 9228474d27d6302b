/**
 * Roster as an OpenID Connect relying party towards a customer's IdP (Okta, Entra ID, Google, any
 * OpenID Provider). Protocol only: flow state is stored by the caller and passed in; every
 * function takes and returns plain values.
 *
 * 1. `discoverOidcProvider(issuer)` when a connection is set up: the result is pinned with it.
 * 2. `newOidcFlowSecrets()` and `authorizationRedirectUrl(settings, …)` when a sign-in starts.
 * 3. `completeOidcSignIn(settings, …)` on the callback, with the secrets stored at step 2.
 */
export { discoverOidcProvider, type DiscoveryResult, type PinnedOidcProvider } from './discovery.ts';
export type { OidcClientSettings } from './client.ts';
export { authorizationRedirectUrl, newOidcFlowSecrets, type OidcFlowSecrets } from './authorization.ts';
export { completeOidcSignIn, type OidcSignInOutcome, type OidcSignInResult } from './sign-in.ts';
export type { OidcRefusal, OidcRefused } from './refusals.ts';
export { ALLOWED_ID_TOKEN_SIGNING_ALGS } from './signing-algorithms.ts';
