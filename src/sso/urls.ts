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

/** Where a console sign-in resumes once the IdP has answered. */
export const CONSOLE_FINISH_PATH = '/sso/console/finish';

/** One cookie per flow, so two sign-ins in two tabs do not overwrite each other's binding. */
export const flowCookie = (flowId: string) => `roster_flow_${flowId.slice(0, 16)}`;
