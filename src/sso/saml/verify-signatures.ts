import { SAML, SamlStatusError, ValidateInResponseTo } from '@node-saml/node-saml';
import { refuse } from './types.ts';
import type { SamlIdpSettings, SamlSpSettings, ValidationResult } from './types.ts';

/**
 * Runs node-saml over a Response whose shape has been checked, for the XML-DSig and decryption work,
 * and returns the Assertion as node-saml verified it (the signed bytes, or the Assertion inside the
 * signed Response). Everything else is read from that XML by the caller.
 *
 * Options, each deliberate:
 * - wantAuthnResponseSigned / wantAssertionsSigned are true exactly where a signature is present:
 *   the required ones were checked to be present before, and a present signature must verify
 *   (an IdP's broken Response signature is not excused by a good Assertion one).
 * - idpCert: the connection's certificates only; xml-crypto 6 never takes a key from KeyInfo.
 * - acceptedClockSkewMs -1 switches OFF node-saml's time checks, which read the process clock:
 *   Roster checks every NotBefore/NotOnOrAfter itself against the caller's `now`
 *   (assertion-claims.ts), so tests and a frozen clock mean the same thing.
 * - validateInResponseTo never: its InResponseTo cache lives in process memory; the caller's
 *   expectedRequestId (stored in PostgreSQL) is compared in assertion-claims.ts instead.
 * - audience: checked here too (exact match), and again in assertion-claims.ts.
 */
export async function verifySignatures(
  samlResponseB64: string,
  sp: SamlSpSettings,
  idp: SamlIdpSettings,
  trustedPems: string[],
  present: { response: boolean; assertion: boolean },
): Promise<ValidationResult<string>> {
  const saml = new SAML({
    callbackUrl: sp.acsUrl,
    issuer: sp.entityId,
    audience: sp.entityId,
    idpIssuer: idp.entityId,
    idpCert: trustedPems,
    decryptionPvk: sp.privateKeyPem,
    wantAuthnResponseSigned: present.response,
    wantAssertionsSigned: present.assertion,
    acceptedClockSkewMs: -1,
    maxAssertionAgeMs: 0,
    validateInResponseTo: ValidateInResponseTo.never,
  });
  try {
    const { profile } = await saml.validatePostResponseAsync({ SAMLResponse: samlResponseB64 });
    const xml = profile?.getAssertionXml?.();
    if (!xml) return refuse('malformed', 'no assertion came out of verification');
    return { ok: true, value: xml };
  } catch (error) {
    return classify(error);
  }
}

/** node-saml reports failures as messages only; these are the ones its 5.x source throws. */
function classify(error: unknown): ValidationResult<never> {
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof SamlStatusError) return refuse('status_not_success', message);
  if (/audience|AudienceRestriction/i.test(message)) return refuse('wrong_audience', message);
  if (/multiple assertions/i.test(message)) return refuse('multiple_assertions', message);
  if (/signature|signed/i.test(message)) return refuse('bad_signature', message);
  if (/decrypt|EncryptedAssertion/i.test(message)) return refuse('decryption_failed', message);
  return refuse('malformed', message);
}
