/**
 * SCIM filters and attribute paths (RFC 7644 §3.4.2.2, §3.4.2.3, §3.5.2) as pure functions:
 * text → syntax tree, and back. The parser knows no schema: attribute names are kept as written.
 * `filterToCondition` and `sortByToSpec` then resolve them (case-insensitively) against a resource
 * type's schemas and hand the domain its query.
 *
 * Every parser returns `{ ok: true, value }` or `{ ok: false, error: { scimType, detail } }` and
 * never throws; `detail` names the problem and its 0-based position in the input.
 */

export type {
  AttrPath,
  CompareOp,
  ComparisonNode,
  CompValue,
  FilterNode,
  LogicalNode,
  NotNode,
  PatchPath,
  PresenceNode,
  ValuePathNode,
} from './ast.ts';
export { parseAttrPath, parseAttrPathList, parseFilter, parsePatchPath } from './parser.ts';
export { printAttrPath, printCompValue, printFilter } from './print.ts';
export { filterToCondition, sortByToSpec } from './to-condition.ts';
export {
  DEFAULT_MAX_FILTER_DEPTH,
  DEFAULT_MAX_FILTER_LENGTH,
  type FilterParseError,
  type FilterParseOptions,
  type FilterScimType,
  type ParseResult,
} from './result.ts';
