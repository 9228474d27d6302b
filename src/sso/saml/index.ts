/**
 * SAML 2.0 service-provider protocol for Roster connections: IdP metadata in, SP metadata and
 * signed AuthnRequests out, SAMLResponses validated. Pure protocol: the caller stores request IDs,
 * the replay cache and connection settings (in PostgreSQL) and passes them in.
 */
export type { IdpMetadata, SamlAssertion, SamlIdpSettings, SamlRefusal, SamlSpSettings, SsoBinding } from './types.ts';
export type { AssertionReplayCache, ValidateSamlResponseInput } from './validate-response.ts';
export { MAX_SAML_MESSAGE_BYTES } from './constants.ts';
export { parseIdpMetadata } from './idp-metadata.ts';
export { generateSpCredentials } from './sp-credentials.ts';
export { spMetadataXml } from './sp-metadata.ts';
export { buildAuthnRequestRedirect } from './authn-request.ts';
export { validateSamlResponse } from './validate-response.ts';
export { inflateRedirectMessage } from './inflate.ts';
export { trustedIdpCertificates } from './certificates.ts';
