/**
 * Setting connections up, for the operator's commands: metadata read, discovery pinned, SP keys
 * made. Its own surface, so a command loads the SAML and OIDC modules without the OpenID Provider.
 */
export {
  checkIdpCertificates,
  checkProfileMapping,
  checkIdpUrl,
  prepareOidcConnection,
  prepareSamlConnection,
  type OidcConnectionRequest,
  type SamlConnectionRequest,
  type SetupOptions,
} from './connection-setup.ts';
export { oidcRedirectUri, samlConnectionUrls } from '../urls.ts';
