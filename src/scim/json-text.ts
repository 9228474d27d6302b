/**
 * Checks on a JSON request body that JSON.parse does not make: how deeply it nests, and whether
 * its text can be stored. PostgreSQL refuses NUL in text and jsonb, and an unpaired surrogate
 * (`"\ud800"` alone) is no character at all; either would otherwise fail a statement later (a
 * 500) or be replaced silently.
 */

/** Arrays and objects nested deeper than this are refused; no SCIM message comes near it. */
export const MAX_JSON_DEPTH = 32;

/**
 * The 0-based position of the first `[` or `{` that opens a level deeper than `maxDepth`, or
 * undefined. One pass over the text, before it is parsed, so no recursive walk ever meets an
 * unbounded depth. Brackets inside strings do not count; the text need not be valid JSON.
 */
export function excessiveNestingAt(text: string, maxDepth = MAX_JSON_DEPTH): number | undefined {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (inString) {
      if (code === 0x5c /* \ */) i += 1;
      else if (code === 0x22 /* " */) inString = false;
      continue;
    }
    if (code === 0x22) inString = true;
    else if (code === 0x5b /* [ */ || code === 0x7b /* { */) {
      depth += 1;
      if (depth > maxDepth) return i;
    } else if (code === 0x5d /* ] */ || code === 0x7d /* } */) depth -= 1;
  }
  return undefined;
}

// A surrogate the `u` flag does not pair with its neighbour is unpaired.
const NUL_OR_LONE_SURROGATE = /[\u0000\uD800-\uDFFF]/u; // eslint-disable-line no-control-regex -- NUL is what it looks for

/** Whether `text` holds NUL or an unpaired surrogate. */
function isUnstorableText(text: string): boolean {
  return NUL_OR_LONE_SURROGATE.test(text);
}

/**
 * Why some string or member name in parsed JSON cannot be stored, or undefined when all can.
 * Call it only on data whose depth {@link excessiveNestingAt} has bounded.
 */
export function unstorableTextIn(value: unknown): string | undefined {
  const found = findUnstorable(value);
  if (found === undefined) return undefined;
  const where = found.path.length === 0 ? 'the body' : `the body at ${found.path.reverse().join('')}`;
  return `${found.inName ? 'a member name in ' : ''}${where} holds ${describe(found.text)}`;
}

interface Unstorable {
  readonly text: string;
  readonly inName: boolean;
  /** Innermost first; built only on the way back from a find, so a clean body costs no labels. */
  readonly path: string[];
}

function findUnstorable(value: unknown): Unstorable | undefined {
  if (typeof value === 'string') return isUnstorableText(value) ? { text: value, inName: false, path: [] } : undefined;
  if (typeof value !== 'object' || value === null) return undefined;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = findUnstorable(value[i]);
      if (found !== undefined) {
        found.path.push(`[${i}]`);
        return found;
      }
    }
    return undefined;
  }
  for (const [key, item] of Object.entries(value)) {
    if (isUnstorableText(key)) return { text: key, inName: true, path: [] };
    const found = findUnstorable(item);
    if (found !== undefined) {
      found.path.push(`.${key.slice(0, 64)}`);
      return found;
    }
  }
  return undefined;
}

function describe(text: string): string {
  return text.includes('\u0000') ? 'a NUL character (U+0000)' : 'an unpaired UTF-16 surrogate';
}
