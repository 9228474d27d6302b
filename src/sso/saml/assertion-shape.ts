import { NS } from './constants.ts';
import { childElements, containsComment, descendants } from './dom.ts';
import { checkSignatureShape } from './signature-shape.ts';
import { refuse } from './types.ts';
import type { ValidationResult } from './types.ts';

/**
 * Structural checks on one Assertion (plain, or just decrypted) before its signature is verified.
 * Returns whether it carries a signature of its own.
 *
 * A comment inside NameID is the CVE-2017-11428 family: canonicalisation drops comments, so the IdP
 * signed "user@acme.com.evil.com" while a DOM reader that takes the first text node sees
 * "user@acme.com". Roster reads the whole text, but an IdP never sends a comment there, so the
 * response is refused rather than interpreted.
 */
export function checkAssertionShape(assertion: Element): ValidationResult<{ signed: boolean }> {
  if (descendants(assertion, NS.assertion, 'Assertion').length > 0 || descendants(assertion, NS.assertion, 'EncryptedAssertion').length > 0) {
    return refuse('wrapped', 'an Assertion inside an Assertion');
  }
  for (const nameId of descendants(assertion, NS.assertion, 'NameID')) {
    if (containsComment(nameId)) return refuse('comment_in_name_id', 'NameID contains an XML comment');
  }
  const signatures = descendants(assertion, NS.dsig, 'Signature');
  const own = childElements(assertion, NS.dsig, 'Signature');
  if (signatures.length !== own.length) return refuse('wrapped', 'a Signature nested inside the Assertion');
  if (own.length > 1) return refuse('wrapped', 'an Assertion with several Signatures');
  const signature = own[0];
  if (signature) {
    const problem = checkSignatureShape(signature);
    if (problem) return problem;
  }
  return { ok: true, value: { signed: signature !== undefined } };
}
