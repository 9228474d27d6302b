import { ALLOWED_DIGEST_METHODS, ALLOWED_SIGNATURE_METHODS, ALLOWED_TRANSFORMS } from './algorithms.ts';
import { NS } from './constants.ts';
import { attribute, childElements, descendants, onlyChild } from './dom.ts';
import { refuse } from './types.ts';
import type { Refused } from './types.ts';

/**
 * Checks one enveloped signature before any cryptography: it must sign exactly its parent (one
 * Reference to the parent's ID) and name only allowed algorithms. node-saml checks the reference
 * too, but throws a generic error; checking here gives wrapping and weak algorithms their own
 * reason, and an algorithm is refused even when the IdP's key made the signature.
 */
export function checkSignatureShape(signature: Element): Refused | undefined {
  const parent = signature.parentNode as Element | null;
  const parentId = parent ? attribute(parent, 'ID') : undefined;
  const signedInfo = onlyChild(signature, NS.dsig, 'SignedInfo');
  if (!signedInfo || !parentId) return refuse('wrapped', 'a Signature without SignedInfo or outside an element with an ID');
  const references = childElements(signedInfo, NS.dsig, 'Reference');
  const reference = references[0];
  if (!reference || references.length !== 1) return refuse('wrapped', `a Signature with ${references.length} References`);
  if (attribute(reference, 'URI') !== `#${parentId}`) {
    return refuse('wrapped', `a Signature on ${parent?.localName} references ${attribute(reference, 'URI') ?? 'nothing'}, not its parent`);
  }

  const canonicalization = onlyChild(signedInfo, NS.dsig, 'CanonicalizationMethod');
  const method = onlyChild(signedInfo, NS.dsig, 'SignatureMethod');
  const digest = onlyChild(reference, NS.dsig, 'DigestMethod');
  const transforms = descendants(reference, NS.dsig, 'Transform');
  const named = (element: Element | undefined) => (element ? attribute(element, 'Algorithm') ?? '' : '');
  if (!ALLOWED_SIGNATURE_METHODS.has(named(method))) return refuse('weak_algorithm', `signature method ${named(method) || 'missing'} is not allowed`);
  if (!ALLOWED_DIGEST_METHODS.has(named(digest))) return refuse('weak_algorithm', `digest method ${named(digest) || 'missing'} is not allowed`);
  if (!ALLOWED_TRANSFORMS.has(named(canonicalization))) {
    return refuse('weak_algorithm', `canonicalization ${named(canonicalization) || 'missing'} is not allowed`);
  }
  for (const transform of transforms) {
    if (!ALLOWED_TRANSFORMS.has(named(transform))) return refuse('weak_algorithm', `transform ${named(transform)} is not allowed`);
  }
  return undefined;
}
