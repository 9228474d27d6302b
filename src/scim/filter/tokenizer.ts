/**
 * Turns filter or path text into tokens, each with its position for error messages.
 *
 * Keywords (operators, `and`, `or`, `not`, `true`, `false`, `null`) are recognised without regard
 * to case, as RFC 7644 requires, and are therefore reserved: an attribute cannot be named `and`.
 * Whitespace between tokens is optional where the result is unambiguous (`(a pr)and(b pr)`);
 * RFC 7644 asks clients for single spaces but real clients wrap and pad.
 */

import type { AttrPath, CompareOp } from './ast.ts';
import { isPathStart, scanPathWord, splitAttrPath } from './attr-path.ts';
import { scanNumber, scanString } from './literals.ts';

interface Positioned {
  /** 0-based offset of the first character. */
  readonly start: number;
  /** 0-based offset just past the last character. */
  readonly end: number;
}

export type Token = Positioned &
  (
    | { readonly kind: 'attrPath'; readonly text: string; readonly path: AttrPath }
    | { readonly kind: 'compareOp'; readonly text: string; readonly op: CompareOp }
    | { readonly kind: 'pr' | 'and' | 'or' | 'not'; readonly text: string }
    | { readonly kind: 'string'; readonly text: string; readonly value: string }
    | { readonly kind: 'number'; readonly text: string; readonly value: number }
    | { readonly kind: 'boolean'; readonly text: string; readonly value: boolean }
    | { readonly kind: 'null'; readonly text: string }
    | { readonly kind: '(' | ')' | '[' | ']' | '.'; readonly text: string }
    | { readonly kind: 'end'; readonly text: '' }
  );

export type TokenizeResult =
  | { ok: true; tokens: readonly Token[] }
  | { ok: false; detail: string };

const COMPARE_OPS: ReadonlySet<string> = new Set<CompareOp>([
  'eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le',
]);

const PUNCTUATION: ReadonlySet<string> = new Set(['(', ')', '[', ']', '.']);

const WHITESPACE: ReadonlySet<string> = new Set([' ', '\t', '\n', '\r']);

// Single quotes and the typographic quotes that word processors substitute for '"'.
const QUOTE_HINTS: ReadonlySet<string> = new Set(["'", '\u2018', '\u2019', '\u201C', '\u201D']);

/** The token list always ends with one `end` token, so the parser can look ahead without checks. */
export function tokenize(input: string): TokenizeResult {
  const tokens: Token[] = [];
  let i = 0;
  while (i < input.length) {
    const ch = input[i] as string;
    if (WHITESPACE.has(ch)) {
      i += 1;
      continue;
    }
    const read = readToken(input, i, ch);
    if (!read.ok) return read;
    tokens.push(read.token);
    i = read.token.end;
  }
  tokens.push({ kind: 'end', text: '', start: input.length, end: input.length });
  return { ok: true, tokens };
}

type ReadResult = { ok: true; token: Token } | { ok: false; detail: string };

function readToken(input: string, start: number, ch: string): ReadResult {
  if (PUNCTUATION.has(ch)) {
    const kind = ch as '(' | ')' | '[' | ']' | '.';
    return { ok: true, token: { kind, text: ch, start, end: start + 1 } };
  }
  if (ch === '"') {
    const scanned = scanString(input, start);
    if (!scanned.ok) return scanned;
    const text = input.slice(start, scanned.end);
    return { ok: true, token: { kind: 'string', text, value: scanned.value, start, end: scanned.end } };
  }
  if (ch === '-' || (ch >= '0' && ch <= '9')) {
    const scanned = scanNumber(input, start);
    if (!scanned.ok) return scanned;
    const text = input.slice(start, scanned.end);
    return { ok: true, token: { kind: 'number', text, value: scanned.value, start, end: scanned.end } };
  }
  if (isPathStart(ch)) return readWord(input, start);
  return { ok: false, detail: describeStrayCharacter(input, start) };
}

function readWord(input: string, start: number): ReadResult {
  const end = scanPathWord(input, start);
  const text = input.slice(start, end);
  const keyword = keywordToken(text, start, end);
  if (keyword !== undefined) return { ok: true, token: keyword };

  const split = splitAttrPath(text);
  if (!split.ok) {
    return { ok: false, detail: `invalid attribute path "${text}" at position ${start}: ${split.reason}` };
  }
  return { ok: true, token: { kind: 'attrPath', text, path: split.value, start, end } };
}

function keywordToken(text: string, start: number, end: number): Token | undefined {
  const lower = text.toLowerCase();
  if (COMPARE_OPS.has(lower)) {
    return { kind: 'compareOp', text, op: lower as CompareOp, start, end };
  }
  switch (lower) {
    case 'pr':
    case 'and':
    case 'or':
    case 'not':
      return { kind: lower, text, start, end };
    case 'true':
    case 'false':
      return { kind: 'boolean', text, value: lower === 'true', start, end };
    case 'null':
      return { kind: 'null', text, start, end };
    default:
      return undefined;
  }
}

function describeStrayCharacter(input: string, at: number): string {
  const code = input.codePointAt(at) ?? 0;
  const ch = String.fromCodePoint(code);
  const hex = `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
  // Control and invisible characters are named by code point so the message itself stays readable.
  let shown = hex;
  if (/^[\x21-\x7e]$/.test(ch)) shown = `"${ch}"`;
  else if (/^[\p{L}\p{N}\p{P}\p{S}]$/u.test(ch)) shown = `"${ch}" (${hex})`;
  const hint = QUOTE_HINTS.has(ch) ? ' (strings are written in straight double quotes)' : '';
  return `unexpected character ${shown} at position ${at}${hint}`;
}
