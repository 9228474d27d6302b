/**
 * JSON string and number literals, as RFC 7644 borrows them from RFC 7159 for comparison values.
 * Decoded here by hand rather than with JSON.parse so that an error can say which character and
 * which position was wrong.
 */

import { isPathChar } from './attr-path.ts';

export type LiteralScan<T> =
  | { ok: true; value: T; end: number }
  | { ok: false; detail: string };

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  '"': '"',
  '\\': '\\',
  '/': '/',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
};

/** Reads the string literal whose opening quote is at `start`. */
export function scanString(input: string, start: number): LiteralScan<string> {
  let value = '';
  let i = start + 1;
  while (i < input.length) {
    const ch = input[i] as string;
    if (ch === '"') return storable(value, start, i + 1);
    if (ch === '\\') {
      const escaped = readEscape(input, i);
      if (!escaped.ok) return escaped;
      value += escaped.value;
      i = escaped.end;
      continue;
    }
    const code = ch.charCodeAt(0);
    if (code < 0x20) {
      return {
        ok: false,
        detail: `control character ${unicodeName(code)} at position ${i} must be escaped inside a string`,
      };
    }
    value += ch;
    i += 1;
  }
  return { ok: false, detail: `unterminated string starting at position ${start}` };
}

// After decoding: `\u0000` and a `\ud800` without its pair are text no column can hold and
// no stored value can equal, so a filter or path carrying one is refused, not run.
const NUL_OR_LONE_SURROGATE = /[\u0000\uD800-\uDFFF]/u; // eslint-disable-line no-control-regex -- NUL is what it looks for

function storable(value: string, start: number, end: number): LiteralScan<string> {
  const found = NUL_OR_LONE_SURROGATE.exec(value);
  if (found === null) return { ok: true, value, end };
  const what = found[0] === '\u0000' ? 'a NUL character (U+0000)' : 'an unpaired UTF-16 surrogate';
  return { ok: false, detail: `the string starting at position ${start} holds ${what}, which is not text` };
}

function readEscape(input: string, at: number): LiteralScan<string> {
  const kind = input[at + 1];
  if (kind === undefined) {
    return { ok: false, detail: `unterminated escape "\\" at position ${at}` };
  }
  const simple = SIMPLE_ESCAPES[kind];
  if (simple !== undefined) return { ok: true, value: simple, end: at + 2 };
  if (kind === 'u') {
    const hex = input.slice(at + 2, at + 6);
    if (!/^[0-9A-Fa-f]{4}$/.test(hex)) {
      return {
        ok: false,
        detail: `invalid escape at position ${at}: "\\u" must be followed by four hexadecimal digits`,
      };
    }
    // Surrogate halves are kept one by one, as JSON does: a pair re-forms the character.
    return { ok: true, value: String.fromCharCode(Number.parseInt(hex, 16)), end: at + 6 };
  }
  return {
    ok: false,
    detail: `invalid escape "\\${kind}" at position ${at}; a string allows \\" \\\\ \\/ \\b \\f \\n \\r \\t and \\uXXXX`,
  };
}

const JSON_NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;

/** Reads the number literal starting at `start` (a digit or "-"). */
export function scanNumber(input: string, start: number): LiteralScan<number> {
  JSON_NUMBER.lastIndex = start;
  const match = JSON_NUMBER.exec(input);
  const end = match === null ? start : start + match[0].length;
  // `01`, `1.`, `1e`, `12abc`, `-x`: the literal must not run on into other word characters.
  if (match === null || isPathChar(input[end]) || input[end] === '+') {
    return { ok: false, detail: `invalid number "${runAt(input, start)}" at position ${start}` };
  }
  const value = Number(match[0]);
  if (!Number.isFinite(value)) {
    return { ok: false, detail: `number "${match[0]}" at position ${start} is out of range` };
  }
  return { ok: true, value, end };
}

function runAt(input: string, start: number): string {
  let end = start + 1;
  while (isPathChar(input[end]) || input[end] === '+') end += 1;
  return input.slice(start, end);
}

function unicodeName(code: number): string {
  return `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
}
