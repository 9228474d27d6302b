import { trustedIdpCertificates } from './certificates.ts';
import { readAssertionClaims } from './assertion-claims.ts';
import { MAX_SAML_MESSAGE_BYTES } from './constants.ts';
import { inspectEncryptedAssertion } from './decrypt-assertion.ts';
import { checkResponseShape } from './response-shape.ts';
import { verifySignatures } from './verify-signatures.ts';
import { decodeBase64Strict, parseXmlStrictly, screenXmlText } from './xml-safety.ts';
import { refuse } from './types.ts';
import type { SamlAssertion, SamlIdpSettings, SamlSpSettings, ValidationResult } from './types.ts';

/**
 * Remembers assertion IDs across every instance (PostgreSQL: an insert that conflicts on the ID).
 * `false` means the ID was seen before. `notOnOrAfter` is when the ID may be forgotten: the
 * assertion's NotOnOrAfter plus the connection's clock skew, the last instant it could be accepted.
 */
export interface AssertionReplayCache {
  consume(assertionId: string, notOnOrAfter: Date): Promise<boolean>;
}

export interface ValidateSamlResponseInput {
  sp: SamlSpSettings;
  idp: SamlIdpSettings;
  /** The base64 SAMLResponse form field as posted. */
  samlResponse: string;
  /** The AuthnRequest ID Roster issued for this flow; undefined means the response claims to be IdP-initiated. */
  expectedRequestId: string | undefined;
  now: Date;
  replay: AssertionReplayCache;
}

/**
 * Validates a SAMLResponse posted to a connection's ACS and returns the assertion it carries, or
 * the first reason to refuse it. The order is cheapest and least trusting first:
 * text screening → shape (wrapping, algorithms) → decryption → signatures (node-saml) →
 * claims on the verified assertion → replay. The replay cache is consumed last, so a refused
 * response never burns an assertion ID.
 */
export async function validateSamlResponse(input: ValidateSamlResponseInput): Promise<ValidationResult<SamlAssertion>> {
  const { sp, idp } = input;
  const decoded = decodeBase64Strict(input.samlResponse, MAX_SAML_MESSAGE_BYTES);
  if (!decoded.ok) return decoded;
  const screened = screenXmlText(decoded.value);
  if (!screened.ok) return screened;
  const parsed = parseXmlStrictly(screened.value);
  if (!parsed.ok) return parsed;

  const trusted = trustedIdpCertificates(idp.certificates);
  if (!trusted.ok) return refuse('idp_certificate_invalid', trusted.error);

  const shape = checkResponseShape(parsed.value.root);
  if (!shape.ok) return shape;
  let assertionSigned = shape.value.assertionSigned;
  if (shape.value.encryptedAssertion) {
    const inner = await inspectEncryptedAssertion(shape.value.encryptedAssertion, sp.privateKeyPem);
    if (!inner.ok) return inner;
    assertionSigned = inner.value.signed;
  }
  const present = { response: shape.value.responseSigned, assertion: assertionSigned === true };
  const missing = missingSignature(idp.signedParts, present);
  if (missing) return refuse('unsigned', missing);

  // node-saml gets the screened text (BOM removed, whitespace-free base64), not the raw field.
  const verified = await verifySignatures(Buffer.from(screened.value, 'utf8').toString('base64'), sp, idp, trusted.value, present);
  if (!verified.ok) return verified;

  const claims = readAssertionClaims({
    verifiedAssertionXml: verified.value,
    response: parsed.value.root,
    responseSigned: present.response,
    sp,
    idp,
    expectedRequestId: input.expectedRequestId,
    now: input.now,
  });
  if (!claims.ok) return claims;
  const forgetAfter = new Date(claims.value.notOnOrAfter.getTime() + Math.max(0, idp.clockSkewSeconds) * 1000);
  if (!(await input.replay.consume(claims.value.assertionId, forgetAfter))) {
    return refuse('replayed', `assertion ${claims.value.assertionId} was already used`);
  }
  return claims;
}

function missingSignature(required: SamlIdpSettings['signedParts'], present: { response: boolean; assertion: boolean }): string | undefined {
  switch (required) {
    case 'assertion':
      return present.assertion ? undefined : 'the connection requires a signed assertion';
    case 'response':
      return present.response ? undefined : 'the connection requires a signed Response';
    case 'both':
      return present.response && present.assertion ? undefined : 'the connection requires both the Response and the assertion signed';
    case 'either':
      return present.response || present.assertion ? undefined : 'neither the Response nor the assertion is signed';
  }
}
