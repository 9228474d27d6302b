/**
 * PATCH operations on Group `members` become {@link MemberOp}s instead of document changes: the
 * caller applies them to stored memberships with set-based SQL, in order. Every member
 * sub-attribute is immutable (RFC 7643 §4.2), so a member is added or removed whole.
 */
import type { FilterNode } from '../filter/index.ts';
import type { MemberRef } from './document.ts';
import type { ResolvedLimits } from './limits.ts';
import { parseMemberRefs, parseMemberValues } from './members.ts';
import type { PatchOpName } from './patch-request.ts';
import type { AttributeTarget } from './patch-target.ts';
import { fault } from './result.ts';

export type MemberOp =
  | { readonly kind: 'add'; readonly members: readonly MemberRef[] }
  /** Remove the members with these ids; ids not in the group are not an error. */
  | { readonly kind: 'remove'; readonly values: readonly string[] }
  /**
   * Remove the members matching a filter over `value`, `display`, `type` and `$ref` (names
   * already in schema spelling), for filters that are not a plain list of ids.
   */
  | { readonly kind: 'removeWhere'; readonly filter: FilterNode }
  | { readonly kind: 'removeAll' }
  /** Make the members exactly these. */
  | { readonly kind: 'replace'; readonly members: readonly MemberRef[] };

/**
 * The member operation for one PATCH operation on `members`, or undefined when it changes
 * nothing (adding an empty list, removing by an empty list).
 */
export function memberOperation(
  op: PatchOpName,
  target: AttributeTarget,
  value: unknown,
  limits: ResolvedLimits,
): MemberOp | undefined {
  const { label } = target;
  if (target.subAttribute !== undefined) {
    fault('mutability', `${label}: member sub-attributes are immutable; add or remove the member instead`);
  }
  if (target.filter !== undefined) {
    if (op !== 'remove') {
      fault(
        'mutability',
        `${label}: members cannot be edited in place; use "${op}" with the path "members" and a list of members`,
      );
    }
    const values = idList(target.filter);
    return values === undefined ? { kind: 'removeWhere', filter: target.filter } : { kind: 'remove', values };
  }
  switch (op) {
    case 'add': {
      const members = parseMemberRefs(value, label, limits);
      return members.length === 0 ? undefined : { kind: 'add', members };
    }
    case 'replace':
      return { kind: 'replace', members: parseMemberRefs(value, label, limits) };
    case 'remove': {
      // Without a value RFC 7644 §3.5.2.2 removes every member. Microsoft Entra ID puts the
      // members to remove in `value`: honouring only the path would empty the group.
      if (value === undefined || value === null) return { kind: 'removeAll' };
      const values = parseMemberValues(value, label, limits);
      return values.length === 0 ? undefined : { kind: 'remove', values };
    }
  }
}

/** The ids of `value eq "…"` or an `or` chain of them: the shape Okta and Entra send. */
function idList(filter: FilterNode): string[] | undefined {
  if (filter.type === 'comparison') {
    return filter.op === 'eq' && filter.attrPath.attr === 'value' && typeof filter.value === 'string'
      ? [filter.value]
      : undefined;
  }
  if (filter.type !== 'logical' || filter.op !== 'or') return undefined;
  const left = idList(filter.left);
  const right = idList(filter.right);
  return left && right && [...new Set([...left, ...right])];
}
