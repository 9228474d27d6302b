/**
 * `bulkId:<bulkId>` references (RFC 7644 §3.7.2): how one operation of a Bulk request names the
 * resource another operation's POST creates, before anyone knows its id.
 *
 * A reference is `bulkId:` and the bulkId standing as a whole string (a member's `value`, a bare
 * manager id), as the last segment of a path or URL (an operation's `path`, a `$ref`), or between
 * double quotes (a value in a PATCH path filter such as `members[value eq "bulkId:x"]`). Other text
 * that merely contains "bulkId:" is data, and object keys are attribute names, never references.
 */
import { isPlainObject, setOwn, type JsonObject } from '../resource/index.ts';

/** What a bulkId may be: the characters that end a reference cannot be part of one. */
export const BULK_ID_PATTERN = /^[^\s"/?#\]]+$/;

const REFERENCE = /(?<=^|[/"])bulkId:([^\s"/?#\]]+)(?=$|["/?#\]])/gi;
const WHOLE_REFERENCE = /^bulkId:([^\s"/?#\]]+)$/i;

/**
 * Nesting beyond this is not searched. No SCIM resource comes near it, the handler refuses such a
 * body anyway, and a recursive walk must not be what overflows the stack on a hostile one.
 */
const MAX_DEPTH = 64;

/** The bulkId a path segment such as `bulkId:qwerty` refers to, if it is a reference. */
export function bulkIdOfPath(segment: string): string | undefined {
  return WHOLE_REFERENCE.exec(segment)?.[1];
}

/** Every bulkId `value` refers to, each once, in order of first appearance. */
export function referencesIn(value: unknown): string[] {
  const found = new Set<string>();
  visitStrings(value, 0, (text) => {
    for (const match of text.matchAll(REFERENCE)) found.add(match[1]!);
  });
  return [...found];
}

/** Whether `value` holds a reference to a bulkId that `matches`. */
function refersTo(value: unknown, matches: (bulkId: string) => boolean): boolean {
  return referencesIn(value).some(matches);
}

/** A copy of `value` with every reference replaced by the id `idOf` gives for its bulkId. */
export function replaceReferences(value: unknown, idOf: (bulkId: string) => string, depth = 0): unknown {
  if (typeof value === 'string') return value.replace(REFERENCE, (_match, bulkId: string) => idOf(bulkId));
  if (depth >= MAX_DEPTH) return value;
  if (Array.isArray(value)) return value.map((item) => replaceReferences(item, idOf, depth + 1));
  if (isPlainObject(value)) {
    const copy: JsonObject = {};
    for (const [key, item] of Object.entries(value)) setOwn(copy, key, replaceReferences(item, idOf, depth + 1));
    return copy;
  }
  return value;
}

/** A PATCH `add` that puts back what {@link holdBack} took out of a create. */
export interface HeldBack {
  readonly op: 'add';
  readonly path: string;
  readonly value: unknown;
}

/**
 * RFC 7644 §3.7.1's way out of a circular reference: create the resource without the attributes
 * that refer to a resource not created yet, and add them once it is. Returns the body to create
 * and the PATCH operations to send afterwards.
 *
 * Of a multi-valued attribute only the referring elements are held back (the group is created
 * with its other members); any other attribute is held back whole. An extension's attributes are
 * split one level down, so the rest of the extension is created at once: the held-back path is
 * then URN-qualified (`urn:…:User:manager`), as PATCH paths for extensions are.
 */
export function holdBack(data: JsonObject, pending: (bulkId: string) => boolean): { data: JsonObject; later: HeldBack[] } {
  const later: HeldBack[] = [];
  const split = (into: JsonObject, name: string, value: unknown, path: string) => {
    if (!refersTo(value, pending)) {
      setOwn(into, name, value);
      return;
    }
    if (!Array.isArray(value)) {
      later.push({ op: 'add', path, value });
      return;
    }
    const stays = value.filter((item) => !refersTo(item, pending));
    if (stays.length > 0) setOwn(into, name, stays);
    later.push({ op: 'add', path, value: value.filter((item) => refersTo(item, pending)) });
  };

  const kept: JsonObject = {};
  for (const [name, value] of Object.entries(data)) {
    if (!/^urn:/i.test(name) || !isPlainObject(value)) {
      split(kept, name, value, name);
      continue;
    }
    const extension: JsonObject = {};
    for (const [sub, subValue] of Object.entries(value)) split(extension, sub, subValue, `${name}:${sub}`);
    if (Object.keys(extension).length > 0) setOwn(kept, name, extension);
  }
  return { data: kept, later };
}

function visitStrings(value: unknown, depth: number, visit: (text: string) => void): void {
  if (typeof value === 'string') {
    visit(value);
    return;
  }
  if (depth >= MAX_DEPTH) return;
  if (Array.isArray(value)) {
    for (const item of value) visitStrings(item, depth + 1, visit);
  } else if (isPlainObject(value)) {
    for (const item of Object.values(value)) visitStrings(item, depth + 1, visit);
  }
}
