// node-saml's own decryption helper, the one validatePostResponseAsync uses. It is not on the
// package's index, but using it means Roster decrypts exactly as the verifier will, with no second
// XML-encryption library; @node-saml/node-saml is pinned to 5.x in package.json.
import { decryptXml } from '@node-saml/node-saml/lib/xml.js';
import { NS } from './constants.ts';
import { checkAssertionShape } from './assertion-shape.ts';
import { parseXmlStrictly, screenXmlText } from './xml-safety.ts';
import { refuse } from './types.ts';
import type { ValidationResult } from './types.ts';

/**
 * Decrypts an EncryptedAssertion to check what is inside before node-saml verifies it: node-saml
 * decrypts internally and lets xml-crypto accept SHA-1 and nested elements there, so the decrypted
 * Assertion gets the same shape and algorithm checks as a plain one. Costs one extra RSA decryption.
 */
export async function inspectEncryptedAssertion(encrypted: Element, privateKeyPem: string): Promise<ValidationResult<{ signed: boolean }>> {
  let xml: string;
  try {
    xml = await decryptXml(encrypted.toString(), privateKeyPem);
  } catch (error) {
    return refuse('decryption_failed', `the assertion does not decrypt with this connection's SP key: ${(error as Error).message}`);
  }
  const screened = screenXmlText(xml);
  if (!screened.ok) return screened;
  const parsed = parseXmlStrictly(screened.value);
  if (!parsed.ok) return parsed;
  const root = parsed.value.root;
  if (root.namespaceURI !== NS.assertion || root.localName !== 'Assertion') return refuse('malformed', 'the EncryptedAssertion does not hold an Assertion');
  return checkAssertionShape(root);
}
