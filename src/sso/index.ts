/**
 * SSO: Roster as SAML service provider and OIDC relying party towards each organization's IdP,
 * and as OpenID Provider towards the app.
 */
export { ssoRoutes } from './routes.ts';
export { invitationRoutes } from './invitation-routes.ts';
export type { SsoDeps } from './deps.ts';
export { checkIdpCertificates, checkProfileMapping, prepareOidcConnection, prepareSamlConnection, type OidcConnectionRequest, type SamlConnectionRequest, type SetupOptions } from './setup/index.ts';
export { samlConnectionUrls, oidcRedirectUri, interactionPath } from './urls.ts';
export {
  createRosterProvider,
  providerRoutes,
  rotateSigningKeys,
  ensureSigningKey,
  startProviderMaintenance,
  LONGEST_SIGNED_TOKEN_SECONDS,
  type RosterProvider,
} from './provider/index.ts';
export { createSignInProvider, startSignInMaintenance } from './sign-in-provider.ts';
