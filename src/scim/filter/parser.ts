/**
 * Entry points: text in, a result out. None of these throws, whatever the input: a malformed
 * filter or path is an ordinary client error with an RFC 7644 scimType.
 */

import type { AttrPath, FilterNode, PatchPath } from './ast.ts';
import { isPathStart, scanPathWord, splitAttrPath } from './attr-path.ts';
import { Grammar, GrammarError } from './grammar.ts';
import {
  DEFAULT_MAX_FILTER_DEPTH,
  DEFAULT_MAX_FILTER_LENGTH,
  type FilterParseOptions,
  type FilterScimType,
  type ParseResult,
} from './result.ts';
import { tokenize } from './tokenizer.ts';

/** Parses the `filter` query parameter or the `filter` of a SearchRequest. */
export function parseFilter(
  input: string,
  options?: FilterParseOptions,
): ParseResult<FilterNode, 'invalidFilter'> {
  return runGrammar(input, options, 'invalidFilter', 'filter', (grammar) => grammar.filter());
}

/** Parses the `path` of a PATCH operation: `attrPath` or `valuePath ["." subAttr]`. */
export function parsePatchPath(
  input: string,
  options?: FilterParseOptions,
): ParseResult<PatchPath, 'invalidPath'> {
  return runGrammar(input, options, 'invalidPath', 'path', (grammar) => grammar.patchPath());
}

/**
 * Parses one attribute path, as in `sortBy`. Without a filter around it there is no keyword to
 * clash with, so names such as `not` are accepted here.
 */
export function parseAttrPath(
  input: string,
  options?: FilterParseOptions,
): ParseResult<AttrPath, 'invalidPath'> {
  const invalid = checkInput(input, options, 'attribute path');
  if (invalid !== undefined) return fail('invalidPath', invalid);
  const start = skipSpaces(input, 0);
  if (start === input.length) return fail('invalidPath', 'the attribute path is empty');
  const read = readAttrPathAt(input, start, 'attribute path');
  if (!read.ok) return fail('invalidPath', read.detail);
  const after = skipSpaces(input, read.end);
  if (after !== input.length) {
    return fail(
      'invalidPath',
      `expected the end of the attribute path at position ${after}, found ${describeAt(input, after, 'attribute path')}`,
    );
  }
  return { ok: true, value: read.path };
}

/** Parses a comma-separated list of attribute paths, as in `attributes` and `excludedAttributes`. */
export function parseAttrPathList(
  input: string,
  options?: FilterParseOptions,
): ParseResult<readonly AttrPath[], 'invalidPath'> {
  const invalid = checkInput(input, options, 'attribute list');
  if (invalid !== undefined) return fail('invalidPath', invalid);

  const paths: AttrPath[] = [];
  let i = skipSpaces(input, 0);
  if (i === input.length) return { ok: true, value: paths };
  for (;;) {
    const read = readAttrPathAt(input, i, 'list');
    if (!read.ok) return fail('invalidPath', read.detail);
    paths.push(read.path);
    i = skipSpaces(input, read.end);
    if (i === input.length) return { ok: true, value: paths };
    if (input[i] !== ',') {
      return fail('invalidPath', `expected "," or the end of the list at position ${i}, found ${describeAt(input, i, 'list')}`);
    }
    i = skipSpaces(input, i + 1);
  }
}

type ReadPath = { ok: true; path: AttrPath; end: number } | { ok: false; detail: string };

function readAttrPathAt(input: string, start: number, noun: string): ReadPath {
  if (!isPathStart(input[start])) {
    return { ok: false, detail: `expected an attribute path at position ${start}, found ${describeAt(input, start, noun)}` };
  }
  const end = scanPathWord(input, start);
  const word = input.slice(start, end);
  const split = splitAttrPath(word);
  if (!split.ok) return { ok: false, detail: `invalid attribute path "${word}" at position ${start}: ${split.reason}` };
  return { ok: true, path: split.value, end };
}

function runGrammar<T, S extends FilterScimType>(
  input: string,
  options: FilterParseOptions | undefined,
  scimType: S,
  noun: string,
  parse: (grammar: Grammar) => T,
): ParseResult<T, S> {
  const invalid = checkInput(input, options, noun);
  if (invalid !== undefined) return fail(scimType, invalid);

  const tokens = tokenize(input);
  if (!tokens.ok) return fail(scimType, tokens.detail);
  const grammar = new Grammar(tokens.tokens, options?.maxDepth ?? DEFAULT_MAX_FILTER_DEPTH, noun);
  try {
    return { ok: true, value: parse(grammar) };
  } catch (error) {
    if (error instanceof GrammarError) return fail(scimType, error.message);
    throw error;
  }
}

function checkInput(input: string, options: FilterParseOptions | undefined, noun: string): string | undefined {
  // Query parameters repeated in a URL arrive as arrays from some frameworks; the types cannot see it.
  if (typeof input !== 'string') return `the ${noun} must be a string`;
  const maxLength = options?.maxLength ?? DEFAULT_MAX_FILTER_LENGTH;
  if (input.length <= maxLength) return undefined;
  return `the ${noun} is ${input.length} characters long; at most ${maxLength} are accepted`;
}

function fail<S extends FilterScimType>(scimType: S, detail: string): { ok: false; error: { scimType: S; detail: string } } {
  return { ok: false, error: { scimType, detail } };
}

function skipSpaces(input: string, from: number): number {
  let i = from;
  while (input[i] === ' ' || input[i] === '\t') i += 1;
  return i;
}

function describeAt(input: string, at: number, noun: string): string {
  const ch = input[at];
  if (ch === undefined) return `the end of the ${noun}`;
  return ch === '"' ? `'"'` : `"${ch}"`;
}
