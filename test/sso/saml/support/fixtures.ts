import { generateSpCredentials } from '../../../../src/sso/saml/index.ts';
import type { SamlIdpSettings, SamlSpSettings } from '../../../../src/sso/saml/index.ts';
import type { TestSamlIdp } from './test-idp.ts';

/** One connection's SP side, with a fresh key pair. */
export async function createTestSp(slug = 'acme'): Promise<SamlSpSettings> {
  const credentials = await generateSpCredentials(`Roster SP ${slug}`);
  return {
    entityId: `https://roster.test.example/sso/saml/${slug}`,
    acsUrl: `https://roster.test.example/sso/saml/${slug}/acs`,
    ...credentials,
  };
}

/** The connection settings Roster would store for this IdP. */
export function idpSettingsFor(idp: TestSamlIdp, overrides: Partial<SamlIdpSettings> = {}): SamlIdpSettings {
  return {
    entityId: idp.entityId,
    ssoUrl: idp.ssoUrl,
    certificates: [idp.certificatePem],
    signedParts: 'assertion',
    allowIdpInitiated: false,
    clockSkewSeconds: 60,
    ...overrides,
  };
}

/** The in-memory stand-in for the PostgreSQL replay table. */
export function memoryReplayCache() {
  const seen = new Map<string, Date>();
  return {
    seen,
    async consume(assertionId: string, notOnOrAfter: Date) {
      if (seen.has(assertionId)) return false;
      seen.set(assertionId, notOnOrAfter);
      return true;
    },
  };
}
