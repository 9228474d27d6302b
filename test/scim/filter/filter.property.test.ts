import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import {
  parseAttrPath,
  parseAttrPathList,
  parseFilter,
  parsePatchPath,
  printCompValue,
  printFilter,
  type FilterParseError,
  type ParseResult,
} from '../../../src/scim/filter/index.ts';
import { awkwardString, filterFragment, filterNode } from './arbitraries.ts';
import { printNoisily } from './noisy-print.ts';

// Generated trees can be wider and deeper than the defaults allow; the limits are tested elsewhere.
const UNLIMITED = { maxLength: 1_000_000, maxDepth: 1_000 } as const;

const anyInput: fc.Arbitrary<string> = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.string({ unit: 'grapheme-ascii', maxLength: 200 }),
  fc.array(filterFragment, { maxLength: 40 }).map((parts) => parts.join('')),
  fc.array(filterFragment, { maxLength: 40 }).map((parts) => parts.join(' ')),
);

/** Every position a message names lies inside the input or just past its end. */
function expectWellFormedError(error: FilterParseError, input: string): void {
  expect(error.detail.length).toBeGreaterThan(0);
  for (const match of error.detail.matchAll(/position (\d+)/g)) {
    expect(Number(match[1])).toBeLessThanOrEqual(input.length);
  }
}

function valueOf<T>(result: ParseResult<T, 'invalidFilter'>): T {
  if (!result.ok) throw new Error(result.error.detail);
  return result.value;
}

describe('parseFilter, for any input', () => {
  it('never throws, and says where the problem is', () => {
    fc.assert(
      fc.property(anyInput, (input) => {
        const result = parseFilter(input);
        if (!result.ok) {
          expect(result.error.scimType).toBe('invalidFilter');
          expectWellFormedError(result.error, input);
        }
      }),
      { numRuns: 2_000 },
    );
  });

  it('never throws on printed filters that were cut short or had a character slipped in', () => {
    fc.assert(
      fc.property(filterNode, fc.nat(), fc.string({ maxLength: 2 }), (node, cut, extra) => {
        const text = printFilter(node);
        const at = cut % (text.length + 1);
        for (const input of [text.slice(0, at), text.slice(0, at) + extra + text.slice(at)]) {
          const result = parseFilter(input, UNLIMITED);
          if (!result.ok) expectWellFormedError(result.error, input);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('reads its own printout of anything it accepted as the same tree', () => {
    const nearlyFilters = fc.oneof(anyInput, fc.tuple(filterNode, fc.integer()).map(([node, seed]) => printNoisily(node, seed)));
    fc.assert(
      fc.property(nearlyFilters, (input) => {
        const result = parseFilter(input, UNLIMITED);
        if (!result.ok) return;
        expect(parseFilter(printFilter(result.value), UNLIMITED)).toStrictEqual(result);
      }),
      { numRuns: 2_000 },
    );
  });
});

describe('parsePatchPath and parseAttrPath, for any input', () => {
  it('never throw', () => {
    fc.assert(
      fc.property(anyInput, (input) => {
        for (const result of [parsePatchPath(input), parseAttrPath(input), parseAttrPathList(input)]) {
          if (!result.ok) {
            expect(result.error.scimType).toBe('invalidPath');
            expectWellFormedError(result.error, input);
          }
        }
      }),
      { numRuns: 1_000 },
    );
  });
});

describe('printFilter then parseFilter', () => {
  it('gives back the same tree for any well-formed tree', () => {
    fc.assert(
      fc.property(filterNode, (node) => {
        expect(parseFilter(printFilter(node), UNLIMITED)).toStrictEqual({ ok: true, value: node });
      }),
      { numRuns: 1_000 },
    );
  });

  it('gives back the same tree whatever the keyword case, spacing and redundant parentheses', () => {
    fc.assert(
      fc.property(filterNode, fc.integer(), (node, seed) => {
        expect(parseFilter(printNoisily(node, seed), UNLIMITED)).toStrictEqual({ ok: true, value: node });
      }),
      { numRuns: 1_000 },
    );
  });

  it('keeps string values exactly, quotes, backslashes, % and _ included', () => {
    fc.assert(
      fc.property(awkwardString, (value) => {
        const parsed = valueOf(parseFilter(`userName eq ${printCompValue(value)}`));
        expect(parsed).toStrictEqual({ type: 'comparison', attrPath: { attr: 'userName' }, op: 'eq', value });
      }),
      { numRuns: 1_000 },
    );
  });

  it('reads what JSON.stringify writes, so clients that build filters with it are understood', () => {
    fc.assert(
      fc.property(awkwardString, (value) => {
        const parsed = valueOf(parseFilter(`emails[value co ${JSON.stringify(value)}]`));
        expect(parsed.type === 'valuePath' && parsed.filter).toMatchObject({ value });
      }),
      { numRuns: 500 },
    );
  });
});
