/**
 * The URLs of a connection, as the IdP's administrator enters them. Fixed when the connection is
 * created and stored with it, so a later change of PUBLIC_URL cannot silently break a configured IdP.
 */
export function samlConnectionUrls(publicUrl: string, connectionId: string) {
  const base = `${publicUrl}/sso/saml/${connectionId}`;
  return { spEntityId: base, acsUrl: `${base}/acs`, spMetadataUrl: `${base}/metadata` };
}

export const oidcRedirectUri = (publicUrl: string, connectionId: string) => `${publicUrl}/sso/oidc/${connectionId}/callback`;

export const interactionPath = (uid: string) => `/sso/interaction/${uid}`;
