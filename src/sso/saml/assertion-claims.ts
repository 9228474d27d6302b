import { BEARER, NS } from './constants.ts';
import { attribute, childElements, containsComment, onlyChild, text } from './dom.ts';
import { checkWindow, parseSamlInstant } from './time-window.ts';
import { parseXmlStrictly } from './xml-safety.ts';
import { refuse } from './types.ts';
import type { Refused, SamlAssertion, SamlIdpSettings, SamlSpSettings, ValidationResult } from './types.ts';

export interface ClaimsInput {
  /** The Assertion as the signature verifier returned it: the only XML trusted for its content. */
  verifiedAssertionXml: string;
  /** The posted Response root: its attributes are covered by a signature only when responseSigned. */
  response: Element;
  responseSigned: boolean;
  sp: SamlSpSettings;
  idp: SamlIdpSettings;
  expectedRequestId: string | undefined;
  now: Date;
}

/**
 * Everything node-saml 5 leaves to the SP, checked on the verified Assertion: issuer, audience,
 * Destination, bearer SubjectConfirmation (Recipient, time, InResponseTo), Conditions times.
 * URLs and entity IDs are compared exactly: a prefix or same-origin match would let a response
 * for another connection on the same host (…/saml/acme vs …/saml/acme-evil) be replayed here.
 */
export function readAssertionClaims(input: ClaimsInput): ValidationResult<SamlAssertion> {
  const { sp, idp, now, response } = input;
  const parsed = parseXmlStrictly(input.verifiedAssertionXml);
  if (!parsed.ok) return parsed;
  const assertion = parsed.value.root;
  if (assertion.namespaceURI !== NS.assertion || assertion.localName !== 'Assertion') return refuse('malformed', 'verification returned no Assertion');

  const assertionId = attribute(assertion, 'ID');
  if (!assertionId) return refuse('malformed', 'the Assertion has no ID');
  const issuerElement = onlyChild(assertion, NS.assertion, 'Issuer');
  const issuer = issuerElement ? text(issuerElement).trim() : '';
  if (issuer !== idp.entityId) return refuse('wrong_issuer', `Assertion issuer ${issuer || '(none)'} is not ${idp.entityId}`);
  const responseIssuer = onlyChild(response, NS.assertion, 'Issuer');
  if (responseIssuer && text(responseIssuer).trim() !== idp.entityId) {
    return refuse('wrong_issuer', `Response issuer ${text(responseIssuer).trim()} is not ${idp.entityId}`);
  }

  // SAML bindings §3.5.5.2: a signed Response must carry Destination; when present it must be ours.
  const destination = attribute(response, 'Destination');
  if (destination === undefined ? input.responseSigned : destination !== sp.acsUrl) {
    return refuse('wrong_destination', `Destination ${destination ?? '(none)'} is not ${sp.acsUrl}`);
  }

  const conditions = childElements(assertion, NS.assertion, 'Conditions');
  const condition = conditions[0];
  if (!condition || conditions.length !== 1) return refuse('malformed', 'the Assertion needs exactly one Conditions');
  const conditionsNotBefore = parseSamlInstant(attribute(condition, 'NotBefore'), 'Conditions NotBefore');
  if (!conditionsNotBefore.ok) return conditionsNotBefore;
  const conditionsNotOnOrAfter = parseSamlInstant(attribute(condition, 'NotOnOrAfter'), 'Conditions NotOnOrAfter');
  if (!conditionsNotOnOrAfter.ok) return conditionsNotOnOrAfter;
  const conditionsWindow = checkWindow(now, idp.clockSkewSeconds, conditionsNotBefore.value, conditionsNotOnOrAfter.value, 'the assertion');
  if (conditionsWindow) return conditionsWindow;
  const audience = checkAudience(condition, sp.entityId);
  if (audience) return audience;

  const subject = onlyChild(assertion, NS.assertion, 'Subject');
  const nameIdElement = subject ? onlyChild(subject, NS.assertion, 'NameID') : undefined;
  if (!subject || !nameIdElement) return refuse('malformed', 'the Assertion has no Subject NameID');
  if (containsComment(nameIdElement)) return refuse('comment_in_name_id', 'NameID contains an XML comment');
  const nameId = text(nameIdElement).trim();
  if (!nameId) return refuse('malformed', 'the NameID is empty');

  const confirmation = checkBearerConfirmation(subject, input);
  if (!confirmation.ok) return confirmation;
  const inResponseTo = checkInResponseTo(attribute(response, 'InResponseTo'), confirmation.value.inResponseTo, input);
  if (inResponseTo) return inResponseTo;

  const limits = [conditionsNotOnOrAfter.value, confirmation.value.notOnOrAfter].filter((d): d is Date => d !== undefined);
  const authn = childElements(assertion, NS.assertion, 'AuthnStatement')[0];
  return {
    ok: true,
    value: {
      issuer,
      nameId,
      nameIdFormat: attribute(nameIdElement, 'Format'),
      sessionIndex: authn ? attribute(authn, 'SessionIndex') : undefined,
      assertionId,
      notOnOrAfter: new Date(Math.min(...limits.map((d) => d.getTime()))),
      inResponseTo: confirmation.value.inResponseTo ?? (input.responseSigned ? attribute(response, 'InResponseTo') : undefined),
      attributes: readAttributes(assertion),
    },
  };
}

/** Every AudienceRestriction must name this SP (SAML core §2.5.1.4); at least one must exist. */
function checkAudience(conditions: Element, entityId: string): Refused | undefined {
  const restrictions = childElements(conditions, NS.assertion, 'AudienceRestriction');
  if (restrictions.length === 0) return refuse('wrong_audience', 'the assertion has no AudienceRestriction');
  for (const restriction of restrictions) {
    const audiences = childElements(restriction, NS.assertion, 'Audience').map((a) => text(a).trim());
    if (!audiences.includes(entityId)) return refuse('wrong_audience', `audience ${audiences.join(', ') || '(none)'} is not ${entityId}`);
  }
  return undefined;
}

/**
 * The Web SSO profile (§4.1.4.2) requires a bearer SubjectConfirmation whose data names our ACS as
 * Recipient and carries NotOnOrAfter. Among several, one valid confirmation is enough; when none
 * is, the first one's problem is reported.
 */
function checkBearerConfirmation(subject: Element, input: ClaimsInput): ValidationResult<{ notOnOrAfter: Date; inResponseTo: string | undefined }> {
  const bearers = childElements(subject, NS.assertion, 'SubjectConfirmation').filter((c) => attribute(c, 'Method') === BEARER);
  if (bearers.length === 0) return refuse('malformed', 'the Assertion has no bearer SubjectConfirmation');
  let firstProblem: Refused | undefined;
  for (const bearer of bearers) {
    const data = onlyChild(bearer, NS.assertion, 'SubjectConfirmationData');
    const checked = data ? checkConfirmationData(data, input) : refuse('malformed', 'a bearer SubjectConfirmation without SubjectConfirmationData');
    if (checked.ok) return checked;
    firstProblem ??= checked;
  }
  return firstProblem as Refused;
}

function checkConfirmationData(data: Element, { sp, idp, now }: ClaimsInput): ValidationResult<{ notOnOrAfter: Date; inResponseTo: string | undefined }> {
  const recipient = attribute(data, 'Recipient');
  if (recipient !== sp.acsUrl) return refuse('wrong_recipient', `Recipient ${recipient ?? '(none)'} is not ${sp.acsUrl}`);
  const notBefore = parseSamlInstant(attribute(data, 'NotBefore'), 'SubjectConfirmationData NotBefore');
  if (!notBefore.ok) return notBefore;
  const notOnOrAfter = parseSamlInstant(attribute(data, 'NotOnOrAfter'), 'SubjectConfirmationData NotOnOrAfter');
  if (!notOnOrAfter.ok) return notOnOrAfter;
  if (!notOnOrAfter.value) return refuse('malformed', 'SubjectConfirmationData has no NotOnOrAfter');
  const window = checkWindow(now, idp.clockSkewSeconds, notBefore.value, notOnOrAfter.value, 'the subject confirmation');
  if (window) return window;
  return { ok: true, value: { notOnOrAfter: notOnOrAfter.value, inResponseTo: attribute(data, 'InResponseTo') } };
}

/**
 * SP-initiated: the response must answer the request this flow issued. IdP-initiated (no
 * InResponseTo anywhere) only where the connection allows it; a response answering some request
 * when this flow issued none is refused, as it belongs to another browser's flow.
 */
function checkInResponseTo(onResponse: string | undefined, onConfirmation: string | undefined, input: ClaimsInput): Refused | undefined {
  if (onResponse !== undefined && onConfirmation !== undefined && onResponse !== onConfirmation) {
    return refuse('in_response_to_mismatch', `the Response answers ${onResponse} but its assertion answers ${onConfirmation}`);
  }
  // The Response attribute counts only when the Response is signed: otherwise an attacker could
  // wrap an IdP-initiated assertion of their own in a Response claiming to answer someone's request.
  const answered = onConfirmation ?? (input.responseSigned ? onResponse : undefined);
  if (input.expectedRequestId === undefined) {
    if (answered !== undefined) return refuse('in_response_to_mismatch', `the response answers request ${answered}, but this flow issued none`);
    if (!input.idp.allowIdpInitiated) return refuse('unsolicited', 'IdP-initiated sign-in is not enabled for this connection');
    return undefined;
  }
  if (answered !== input.expectedRequestId) {
    return refuse('in_response_to_mismatch', `the response answers ${answered ?? 'no request'}, not ${input.expectedRequestId}`);
  }
  return undefined;
}

/**
 * Attributes by Name, each an array of strings in document order whatever the count; values with
 * xsi:nil are left out. Repeated Attribute elements of one Name are merged.
 */
function readAttributes(assertion: Element): Record<string, string[]> {
  const attributes: Record<string, string[]> = Object.create(null);
  for (const statement of childElements(assertion, NS.assertion, 'AttributeStatement')) {
    for (const element of childElements(statement, NS.assertion, 'Attribute')) {
      const name = attribute(element, 'Name');
      if (!name) continue;
      const values = childElements(element, NS.assertion, 'AttributeValue')
        .filter((value) => value.getAttributeNS(NS.xsi, 'nil') !== 'true')
        .map((value) => text(value));
      attributes[name] = [...(attributes[name] ?? []), ...values];
    }
  }
  return { ...attributes };
}
