/**
 * Compiles a resource query (resource-query.ts) to SQL over directory_users or directory_groups.
 * The fragments reference those tables by name, unaliased, and are meant for the WHERE and ORDER
 * BY of a query that selects from them; the caller adds the directory_id predicate (which also
 * lets the (directory_id, …) indexes answer) and the `id` tiebreaker of the sort.
 *
 * Every value from a query is a bound parameter. What each comparison means, exactly:
 * - An attribute is absent when it is missing, null, "", [] or {}; `pr` means not absent.
 * - `eq`, `co`, `sw`, `ew`, `gt`, `ge`, `lt`, `le` never match an absent value, nor a value of
 *   another type than the attribute's (a number where a string belongs, text that is no date).
 * - `ne` is the negation of `eq`: a resource without the attribute matches `ne`, and on a
 *   multi-valued attribute `ne` means that no value is equal.
 * - `eq null` means absent, `ne null` present; other operators with null match nothing.
 * - On a multi-valued attribute a comparison holds when some value satisfies it; an element
 *   condition (`emails[type eq "work" and value co "@x"]`) when one element satisfies all of it.
 * - Text compares through lower() on both sides when caseExact is false, `co`/`sw`/`ew` as LIKE
 *   with the value's `%`, `_` and `\` matching literally; ordering follows the database's
 *   collation. `emails.value eq` is answered from email_values, lower-cased as the writer does.
 * - dateTimes compare as instants (timestamptz); one without a zone is read as UTC.
 * - A string that PostgreSQL cannot hold (NUL, unpaired surrogates) equals nothing.
 */
import { sql, type SQL } from 'drizzle-orm';
import { DomainError } from '../../errors.ts';
import type { CompareOp, Condition, ResourceKind, SortSpec } from './types.ts';
import { comparePositive, FALSE, isStorableText, sortKey, TRUE } from './operand.ts';
import { rootScope } from './scope.ts';
import type { Scope, Target } from './target.ts';

/**
 * A WHERE predicate for `condition` over the table of `kind`. It may evaluate to NULL where the
 * condition is false (never where it is true), which WHERE treats alike; negations inside are
 * already made two-valued. Throws DomainError `invalid_input` for an attribute the store cannot
 * query (e.g. `members.display`), which the SCIM layer rejects before it gets here.
 */
export function conditionToSql(condition: Condition, kind: ResourceKind): SQL {
  return compile(condition, rootScope(kind));
}

/**
 * An ORDER BY item for `spec` over the table of `kind`, missing values last in either direction.
 * The caller appends `id` ascending so that pages are stable among equal keys. A multi-valued
 * attribute sorts by its primary value, else its first one (RFC 7644 §3.4.2.3).
 */
export function sortToSql(spec: SortSpec, kind: ResourceKind): SQL {
  const target = rootScope(kind).target(spec.attr);
  const direction = sql.raw(spec.descending ? 'DESC' : 'ASC');
  return sql`${sortExpression(target, spec)} ${direction} NULLS LAST`;
}

function sortExpression(target: Target, spec: SortSpec): SQL {
  if (target.kind === 'scalar') return sortKey(target.operand);
  if (target.sortOrder === undefined) {
    throw new DomainError('invalid_input', `cannot sort by "${spec.attr.path.join('.')}"`);
  }
  return sql`(SELECT ${sortKey(target.element.operand)} FROM ${target.from} ORDER BY ${target.sortOrder} LIMIT 1)`;
}

function compile(condition: Condition, scope: Scope): SQL {
  switch (condition.kind) {
    case 'compare':
      return compare(scope.target(condition.attr), condition.op, condition.value);
    case 'present':
      return present(scope.target(condition.attr));
    case 'and':
      return sql`(${compile(condition.left, scope)} AND ${compile(condition.right, scope)})`;
    case 'or':
      return sql`(${compile(condition.left, scope)} OR ${compile(condition.right, scope)})`;
    case 'not':
      return negate(compile(condition.condition, scope));
    case 'element': {
      const source = scope.elements(condition.attr);
      const exists = sql`EXISTS (SELECT 1 FROM ${source.from} WHERE ${compile(condition.condition, source.scope)})`;
      const prefilter = source.prefilter?.(condition.condition);
      return prefilter === undefined ? exists : sql`(${prefilter} AND ${exists})`;
    }
  }
}

function compare(target: Target, op: CompareOp, value: string | number | boolean | null): SQL {
  if (value === null) {
    if (op === 'eq') return negate(present(target));
    return op === 'ne' ? present(target) : FALSE;
  }
  if (typeof value === 'string' && !isStorableText(value)) return op === 'ne' ? TRUE : FALSE;
  if (op === 'ne') return negate(compare(target, 'eq', value));
  if (target.kind === 'scalar') return comparePositive(target.operand, op, value);
  if (op === 'eq' && typeof value === 'string' && value !== '' && target.indexedEquals) return target.indexedEquals(value);
  return sql`EXISTS (SELECT 1 FROM ${target.from} WHERE ${comparePositive(target.element.operand, op, value)})`;
}

function present(target: Target): SQL {
  if (target.kind === 'scalar') return target.present;
  return sql`EXISTS (SELECT 1 FROM ${target.from} WHERE ${target.element.present})`;
}

// NOT NULL is NULL, which WHERE reads as false: a negation must see false where its operand
// was NULL (an absent value), or `not (title eq "x")` would drop users without a title.
function negate(predicate: SQL): SQL {
  return sql`(NOT coalesce(${predicate}, false))`;
}
