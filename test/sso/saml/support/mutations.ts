/**
 * Refusal fixtures: each function takes ONE valid signed SAMLResponse (decoded XML) and changes
 * exactly what its name says. Those that change signed content re-sign with the real IdP key, so
 * the refusal they provoke is the one named, not a broken signature.
 */
import { DOMParser, XMLSerializer } from '@xmldom/xmldom';
import { SignedXml } from 'xml-crypto';

const SAMLP = 'urn:oasis:names:tc:SAML:2.0:protocol';
const SAML = 'urn:oasis:names:tc:SAML:2.0:assertion';
const DS = 'http://www.w3.org/2000/09/xmldsig#';
const RESPONSE = "/*[local-name(.)='Response']";
const ASSERTION = `${RESPONSE}/*[local-name(.)='Assertion']`;

export interface SigningKey {
  privateKeyPem: string;
  certificatePem: string;
}

export interface SignatureAlgorithms {
  signatureAlgorithm: string;
  digestAlgorithm: string;
}

const SHA256: SignatureAlgorithms = {
  signatureAlgorithm: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
  digestAlgorithm: 'http://www.w3.org/2001/04/xmlenc#sha256',
};
const SHA1: SignatureAlgorithms = {
  signatureAlgorithm: 'http://www.w3.org/2000/09/xmldsig#rsa-sha1',
  digestAlgorithm: 'http://www.w3.org/2000/09/xmldsig#sha1',
};

export const decodeResponse = (b64: string) => Buffer.from(b64, 'base64').toString('utf8');
export const encodeResponse = (xml: string) => Buffer.from(xml, 'utf8').toString('base64');

function parse(xml: string): Document {
  return new DOMParser().parseFromString(xml, 'text/xml') as unknown as Document;
}
const serialize = (doc: Document) => new XMLSerializer().serializeToString(doc as never);

function edit(xml: string, change: (doc: Document, response: Element, assertion: Element) => void): string {
  const doc = parse(xml);
  const response = doc.documentElement;
  const assertion = response.getElementsByTagNameNS(SAML, 'Assertion')[0];
  if (!assertion) throw new Error('the base response has no plain Assertion');
  change(doc, response, assertion);
  return serialize(doc);
}

const ownSignature = (element: Element) =>
  Array.from(element.childNodes).find((n): n is Element => n.nodeType === 1 && (n as Element).namespaceURI === DS && (n as Element).localName === 'Signature');

function first(root: Element, ns: string, localName: string): Element {
  const found = root.getElementsByTagNameNS(ns, localName)[0];
  if (!found) throw new Error(`no ${localName}`);
  return found;
}

function sign(xml: string, target: string, key: SigningKey, algorithms: SignatureAlgorithms, embedCertificate: boolean): string {
  const signer = new SignedXml({
    privateKey: key.privateKeyPem,
    publicCert: embedCertificate ? key.certificatePem : undefined,
    signatureAlgorithm: algorithms.signatureAlgorithm,
    canonicalizationAlgorithm: 'http://www.w3.org/2001/10/xml-exc-c14n#',
    getKeyInfoContent: embedCertificate ? SignedXml.getKeyInfoContent : () => null,
  });
  signer.addReference({
    xpath: target,
    digestAlgorithm: algorithms.digestAlgorithm,
    transforms: ['http://www.w3.org/2000/09/xmldsig#enveloped-signature', 'http://www.w3.org/2001/10/xml-exc-c14n#'],
  });
  signer.computeSignature(xml, { prefix: 'ds', location: { reference: `${target}/*[local-name(.)='Issuer']`, action: 'after' } });
  return signer.getSignedXml();
}

/** Signs again whatever was signed before (assertion first, then the Response around it). */
export function resign(xml: string, key: SigningKey, algorithms = SHA256, embedCertificate = false): string {
  const doc = parse(xml);
  const response = doc.documentElement;
  const assertion = response.getElementsByTagNameNS(SAML, 'Assertion')[0];
  const responseSigned = !!ownSignature(response);
  const assertionSigned = !!assertion && !!ownSignature(assertion);
  let out = unsign(xml);
  if (assertionSigned) out = sign(out, ASSERTION, key, algorithms, embedCertificate);
  if (responseSigned) out = sign(out, RESPONSE, key, algorithms, embedCertificate);
  return out;
}

// ---- signatures ---------------------------------------------------------------------------

export function unsign(xml: string): string {
  return edit(xml, (doc) => {
    for (const signature of Array.from(doc.getElementsByTagNameNS(DS, 'Signature'))) signature.parentNode?.removeChild(signature);
  });
}

export const signWithOtherKey = (xml: string, attacker: SigningKey) => resign(xml, attacker);

/** The attacker's certificate in KeyInfo: proves keys come only from the connection's list. */
export const signWithOtherKeyAndEmbedCert = (xml: string, attacker: SigningKey) => resign(xml, attacker, SHA256, true);

/** Re-signed by the real IdP key with RSA-SHA1 and a SHA-1 digest: proves algorithm refusal, not key refusal. */
export const sha1Signature = (xml: string, idpKey: SigningKey) => resign(xml, idpKey, SHA1);

/** Signed content changed after signing, not re-signed. */
export function tamperAfterSigning(xml: string): string {
  return edit(xml, (_doc, _response, assertion) => {
    first(assertion, SAML, 'NameID').textContent = 'attacker@evil.example';
  });
}

// ---- XML safety ---------------------------------------------------------------------------

export const addDoctype = (xml: string) => `<!DOCTYPE samlp:Response>${stripDeclaration(xml)}`;

export const addEntity = (xml: string) =>
  `<!DOCTYPE r [<!ENTITY who "attacker@evil.example">]>${stripDeclaration(xml).replace(/(<saml:NameID[^>]*>)[^<]*/, '$1&who;')}`;

export const addProcessingInstruction = (xml: string) => stripDeclaration(xml).replace(/(<samlp:Response[^>]*>)/, '$1<?roster evil?>');

export const addSecondRoot = (xml: string) => `${stripDeclaration(xml)}<samlp:Response xmlns:samlp="${SAMLP}"/>`;

const stripDeclaration = (xml: string) => xml.replace(/^<\?xml[^?]*\?>/, '');

// ---- assertion content, re-signed by the IdP -----------------------------------------------

/** A second, differently identified copy of the signed assertion next to it. */
export function duplicateAssertion(xml: string): string {
  return edit(xml, (_doc, response, assertion) => {
    const copy = assertion.cloneNode(true) as Element;
    copy.setAttribute('ID', '_copy');
    response.appendChild(copy);
  });
}

/**
 * CVE-2017-11428: the IdP signed NameID "user@acme.com.evil.com" (the attacker's own account);
 * a comment after "user@acme.com" leaves the signature valid, as canonicalisation drops comments.
 * Not re-signed: that is the point.
 */
export function commentInNameId(xml: string, signedNameId: string, splitAfter: string): string {
  if (!signedNameId.startsWith(splitAfter)) throw new Error('splitAfter must be a prefix of the NameID');
  return xml.replace(`>${signedNameId}<`, `>${splitAfter}<!---->${signedNameId.slice(splitAfter.length)}<`);
}

export function setAudience(xml: string, audience: string, idpKey: SigningKey): string {
  return resign(edit(xml, (_d, _r, assertion) => (first(assertion, SAML, 'Audience').textContent = audience)), idpKey);
}

export function setRecipient(xml: string, recipient: string, idpKey: SigningKey): string {
  return resign(edit(xml, (_d, _r, assertion) => first(assertion, SAML, 'SubjectConfirmationData').setAttribute('Recipient', recipient)), idpKey);
}

export function setDestination(xml: string, destination: string | undefined, idpKey: SigningKey): string {
  return resign(
    edit(xml, (_d, response) => (destination === undefined ? response.removeAttribute('Destination') : response.setAttribute('Destination', destination))),
    idpKey,
  );
}

export function setIssuer(xml: string, issuer: string, idpKey: SigningKey): string {
  return resign(edit(xml, (_d, _r, assertion) => (first(assertion, SAML, 'Issuer').textContent = issuer)), idpKey);
}

/** Sets InResponseTo on the Response and the SubjectConfirmationData alike (undefined removes both). */
export function setInResponseTo(xml: string, inResponseTo: string | undefined, idpKey: SigningKey): string {
  return resign(
    edit(xml, (_d, response, assertion) => {
      for (const element of [response, first(assertion, SAML, 'SubjectConfirmationData')]) {
        if (inResponseTo === undefined) element.removeAttribute('InResponseTo');
        else element.setAttribute('InResponseTo', inResponseTo);
      }
    }),
    idpKey,
  );
}

/** Moves the Conditions window (NotBefore and NotOnOrAfter) by `ms`, leaving the subject confirmation. */
export function shiftConditions(xml: string, ms: number, idpKey: SigningKey): string {
  const shift = (element: Element, name: string) => {
    const value = element.getAttribute(name);
    if (value) element.setAttribute(name, new Date(new Date(value).getTime() + ms).toISOString());
  };
  return resign(
    edit(xml, (_d, _r, assertion) => {
      const conditions = first(assertion, SAML, 'Conditions');
      shift(conditions, 'NotBefore');
      shift(conditions, 'NotOnOrAfter');
    }),
    idpKey,
  );
}

/** An IdP reporting failure: top-level Responder with a nested AuthnFailed. Not re-signed: status is refused first. */
export function setStatus(xml: string, topLevel: string, nested: string): string {
  return edit(xml, (doc, response) => {
    const code = first(response, SAMLP, 'StatusCode');
    code.setAttribute('Value', topLevel);
    const inner = doc.createElementNS(SAMLP, 'samlp:StatusCode');
    inner.setAttribute('Value', nested);
    code.appendChild(inner);
  });
}

/** Replaces the key-transport algorithm of an EncryptedAssertion (RSA PKCS#1 v1.5 is Bleichenbacher-prone). */
export const weakenKeyTransport = (xml: string) => xml.replace('http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p', 'http://www.w3.org/2001/04/xmlenc#rsa-1_5');

// ---- signature wrapping (Somorovsky et al., "On Breaking SAML", 2012) ----------------------

const EVIL_NAME_ID = 'attacker@evil.example';

function evilCopy(assertion: Element, id: string, keepSignature: boolean): Element {
  const copy = assertion.cloneNode(true) as Element;
  copy.setAttribute('ID', id);
  first(copy, SAML, 'NameID').textContent = EVIL_NAME_ID;
  const signature = ownSignature(copy);
  if (signature && !keepSignature) copy.removeChild(signature);
  return copy;
}

function withoutSignature(element: Element): Element {
  const copy = element.cloneNode(true) as Element;
  const signature = ownSignature(copy);
  if (signature) copy.removeChild(signature);
  return copy;
}

/** XSW1 (Response signature): the signed original Response is moved into the Signature; the root is an evil Response. */
export function xsw1(xml: string): string {
  return edit(xml, (_doc, response, assertion) => {
    const original = withoutSignature(response);
    const signature = ownSignature(response);
    if (!signature) throw new Error('xsw1 needs a signed Response');
    signature.appendChild(original);
    response.setAttribute('ID', '_evil_response');
    first(assertion, SAML, 'NameID').textContent = EVIL_NAME_ID;
  });
}

/** XSW2 (Response signature): as XSW1, the original Response placed before the Signature, a detached signature. */
export function xsw2(xml: string): string {
  return edit(xml, (_doc, response, assertion) => {
    const original = withoutSignature(response);
    const signature = ownSignature(response);
    if (!signature) throw new Error('xsw2 needs a signed Response');
    response.insertBefore(original, signature);
    response.setAttribute('ID', '_evil_response');
    first(assertion, SAML, 'NameID').textContent = EVIL_NAME_ID;
  });
}

/** XSW3: an unsigned evil Assertion inserted before the signed one, as a sibling. */
export function xsw3(xml: string): string {
  return edit(xml, (_doc, response, assertion) => {
    response.insertBefore(evilCopy(assertion, '_evil_assertion', false), assertion);
  });
}

/** XSW4: the signed Assertion moved inside an evil Assertion. */
export function xsw4(xml: string): string {
  return edit(xml, (_doc, response, assertion) => {
    const evil = evilCopy(assertion, '_evil_assertion', false);
    response.replaceChild(evil, assertion);
    evil.appendChild(assertion);
  });
}

/** XSW5: the evil Assertion keeps the original Signature; an unsigned copy of the original is appended to the Response. */
export function xsw5(xml: string): string {
  return edit(xml, (_doc, response, assertion) => {
    const evil = evilCopy(assertion, '_evil_assertion', true);
    response.replaceChild(evil, assertion);
    response.appendChild(withoutSignature(assertion));
  });
}

/** XSW6: the evil Assertion keeps the Signature, and the original Assertion is moved inside that Signature. */
export function xsw6(xml: string): string {
  return edit(xml, (_doc, response, assertion) => {
    const evil = evilCopy(assertion, '_evil_assertion', true);
    response.replaceChild(evil, assertion);
    ownSignature(evil)?.appendChild(withoutSignature(assertion));
  });
}

/** XSW7: the signed Assertion moved into an Extensions element; an unsigned evil Assertion takes its place. */
export function xsw7(xml: string): string {
  return edit(xml, (doc, response, assertion) => {
    const extensions = doc.createElementNS(SAMLP, 'samlp:Extensions');
    response.replaceChild(evilCopy(assertion, '_evil_assertion', false), assertion);
    extensions.appendChild(assertion);
    response.insertBefore(extensions, first(response, SAMLP, 'Status'));
  });
}

/** XSW8: the evil Assertion keeps the Signature; the original, unsigned, sits in a ds:Object inside it. */
export function xsw8(xml: string): string {
  return edit(xml, (doc, response, assertion) => {
    const evil = evilCopy(assertion, '_evil_assertion', true);
    response.replaceChild(evil, assertion);
    const object = doc.createElementNS(DS, 'ds:Object');
    object.appendChild(withoutSignature(assertion));
    ownSignature(evil)?.appendChild(object);
  });
}
