// Short constructors for expected syntax trees, so the tables read like the filters they describe.

import type {
  AttrPath,
  CompareOp,
  ComparisonNode,
  CompValue,
  FilterNode,
  PresenceNode,
} from '../../../src/scim/filter/index.ts';

export const ENTERPRISE_USER = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
export const CORE_USER = 'urn:ietf:params:scim:schemas:core:2.0:User';

/** `path('name.familyName')`, `path('userName', CORE_USER)`. */
export function path(dotted: string, schema?: string): AttrPath {
  const [attr = '', subAttr] = dotted.split('.');
  return {
    ...(schema !== undefined && { schema }),
    attr,
    ...(subAttr !== undefined && { subAttr }),
  };
}

export function cmp(attrPath: string | AttrPath, op: CompareOp, value: CompValue): ComparisonNode {
  return { type: 'comparison', attrPath: toPath(attrPath), op, value };
}

export function pr(attrPath: string | AttrPath): PresenceNode {
  return { type: 'presence', attrPath: toPath(attrPath) };
}

export function and(left: FilterNode, right: FilterNode): FilterNode {
  return { type: 'logical', op: 'and', left, right };
}

export function or(left: FilterNode, right: FilterNode): FilterNode {
  return { type: 'logical', op: 'or', left, right };
}

export function not(filter: FilterNode): FilterNode {
  return { type: 'not', filter };
}

export function vp(
  attrPath: string | AttrPath,
  filter: FilterNode,
  subAttrTest?: ComparisonNode | PresenceNode,
): FilterNode {
  return {
    type: 'valuePath',
    attrPath: toPath(attrPath),
    filter,
    ...(subAttrTest !== undefined && { subAttrTest }),
  };
}

function toPath(attrPath: string | AttrPath): AttrPath {
  return typeof attrPath === 'string' ? path(attrPath) : attrPath;
}
