/**
 * What of a SCIM request body the request log may keep: the JSON with every password removed,
 * cut to a size that keeps a 10,000-member PATCH from bloating the table. Bodies that are not
 * JSON are never stored, only described: their text could hold a password nobody could find.
 *
 * This runs for every request, so it avoids work it can prove useless: a body with nothing to
 * remove is stored as parsed, not copied, and a long one that cannot contain a password is cut
 * from its text rather than rebuilt.
 */

import { loggableFilter } from './filter.ts';

/** Largest body the log stores, in bytes of JSON text. */
export const DEFAULT_LOGGED_BODY_BYTES = 64 * 1024;

/** Nesting beyond this is replaced by a marker; no SCIM resource comes near it. */
const MAX_DEPTH = 64;
const TOO_DEEP = '[nested too deeply]';

/** A stored body that is not the request's JSON carries this key, saying why. */
export const BODY_MARKER_KEY = '_roster';

/** Markers stored in place of a body the log does not keep as is. */
export type BodyMarker =
  | { [BODY_MARKER_KEY]: 'truncated'; bytes: number; preview: string }
  | { [BODY_MARKER_KEY]: 'not JSON'; contentType: string | null; bytes: number }
  | { [BODY_MARKER_KEY]: 'unreadable' };

// A password member may hide behind a JSON escape (`"p\u0061ssword"`), so any escape counts.
const MAY_HOLD_PASSWORD = /password|\\u/i;

/**
 * The body as the log stores it: undefined for an empty body, the redacted JSON when it fits in
 * `maxBytes`, a marker otherwise.
 */
export function loggableBody(text: string, contentType: string | null, maxBytes: number): unknown {
  if (text.trim() === '') return undefined;
  const bytes = Buffer.byteLength(text, 'utf8');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { [BODY_MARKER_KEY]: 'not JSON', contentType: contentType === null ? null : clean(contentType), bytes };
  }
  if (bytes > maxBytes && !MAY_HOLD_PASSWORD.test(text)) {
    return { [BODY_MARKER_KEY]: 'truncated', bytes, preview: prefixOfBytes(text, maxBytes) };
  }
  const redacted = redact(parsed);
  if (bytes <= maxBytes && redacted === parsed) return parsed;
  const json = JSON.stringify(redacted);
  const redactedBytes = Buffer.byteLength(json, 'utf8');
  if (redactedBytes <= maxBytes) return redacted;
  return { [BODY_MARKER_KEY]: 'truncated', bytes: redactedBytes, preview: prefixOfBytes(json, maxBytes) };
}

/**
 * The value without any `password` member (any case, schema-qualified or not, any depth), without
 * the `value` of a PATCH operation whose `path` (that member in any case) names the password, and
 * with the values a `filter` member compares with a password redacted (a SearchRequest's filter
 * is logged with its body). Strings are also made storable: PostgreSQL
 * refuses NUL characters and unpaired surrogates, and one such entry would fail its whole batch.
 * Returns the value itself when nothing had to change.
 */
export function redact(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return clean(value);
  if (value === null || typeof value !== 'object') return value;
  if (depth >= MAX_DEPTH) return TOO_DEEP;
  return Array.isArray(value) ? redactArray(value, depth) : redactObject(value as Record<string, unknown>, depth);
}

function redactArray(source: unknown[], depth: number): unknown[] {
  let copy: unknown[] | undefined;
  for (let i = 0; i < source.length; i++) {
    const item = source[i];
    const redacted = redact(item, depth + 1);
    if (copy === undefined && redacted !== item) copy = source.slice(0, i);
    copy?.push(redacted);
  }
  return copy ?? source;
}

function redactObject(source: Record<string, unknown>, depth: number): Record<string, unknown> {
  const keys = Object.keys(source);
  const setsPassword = keys.some((key) => isNamed(key, 'path') && namesPassword(source[key]));
  let copy: Record<string, unknown> | undefined;
  for (let i = 0; i < keys.length; i++) {
    const rawKey = keys[i]!;
    const key = clean(rawKey);
    const dropped = PASSWORD_PATH.test(key) || (setsPassword && isNamed(key, 'value'));
    const item = source[rawKey];
    const redacted = dropped ? undefined : isNamed(key, 'filter') && typeof item === 'string' ? loggableFilter(clean(item)) : redact(item, depth + 1);
    if (copy === undefined && (dropped || key !== rawKey || redacted !== item)) {
      copy = {};
      for (const earlier of keys.slice(0, i)) define(copy, earlier, source[earlier]);
    }
    if (copy !== undefined && !dropped) define(copy, key, redacted);
  }
  return copy ?? source;
}

function isNamed(key: string, name: string): boolean {
  return key.length === name.length && key.toLowerCase() === name;
}

// Defined, not assigned: a member named "__proto__" stays data instead of becoming a prototype.
function define(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

// `password` alone or as the last part of a schema-qualified name (`urn:…:User:password`), as a
// member name or as a PATCH path; a path may be padded with spaces.
const PASSWORD_PATH = /(^|:)\s*password\s*$/i;

function namesPassword(path: unknown): boolean {
  return typeof path === 'string' && PASSWORD_PATH.test(path.trim());
}

const MAY_BE_UNSTORABLE = /[\u0000\uD800-\uDFFF]/; // eslint-disable-line no-control-regex -- NUL is what it looks for
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** The text without the characters PostgreSQL cannot store in text or jsonb. */
export function clean(text: string): string {
  if (!MAY_BE_UNSTORABLE.test(text)) return text;
  return text.replaceAll('\u0000', '').replace(LONE_SURROGATE, '\uFFFD');
}

/** The longest prefix of `text` that fits in `maxBytes` of UTF-8 without splitting a character. */
function prefixOfBytes(text: string, maxBytes: number): string {
  const cut = Buffer.from(text, 'utf8').subarray(0, maxBytes).toString('utf8');
  // A character split by the cut decodes as U+FFFD at the very end.
  return cut.endsWith('\uFFFD') && !text.startsWith(cut) ? cut.slice(0, -1) : cut;
}
