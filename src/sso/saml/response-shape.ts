import { ALLOWED_BLOCK_ENCRYPTION, ALLOWED_KEY_TRANSPORT } from './algorithms.ts';
import { NS, STATUS_SUCCESS } from './constants.ts';
import { allElements, attribute, childElements, descendants, onlyChild } from './dom.ts';
import { checkAssertionShape } from './assertion-shape.ts';
import { checkSignatureShape } from './signature-shape.ts';
import { refuse } from './types.ts';
import type { ValidationResult } from './types.ts';

export interface ResponseShape {
  responseSigned: boolean;
  /** The one Assertion, when it is not encrypted. */
  assertion: Element | undefined;
  /** Whether the plain Assertion carries its own signature; undefined until an encrypted one is decrypted. */
  assertionSigned: boolean | undefined;
  encryptedAssertion: Element | undefined;
}

/**
 * The shape every accepted Response has, checked on the document as posted and before any
 * signature is verified. These are the checks that make signature wrapping (XSW) structurally
 * impossible rather than relying on which node a verifier happens to look at:
 * - IDs are unique, so a Reference names exactly one element;
 * - the one Assertion (plain or encrypted) is a direct child of the Response, and no Assertion
 *   hides in Signature/Object, Extensions, another Assertion or anywhere else;
 * - a Signature sits only on the Response or on that Assertion and signs exactly its parent.
 * node-saml checks some of this itself (one Assertion at /Response/Assertion, reference to the
 * parent) but ignores Assertions elsewhere and reports everything as "Invalid signature".
 */
export function checkResponseShape(root: Element): ValidationResult<ResponseShape> {
  if (root.namespaceURI !== NS.protocol || root.localName !== 'Response') return refuse('malformed', `the root element is ${root.localName}, not samlp:Response`);
  if (attribute(root, 'Version') !== '2.0') return refuse('malformed', 'not a SAML 2.0 Response');

  // Status first: an IdP reporting an error sends no assertion, and its status code is what the
  // admin needs to see. Refusing on an unsigned status is safe; accepting on one never happens.
  const status = onlyChild(root, NS.protocol, 'Status');
  const code = status ? onlyChild(status, NS.protocol, 'StatusCode') : undefined;
  const value = code ? attribute(code, 'Value') : undefined;
  if (value !== STATUS_SUCCESS) {
    const nested = code ? onlyChild(code, NS.protocol, 'StatusCode') : undefined;
    const message = status ? onlyChild(status, NS.protocol, 'StatusMessage')?.textContent : undefined;
    const detail = [value ?? 'no status code', nested ? attribute(nested, 'Value') : undefined, message ?? undefined].filter(Boolean).join(' / ');
    return refuse('status_not_success', detail);
  }

  const seen = new Set<string>();
  for (const element of [root, ...allElements(root)]) {
    for (const name of ['ID', 'Id', 'id']) {
      const id = attribute(element, name);
      if (id === undefined) continue;
      if (seen.has(id)) return refuse('wrapped', `the ID ${id} appears more than once`);
      seen.add(id);
    }
  }

  const plain = childElements(root, NS.assertion, 'Assertion');
  const encrypted = childElements(root, NS.assertion, 'EncryptedAssertion');
  const everywhere = descendants(root, NS.assertion, 'Assertion').length + descendants(root, NS.assertion, 'EncryptedAssertion').length;
  if (everywhere !== plain.length + encrypted.length) return refuse('wrapped', 'an Assertion outside its place as a child of the Response');
  if (plain.length + encrypted.length > 1) return refuse('multiple_assertions', `${plain.length + encrypted.length} assertions in one Response`);
  const assertion = plain[0];
  const encryptedAssertion = encrypted[0];
  if (!assertion && !encryptedAssertion) return refuse('malformed', 'a successful Response without an Assertion');

  const responseSignatures = childElements(root, NS.dsig, 'Signature');
  const assertionSignatures = assertion ? childElements(assertion, NS.dsig, 'Signature') : [];
  const allSignatures = descendants(root, NS.dsig, 'Signature');
  // Signatures inside the encrypted assertion are not visible yet; checked after decryption.
  if (allSignatures.length !== responseSignatures.length + assertionSignatures.length) return refuse('wrapped', 'a Signature outside the Response or the Assertion');
  if (responseSignatures.length > 1) return refuse('wrapped', 'a Response with several Signatures');
  const responseSignature = responseSignatures[0];
  if (responseSignature) {
    const problem = checkSignatureShape(responseSignature);
    if (problem) return problem;
  }

  if (assertion) {
    const checked = checkAssertionShape(assertion);
    if (!checked.ok) return checked;
    return { ok: true, value: { responseSigned: !!responseSignature, assertion, assertionSigned: checked.value.signed, encryptedAssertion: undefined } };
  }
  const encryption = checkEncryptionAlgorithms(encryptedAssertion as Element);
  if (encryption) return encryption;
  return { ok: true, value: { responseSigned: !!responseSignature, assertion: undefined, assertionSigned: undefined, encryptedAssertion } };
}

function checkEncryptionAlgorithms(encryptedAssertion: Element) {
  const methods = descendants(encryptedAssertion, NS.xmlenc, 'EncryptionMethod');
  if (methods.length === 0) return refuse('malformed', 'an EncryptedAssertion without EncryptionMethod');
  for (const method of methods) {
    const algorithm = attribute(method, 'Algorithm') ?? '';
    const owner = (method.parentNode as Element | null)?.localName;
    const allowed = owner === 'EncryptedKey' ? ALLOWED_KEY_TRANSPORT : ALLOWED_BLOCK_ENCRYPTION;
    if (!allowed.has(algorithm)) return refuse('weak_algorithm', `encryption algorithm ${algorithm || 'missing'} is not allowed`);
  }
  return undefined;
}
