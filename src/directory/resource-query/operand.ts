/**
 * One attribute value of one row (or of one element of a multi-valued attribute) as a typed SQL
 * expression, and the comparisons a filter makes against it. Every value from a filter is bound
 * as a parameter; the only SQL text written here is fixed by this module.
 */
import { sql, type SQL } from 'drizzle-orm';
import type { AttributeType, CompareOp } from './types.ts';
import { comparableDateTime, timestamptzOf } from './datetime.ts';

/** The SQL type an operand compares as. */
export type OperandKind = 'text' | 'uuid' | 'boolean' | 'numeric' | 'timestamptz';

/** A typed expression that is NULL when the value is absent or not of the attribute's type. */
export interface Operand {
  readonly sql: SQL;
  readonly kind: OperandKind;
  /** RFC 7643 caseExact: when false, text compares through lower() on both sides. */
  readonly caseExact: boolean;
  /**
   * Applied to a filter's text before it is compared, for a column that stores its values in the
   * same form (userName's key: NFC and lower case), so both sides are alike.
   */
  readonly normalize?: (value: string) => string;
}

/** A comparison other than `ne`, which callers express as the negation of `eq`. */
export type PositiveOp = Exclude<CompareOp, 'ne'>;

/** Predicates whose answer is known without looking at the row. */
export const FALSE = sql`false`;
export const TRUE = sql`true`;

const ORDERING: Readonly<Record<'eq' | 'gt' | 'ge' | 'lt' | 'le', SQL>> = {
  eq: sql.raw('='),
  gt: sql.raw('>'),
  ge: sql.raw('>='),
  lt: sql.raw('<'),
  le: sql.raw('<='),
};

const CANONICAL_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function operandKindOf(type: AttributeType): OperandKind {
  switch (type) {
    case 'boolean':
      return 'boolean';
    case 'integer':
    case 'decimal':
      return 'numeric';
    case 'dateTime':
      return 'timestamptz';
    default:
      return 'text';
  }
}

/**
 * A jsonb value read as the attribute's type. A stored value of another JSON type (a number where
 * a string belongs, text that is no date) reads as NULL instead of failing the cast: the document
 * is what an IdP sent, and one odd value must not break every query over the directory.
 */
export function jsonOperand(json: SQL, type: AttributeType, caseExact: boolean): Operand {
  const kind = operandKindOf(type);
  const guarded = (jsonType: string, value: SQL) => sql`(CASE WHEN jsonb_typeof(${json}) = '${sql.raw(jsonType)}' THEN ${value} END)`;
  switch (kind) {
    case 'boolean':
      return { kind, caseExact, sql: guarded('boolean', sql`(${json})::boolean`) };
    case 'numeric':
      return { kind, caseExact, sql: guarded('number', sql`(${json})::numeric`) };
    case 'timestamptz':
      return { kind, caseExact, sql: guarded('string', timestamptzOf(sql`(${json} #>> '{}')`)) };
    default:
      return { kind, caseExact, sql: guarded('string', sql`(${json} #>> '{}')`) };
  }
}

/** RFC 7644 `pr` on a jsonb value: there, and not null, "", [] or {}. */
export function jsonPresent(json: SQL): SQL {
  return sql`(jsonb_typeof(${json}) <> 'null' AND ${json} NOT IN ('""'::jsonb, '[]'::jsonb, '{}'::jsonb))`;
}

/**
 * `operand op value` for one value. The result may be NULL (absent value); callers that negate
 * it wrap it in coalesce. A value of the wrong type for the operand matches nothing, so that its
 * negation (`ne`) matches everything, as for an absent value.
 *
 * Values are bound as text and cast in SQL: the drivers pick a serializer by the type the server
 * infers for a parameter, and postgres.js sends any boolean parameter that is not `true` as false
 * and every timestamptz parameter through a JavaScript Date, losing microseconds.
 */
export function comparePositive(operand: Operand, op: PositiveOp, value: string | number | boolean): SQL {
  switch (operand.kind) {
    case 'text':
      return typeof value === 'string' ? compareText(operand, op, value) : FALSE;
    case 'uuid':
      return typeof value === 'string' ? compareUuid(operand, op, value) : FALSE;
    case 'boolean':
      return typeof value === 'boolean' && op === 'eq' ? sql`${operand.sql} = ${value ? 'true' : 'false'}::text::boolean` : FALSE;
    case 'numeric':
      return typeof value === 'number' && isOrdering(op) ? sql`${operand.sql} ${ORDERING[op]} ${String(value)}::text::numeric` : FALSE;
    case 'timestamptz': {
      if (typeof value !== 'string' || !isOrdering(op)) return FALSE;
      const time = comparableDateTime(value);
      return time === undefined ? FALSE : sql`${operand.sql} ${ORDERING[op]} ${time}::text::timestamptz`;
    }
  }
}

/**
 * False for text PostgreSQL cannot hold (NUL, unpaired surrogates): binding it would fail the
 * query, and no stored value can equal or contain it.
 */
export function isStorableText(value: string): boolean {
  return !value.includes('\u0000') && !/\p{Cs}/u.test(value);
}

/** The expression ORDER BY uses: text case-folded unless caseExact, an empty string as absent. */
export function sortKey(operand: Operand): SQL {
  if (operand.kind !== 'text') return operand.sql;
  const text = sql`NULLIF(${operand.sql}, '')`;
  return operand.caseExact ? text : sql`lower(${text})`;
}

function isOrdering(op: PositiveOp): op is keyof typeof ORDERING {
  return op in ORDERING;
}

function compareText(operand: Operand, op: PositiveOp, raw: string): SQL {
  const value = operand.normalize === undefined ? raw : operand.normalize(raw);
  // An empty string counts as absent (RFC 7644 `pr`), so nothing equals "".
  if (op === 'eq' && value === '') return FALSE;
  const fold = (expr: SQL) => (operand.caseExact ? expr : sql`lower(${expr})`);
  const left = fold(operand.sql);
  if (op === 'eq') return sql`${left} = ${fold(sql`${value}::text`)}`;
  const nonEmpty = sql`${operand.sql} <> ''`;
  if (isOrdering(op)) return sql`(${left} ${ORDERING[op]} ${fold(sql`${value}::text`)} AND ${nonEmpty})`;
  // E'\\' is one backslash whatever standard_conforming_strings says.
  return sql`(${left} LIKE ${fold(sql`${likePattern(op, value)}::text`)} ESCAPE E'\\\\' AND ${nonEmpty})`;
}

function compareUuid(operand: Operand, op: PositiveOp, value: string): SQL {
  if (op !== 'eq') return compareText({ ...operand, kind: 'text', sql: sql`${operand.sql}::text` }, op, value);
  // Compared as uuid, not as text, so that the primary key (or another uuid index) answers it.
  // A uuid's text is canonical lower case: anything else can only equal it case-insensitively.
  const wanted = operand.caseExact ? value : value.toLowerCase();
  return CANONICAL_UUID.test(wanted) ? sql`${operand.sql} = ${wanted}::uuid` : FALSE;
}

/** `co`, `sw`, `ew` as a LIKE pattern in which the value's own `%`, `_` and `\` match literally. */
function likePattern(op: 'co' | 'sw' | 'ew', value: string): string {
  const escaped = value.replace(/[\\%_]/g, '\\$&');
  if (op === 'sw') return `${escaped}%`;
  if (op === 'ew') return `%${escaped}`;
  return `%${escaped}%`;
}
