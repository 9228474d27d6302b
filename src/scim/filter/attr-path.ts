/**
 * The lexical rules of attribute paths (RFC 7644 §3.4.2.2, RFC 7643 §2.1):
 * `attrPath = [URI ":"] ATTRNAME ["." ATTRNAME]`, `ATTRNAME = ALPHA *("-" / "_" / DIGIT / ALPHA)`,
 * plus `$ref`, which RFC 7643 uses as a sub-attribute name although ATTRNAME does not allow it.
 */

import type { AttrPath } from './ast.ts';

const ATTR_NAME = /^(?:[A-Za-z][A-Za-z0-9_-]*|\$ref)$/i;
// Schema URNs in SCIM are `urn:` followed by colon-separated segments such as `2.0`; anything
// richer (RFC 8141 allows much more) is not a schema any SCIM service publishes.
const URN_SEGMENT = /^[A-Za-z0-9._-]+$/;

function isAttrName(text: string): boolean {
  return ATTR_NAME.test(text);
}

/** A path starts like an attribute name (a letter) or like `$ref`. */
export function isPathStart(ch: string | undefined): boolean {
  return ch !== undefined && /^[A-Za-z$]$/.test(ch);
}

/** Every character that can occur in a path, URN included, so a path is scanned as one word. */
export function isPathChar(ch: string | undefined): boolean {
  return ch !== undefined && /^[A-Za-z0-9_$:.-]$/.test(ch);
}

/** Index just past the run of path characters starting at `start`. */
export function scanPathWord(input: string, start: number): number {
  let end = start;
  while (isPathChar(input[end])) end += 1;
  return end;
}

export type SplitResult = { ok: true; value: AttrPath } | { ok: false; reason: string };

/**
 * Splits a scanned word into schema, attribute and sub-attribute. The URN is everything before the
 * last colon: URNs contain dots (`2.0`) but attribute names never contain colons, so that is the
 * only unambiguous cut.
 */
export function splitAttrPath(word: string): SplitResult {
  const colon = word.lastIndexOf(':');
  const schema = colon >= 0 ? word.slice(0, colon) : undefined;
  const rest = colon >= 0 ? word.slice(colon + 1) : word;

  if (schema !== undefined) {
    const reason = checkSchema(schema);
    if (reason !== undefined) return { ok: false, reason };
    if (rest === '') return { ok: false, reason: 'an attribute name must follow the schema URN' };
  }

  const names = rest.split('.');
  const bad = names.find((name) => !isAttrName(name));
  if (bad !== undefined) return { ok: false, reason: describeBadName(bad) };
  if (names.length > 2) {
    return {
      ok: false,
      reason: 'an attribute path has at most one sub-attribute, as in "name.familyName"',
    };
  }
  const [attr = '', subAttr] = names;

  return {
    ok: true,
    value: {
      ...(schema !== undefined && { schema }),
      attr,
      ...(subAttr !== undefined && { subAttr }),
    },
  };
}

function checkSchema(schema: string): string | undefined {
  const segments = schema.split(':');
  if (segments[0]?.toLowerCase() !== 'urn' || segments.length < 2) {
    return 'a schema prefix must be a URN starting with "urn:"';
  }
  if (!segments.every((segment) => URN_SEGMENT.test(segment))) {
    return `the schema URN "${schema}" has an empty or malformed segment`;
  }
  return undefined;
}

function describeBadName(name: string): string {
  if (name === '') return 'an attribute name is missing around "."';
  return `"${name}" is not an attribute name (a letter, then letters, digits, "-" or "_")`;
}
