/**
 * Reads a stored connection back into the settings the protocol modules take. Stored settings were
 * written by setup/connection-setup.ts; a row edited by hand into another shape fails here, loudly.
 */
import type { SsoConnectionForSignIn } from '../directory/index.ts';
import type { OidcClientSettings, PinnedOidcProvider } from './oidc/index.ts';
import { parseProfileMapping, type ProfileMapping } from './profile/index.ts';
import type { SamlIdpSettings, SamlSpSettings } from './saml/index.ts';

export class ConnectionSettingsError extends Error {
  override readonly name = 'ConnectionSettingsError';
}

const str = (s: Record<string, unknown>, key: string): string => {
  const value = s[key];
  if (typeof value !== 'string') throw new ConnectionSettingsError(`connection setting ${key} is missing`);
  return value;
};

export function samlSettingsOf(connection: SsoConnectionForSignIn): { sp: SamlSpSettings; idp: SamlIdpSettings } {
  const s = connection.settings;
  const certificates = s.certificates;
  if (!Array.isArray(certificates) || !certificates.every((c) => typeof c === 'string')) {
    throw new ConnectionSettingsError('connection setting certificates is missing');
  }
  return {
    sp: { entityId: str(s, 'spEntityId'), acsUrl: str(s, 'acsUrl'), privateKeyPem: connection.secret, certificatePem: str(s, 'spCertificatePem') },
    idp: {
      entityId: str(s, 'idpEntityId'),
      ssoUrl: str(s, 'ssoUrl'),
      certificates: certificates as string[],
      signedParts: (s.signedParts as SamlIdpSettings['signedParts'] | undefined) ?? 'either',
      allowIdpInitiated: s.allowIdpInitiated === true,
      clockSkewSeconds: typeof s.clockSkewSeconds === 'number' ? s.clockSkewSeconds : 60,
    },
  };
}

export function oidcSettingsOf(connection: SsoConnectionForSignIn, allowInsecureRequests: boolean): { client: OidcClientSettings; redirectUri: string } {
  const s = connection.settings;
  return {
    client: {
      provider: s.provider as PinnedOidcProvider,
      clientId: str(s, 'clientId'),
      clientSecret: connection.secret,
      tokenEndpointAuthMethod: s.tokenEndpointAuthMethod === 'client_secret_post' ? 'client_secret_post' : 'client_secret_basic',
      scopes: Array.isArray(s.scopes) ? (s.scopes as string[]) : ['openid', 'email', 'profile'],
      allowInsecureRequests,
    },
    redirectUri: str(s, 'redirectUri'),
  };
}

export function mappingOf(connection: SsoConnectionForSignIn): ProfileMapping {
  const parsed = parseProfileMapping(connection.mapping);
  if (!parsed.ok) throw new ConnectionSettingsError(`connection mapping is invalid: ${parsed.error}`);
  return parsed.value;
}
