/**
 * ServiceProviderConfig (RFC 7643 §5). It states only what this server does today: clients such as
 * Okta and Entra read it to decide which requests to send.
 */
export const SERVICE_PROVIDER_CONFIG_URN = 'urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig';

export function serviceProviderConfig(location: string) {
  return {
    schemas: [SERVICE_PROVIDER_CONFIG_URN],
    patch: { supported: false },
    bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
    filter: { supported: false, maxResults: 0 },
    changePassword: { supported: false },
    sort: { supported: false },
    etag: { supported: false },
    authenticationSchemes: [
      {
        type: 'oauthbearertoken',
        name: 'OAuth Bearer Token',
        description: 'A per-directory bearer token issued by `roster directory create` or `roster directory token create`.',
        primary: true,
      },
    ],
    meta: { resourceType: 'ServiceProviderConfig', location },
  };
}
