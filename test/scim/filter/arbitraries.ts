// fast-check generators of well-formed filter syntax trees, shaped as the parser produces them.

import fc from 'fast-check';

import type {
  AttrPath,
  CompareOp,
  ComparisonNode,
  CompValue,
  FilterNode,
  PresenceNode,
} from '../../../src/scim/filter/index.ts';
import { CORE_USER, ENTERPRISE_USER } from './builders.ts';

const KEYWORDS = new Set(['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le', 'pr', 'and', 'or', 'not', 'true', 'false', 'null']);

// Trees must be plain objects to compare strictly with what the parser builds.
const PLAIN = { noNullPrototype: true } as const;

const ORDERING_OPS: readonly CompareOp[] = ['gt', 'ge', 'lt', 'le'];
const OTHER_OPS: readonly CompareOp[] = ['eq', 'ne', 'co', 'sw', 'ew'];

/** Keywords are reserved inside filters, so names never spell one. */
export const attrName: fc.Arbitrary<string> = fc
  .stringMatching(/^[A-Za-z][A-Za-z0-9_-]{0,9}$/)
  .filter((name) => !KEYWORDS.has(name.toLowerCase()));

const subAttrName = fc.oneof({ weight: 9, arbitrary: attrName }, { weight: 1, arbitrary: fc.constant('$ref') });

export const schemaUrn: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(CORE_USER, ENTERPRISE_USER, 'urn:ietf:params:scim:schemas:core:2.0:Group'),
  fc
    .array(fc.stringMatching(/^[A-Za-z0-9._-]{1,8}$/), { minLength: 1, maxLength: 5 })
    .map((segments) => `urn:${segments.join(':')}`),
);

function attrPathOf(options: { schema: boolean; subAttr: boolean }): fc.Arbitrary<AttrPath> {
  return fc
    .record({
      schema: options.schema ? fc.option(schemaUrn, { nil: undefined }) : fc.constant(undefined),
      attr: attrName,
      subAttr: options.subAttr ? fc.option(subAttrName, { nil: undefined }) : fc.constant(undefined),
    })
    .map(({ schema, attr, subAttr }) => ({
      ...(schema !== undefined && { schema }),
      attr,
      ...(subAttr !== undefined && { subAttr }),
    }));
}

/**
 * Strings that are awkward to quote: quotes, backslashes, LIKE wildcards, controls, astral
 * characters. Never NUL, which a filter refuses as no text at all (parse-filter-errors.test.ts).
 */
export const awkwardString: fc.Arbitrary<string> = fc.oneof(
  fc.string({
    unit: fc.constantFrom('"', '\\', '%', '_', '*', '/', 'a', 'Z', ' ', '\n', '\t', '\u0001', '\u001f', 'é', '😀', '\u2028', '[', ')'),
    maxLength: 40,
  }),
  fc.string({ unit: 'binary', maxLength: 40 }).map((text) => text.replaceAll('\u0000', '\u0001')),
);

const anyNumber: fc.Arbitrary<number> = fc.oneof(
  fc.integer({ min: -1_000_000, max: 1_000_000 }),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
);

function valueFor(op: CompareOp): fc.Arbitrary<CompValue> {
  return ORDERING_OPS.includes(op)
    ? fc.oneof(awkwardString, anyNumber)
    : fc.oneof(awkwardString, anyNumber, fc.boolean(), fc.constant(null));
}

function attrTestOn(paths: fc.Arbitrary<AttrPath>): fc.Arbitrary<ComparisonNode | PresenceNode> {
  const comparison = fc
    .record({ attrPath: paths, op: fc.constantFrom(...ORDERING_OPS, ...OTHER_OPS) })
    .chain(({ attrPath, op }) =>
      valueFor(op).map((value): ComparisonNode => ({ type: 'comparison', attrPath, op, value })),
    );
  const presence = paths.map((attrPath): PresenceNode => ({ type: 'presence', attrPath }));
  return fc.oneof({ weight: 4, arbitrary: comparison }, { weight: 1, arbitrary: presence });
}

/** Trees of and/or/not over `leaf`, a few levels deep. */
function treeOver(leaf: fc.Arbitrary<FilterNode>): fc.Arbitrary<FilterNode> {
  const { node } = fc.letrec<{ node: FilterNode }>((tie) => ({
    node: fc.oneof(
      { depthSize: 'small', maxDepth: 4 },
      leaf,
      fc.record({
        type: fc.constant('logical' as const),
        op: fc.constantFrom('and' as const, 'or' as const),
        left: tie('node'),
        right: tie('node'),
      }, PLAIN),
      fc.record({ type: fc.constant('not' as const), filter: tie('node') }, PLAIN),
    ),
  }));
  return node;
}

const bareName = attrName.map((attr): AttrPath => ({ attr }));

const valuePath: fc.Arbitrary<FilterNode> = fc
  .record({
    attrPath: attrPathOf({ schema: true, subAttr: false }),
    filter: treeOver(attrTestOn(bareName)),
    subAttrTest: fc.option(attrTestOn(subAttrName.map((attr): AttrPath => ({ attr }))), { nil: undefined }),
  })
  .map(({ attrPath, filter, subAttrTest }) => ({
    type: 'valuePath' as const,
    attrPath,
    filter,
    ...(subAttrTest !== undefined && { subAttrTest }),
  }));

/** Any filter the parser can produce. */
export const filterNode: fc.Arbitrary<FilterNode> = treeOver(
  fc.oneof({ weight: 3, arbitrary: attrTestOn(attrPathOf({ schema: true, subAttr: true })) }, { weight: 1, arbitrary: valuePath }),
);

/** Fragments that make inputs close to filters, so random inputs reach deep into the grammar. */
export const filterFragment: fc.Arbitrary<string> = fc.constantFrom(
  '(', ')', '[', ']', '.', ' ', ' ', ' ', 'and', 'or', 'not', 'NOT', 'pr', 'eq', 'Eq', 'ne', 'co', 'gt', 'le',
  '"x"', '"a\\"b"', '"\\u00e9"', '"', '\\', '1', '-2.5e3', '01', 'true', 'False', 'null',
  'userName', 'emails', 'type', 'value', 'name.givenName', '$ref', `${ENTERPRISE_USER}:manager`, 'urn:', ':', ',', "'", '\n',
);
