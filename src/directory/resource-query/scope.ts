/**
 * The top of a query over directory_users or directory_groups: which attributes are answered from
 * columns (and so from their indexes), which from the membership tables, and which from the
 * document.
 */
import { sql, type SQL } from 'drizzle-orm';
import type { PgColumn } from 'drizzle-orm/pg-core';
import { schema } from '../../db/index.ts';
import { userNameKey } from '../user-names.ts';
import type { AttributeRef, Condition, ResourceKind } from './types.ts';
import { isStorableText, TRUE, type OperandKind } from './operand.ts';
import { documentElements, documentTarget } from './document.ts';
import { isRelational, relationElements, relationTarget } from './relations.ts';
import type { ElementSource, ScalarTarget, Scope, Target } from './target.ts';

const users = schema.directoryUsers;
const groups = schema.directoryGroups;

type ColumnTarget = (attr: AttributeRef) => ScalarTarget;

function column(col: PgColumn, kind: OperandKind): ColumnTarget {
  const present = kind === 'text' ? sql`(${col} IS NOT NULL AND ${col} <> '')` : sql`${col} IS NOT NULL`;
  return (attr) => ({ kind: 'scalar', operand: { kind, sql: sql`${col}`, caseExact: attr.caseExact }, present });
}

// Responses show meta.created and meta.lastModified to the millisecond: a client that copies one
// into a filter must find the resource it came from, whatever microseconds the column holds.
function timestamp(col: PgColumn): ColumnTarget {
  return (attr) => ({
    kind: 'scalar',
    operand: { kind: 'timestamptz', sql: sql`date_trunc('milliseconds', ${col})`, caseExact: attr.caseExact },
    present: sql`${col} IS NOT NULL`,
  });
}

// userName compares as uniqueness does, through user_name_key (NFC, then lower case: see
// user-names.ts), so é and e + U+0301 find the same user, whatever the operator; the filter's
// text is brought to the same form, and `eq` is answered by the unique index.
function userNameKeyColumn(): ColumnTarget {
  const col = users.userNameKey;
  return () => ({
    kind: 'scalar',
    operand: { kind: 'text', sql: sql`${col}`, caseExact: true, normalize: userNameKey },
    present: sql`(${col} IS NOT NULL AND ${col} <> '')`,
  });
}

function constant(value: string): ColumnTarget {
  return (attr) => ({ kind: 'scalar', operand: { kind: 'text', sql: sql`${value}::text`, caseExact: attr.caseExact }, present: TRUE });
}

// Keyed by the canonical path joined with ".". Group displayName compares through lower() when
// caseExact is false, which is exactly the expression of its index; userName through its key.
const COLUMNS: Readonly<Record<ResourceKind, ReadonlyMap<string, ColumnTarget>>> = {
  User: new Map([
    ['id', column(users.id, 'uuid')],
    ['userName', userNameKeyColumn()],
    ['externalId', column(users.externalId, 'text')],
    ['displayName', column(users.displayName, 'text')],
    ['active', column(users.active, 'boolean')],
    ['meta.created', timestamp(users.createdAt)],
    ['meta.lastModified', timestamp(users.updatedAt)],
    ['meta.resourceType', constant('User')],
  ]),
  Group: new Map([
    ['id', column(groups.id, 'uuid')],
    ['displayName', column(groups.displayName, 'text')],
    ['externalId', column(groups.externalId, 'text')],
    ['meta.created', timestamp(groups.createdAt)],
    ['meta.lastModified', timestamp(groups.updatedAt)],
    ['meta.resourceType', constant('Group')],
  ]),
};

const DOCUMENTS: Readonly<Record<ResourceKind, PgColumn>> = { User: users.document, Group: groups.document };

/** Resolves canonical attribute paths of `kind` at the top of a query. */
export function rootScope(kind: ResourceKind): Scope {
  const document = sql`${DOCUMENTS[kind]}`;
  return {
    target(attr): Target {
      const fromColumn = COLUMNS[kind].get(attr.path.join('.'));
      if (fromColumn) return fromColumn(attr);
      if (isRelational(kind, attr)) return relationTarget(kind, attr);
      const target = documentTarget(document, attr);
      return isEmailValue(kind, attr) && target.kind === 'set' ? { ...target, indexedEquals: emailValuesContain } : target;
    },
    elements(attr): ElementSource {
      if (isRelational(kind, attr)) return relationElements(kind, attr);
      const source = documentElements(document, attr);
      return kind === 'User' && attr.path.length === 1 && attr.path[0] === 'emails' ? { ...source, prefilter: emailPrefilter } : source;
    },
  };
}

// email_values holds every emails[].value lower-cased by the same toLowerCase the writer uses,
// under a GIN index; `emails.value eq` (caseExact false) is answered from it.
function isEmailValue(kind: ResourceKind, attr: AttributeRef): boolean {
  return kind === 'User' && !attr.caseExact && attr.path.length === 2 && attr.path[0] === 'emails' && attr.path[1] === 'value';
}

function emailValuesContain(value: string): SQL {
  return sql`${users.emailValues} @> ARRAY[${value.toLowerCase()}::text]`;
}

/**
 * For `emails[type eq "work" and value eq "x"]` (and Microsoft Entra ID's
 * `emails[type eq "work"].value eq "x"`): an element matching the whole condition has that value,
 * so the GIN index can pick the candidate rows before their elements are examined.
 */
function emailPrefilter(condition: Condition): SQL | undefined {
  const value = requiredEmailValue(condition);
  return value === undefined ? undefined : emailValuesContain(value);
}

function requiredEmailValue(condition: Condition): string | undefined {
  if (condition.kind === 'and') return requiredEmailValue(condition.left) ?? requiredEmailValue(condition.right);
  if (condition.kind !== 'compare' || condition.op !== 'eq' || condition.attr.caseExact) return undefined;
  const { path } = condition.attr;
  if (path.length !== 1 || path[0] !== 'value') return undefined;
  const { value } = condition;
  // "" equals nothing; a value no text column can hold must not reach the driver.
  return typeof value === 'string' && value !== '' && isStorableText(value) ? value : undefined;
}
