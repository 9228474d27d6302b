/**
 * Attributes kept as rows rather than in the document: a Group's `members` (users and nested
 * groups) and a User's `groups`. Each becomes a correlated subquery over the membership tables,
 * keyed by (directory_id, …) so that their primary keys and indexes answer it.
 *
 * A User's `groups` here are its direct memberships, the ones its representation lists.
 */
import { sql, type SQL } from 'drizzle-orm';
import { schema } from '../../db/index.ts';
import { DomainError } from '../../errors.ts';
import type { AttributeRef, ResourceKind } from './types.ts';
import type { Operand } from './operand.ts';
import type { ElementSource, ScalarTarget, Scope, Target } from './target.ts';

const users = schema.directoryUsers;
const groups = schema.directoryGroups;
const userMembers = schema.directoryGroupMembers;
const groupMembers = schema.directoryGroupSubgroups;

interface Relation {
  /** The attribute's name: `members` or `groups`. */
  readonly name: string;
  /** FROM item with one row per element, as `qm(value uuid, type text)`. */
  readonly from: SQL;
  /** The sub-attributes a row can answer for. */
  readonly subAttributes: ReadonlySet<string>;
}

const RELATIONS: Readonly<Record<ResourceKind, Relation>> = {
  Group: {
    name: 'members',
    from: sql`(SELECT ${userMembers.userId} AS value, ${'User'}::text AS type FROM ${userMembers}
      WHERE ${userMembers.directoryId} = ${groups.directoryId} AND ${userMembers.groupId} = ${groups.id}
      UNION ALL
      SELECT ${groupMembers.memberGroupId}, ${'Group'}::text FROM ${groupMembers}
      WHERE ${groupMembers.directoryId} = ${groups.directoryId} AND ${groupMembers.groupId} = ${groups.id}) AS qm`,
    subAttributes: new Set(['value', 'type']),
  },
  User: {
    name: 'groups',
    from: sql`(SELECT ${userMembers.groupId} AS value, ${'Group'}::text AS type FROM ${userMembers}
      WHERE ${userMembers.directoryId} = ${users.directoryId} AND ${userMembers.userId} = ${users.id}) AS qm`,
    subAttributes: new Set(['value']),
  },
};

/** Whether `attr` is the relational attribute of `kind` (or one of its sub-attributes). */
export function isRelational(kind: ResourceKind, attr: AttributeRef): boolean {
  return attr.path[0] === RELATIONS[kind].name;
}

/** `members`, `members.value`, `members.type` (Group); `groups`, `groups.value` (User). */
export function relationTarget(kind: ResourceKind, attr: AttributeRef): Target {
  const relation = RELATIONS[kind];
  const [, subAttr = 'value', ...extra] = attr.path;
  if (extra.length > 0) throw notKept(attr);
  return { kind: 'set', from: relation.from, element: column(relation, subAttr, attr) };
}

/** The elements of `members` or `groups`, for conditions such as `members[type eq "Group"]`. */
export function relationElements(kind: ResourceKind, attr: AttributeRef): ElementSource {
  const relation = RELATIONS[kind];
  if (attr.path.length !== 1) throw notKept(attr);
  const scope: Scope = {
    target(inner) {
      const [subAttr, ...extra] = inner.path;
      if (subAttr === undefined || extra.length > 0) throw notKept(inner);
      return column(relation, subAttr, inner);
    },
    elements(inner) {
      throw new DomainError('invalid_input', `value filters cannot be nested inside "${relation.name}[…]" (at "${inner.path.join('.')}")`);
    },
  };
  return { from: relation.from, scope };
}

function column(relation: Relation, subAttr: string, attr: AttributeRef): ScalarTarget {
  if (!relation.subAttributes.has(subAttr)) throw notKept(attr, relation);
  const operand: Operand =
    subAttr === 'value'
      ? { kind: 'uuid', sql: sql.raw('qm.value'), caseExact: attr.caseExact }
      : { kind: 'text', sql: sql.raw('qm.type'), caseExact: attr.caseExact };
  return { kind: 'scalar', operand, present: sql`${operand.sql} IS NOT NULL` };
}

function notKept(attr: AttributeRef, relation?: Relation): DomainError {
  const kept = relation ? `; only ${[...relation.subAttributes].map((s) => `${relation.name}.${s}`).join(' and ')} can be queried` : '';
  return new DomainError('invalid_input', `"${attr.path.join('.')}" cannot be queried${kept}`);
}
