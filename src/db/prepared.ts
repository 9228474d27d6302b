/**
 * Hot statements — the ones every SCIM request runs — go to the driver as prepared statements:
 * PostgreSQL parses and plans each once per connection instead of once per request, and the rows
 * skip drizzle's query builder. Only fixed-shape statements belong here (their text must not
 * depend on client input, or every new shape would leave one more prepared statement behind);
 * everything else keeps using drizzle.
 *
 * Inside a transaction the statement runs through the transaction's drizzle handle, unprepared,
 * so it stays part of that transaction.
 */
import { SQL, StringChunk } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import type { Database } from './client.ts';
import { rowsOf } from './rows.ts';

export type PreparedRunner = (text: string, params: unknown[]) => Promise<Record<string, unknown>[]>;

const RUNNER = Symbol('roster.preparedRunner');
const dialect = new PgDialect();

type WithRunner = Database & { [RUNNER]?: PreparedRunner };

/** Gives a database handle's top-level drizzle instance its driver's prepared-statement path. */
export function attachPreparedRunner(db: Database, runner: PreparedRunner): void {
  (db as WithRunner)[RUNNER] = runner;
}

export async function queryPrepared<T>(db: Database, query: SQL): Promise<T[]> {
  const runner = (db as WithRunner)[RUNNER];
  if (!runner) return rowsOf<T>(await db.execute(query));
  const { sql: text, params } = flatten(query) ?? dialect.sqlToQuery(query);
  return (await runner(text, params)) as T[];
}

/**
 * A statement built once, with named slots where each request's values go. Building a statement
 * from drizzle `sql` fragments costs a few objects and type checks per fragment; for the
 * statement every SCIM request runs, that was a noticeable part of the request's CPU.
 */
export interface StatementTemplate<K extends string> {
  readonly text: string;
  /** Per parameter, in order: the slot it is filled from, or the constant the build put there. */
  readonly params: readonly ({ slot: K } | { value: unknown })[];
}

const SLOT_MARK = '\u0000roster-slot:';

/**
 * Builds a template: `build` gets a placeholder for each slot, to pass wherever the value would
 * go as a parameter (never into SQL text). Fails when the statement cannot be flattened.
 */
export function statementTemplate<K extends string>(build: (slot: (name: K) => string) => SQL): StatementTemplate<K> {
  const flat = flatten(build((name) => `${SLOT_MARK}${name}`));
  if (!flat) throw new Error('a statement template must be made of SQL text, fragments and values');
  if (flat.sql.includes(SLOT_MARK)) throw new Error('a statement template slot ended up in the SQL text');
  // queryTemplate's transaction path finds the parameters by their $n: the text may hold no other.
  if ((flat.sql.match(/\$\d+/g) ?? []).length !== flat.params.length) throw new Error('a statement template holds a $n of its own');
  const params = flat.params.map((value) =>
    typeof value === 'string' && value.startsWith(SLOT_MARK) ? { slot: value.slice(SLOT_MARK.length) as K } : { value },
  );
  return { text: flat.sql, params };
}

/** Runs a template with this request's values, prepared where the driver allows (as queryPrepared). */
export async function queryTemplate<T, K extends string>(
  db: Database,
  template: StatementTemplate<K>,
  values: Readonly<Record<K, unknown>>,
): Promise<T[]> {
  const params = template.params.map((param) => ('slot' in param ? values[param.slot] : param.value));
  const runner = (db as WithRunner)[RUNNER];
  if (runner) return (await runner(template.text, params)) as T[];
  // Inside a transaction: the same text and parameters, as a drizzle statement of that transaction.
  const chunks: unknown[] = [];
  const parts = template.text.split(/\$(\d+)/);
  for (let i = 0; i < parts.length; i++) chunks.push(i % 2 === 0 ? new StringChunk(parts[i]!) : params[Number(parts[i]) - 1]);
  return rowsOf<T>(await db.execute(new SQL(chunks as SQL['queryChunks'])));
}

/**
 * The text and parameters of a statement made only of SQL text, nested `sql` fragments and plain
 * values, the same as drizzle's dialect would build them (`$1`, `$2`, … in order) at a fraction of
 * its cost: drizzle checks every chunk against a dozen entity kinds through the prototype chain,
 * and that was a tenth of the server's CPU on a read. Anything else (a column, a table, an array
 * spread into a list, a typed Param) returns undefined, and the dialect builds the statement.
 */
export function flatten(query: SQL): { sql: string; params: unknown[] } | undefined {
  const params: unknown[] = [];
  let text = '';
  const walk = (chunks: readonly unknown[]): boolean => {
    for (const chunk of chunks) {
      if (chunk instanceof StringChunk) {
        text += chunk.value.join('');
      } else if (chunk instanceof SQL) {
        if ((chunk as unknown as { shouldInlineParams: boolean }).shouldInlineParams || !walk(chunk.queryChunks)) return false;
      } else if (
        chunk === null ||
        typeof chunk === 'string' ||
        typeof chunk === 'number' ||
        typeof chunk === 'boolean' ||
        typeof chunk === 'bigint' ||
        chunk instanceof Date
      ) {
        params.push(chunk);
        text += `$${params.length}`;
      } else if (chunk !== undefined) {
        return false;
      }
    }
    return true;
  };
  return walk(query.queryChunks) ? { sql: text, params } : undefined;
}

/**
 * Values as the drivers hand them back from raw statements: postgres.js, as drizzle configures it,
 * leaves jsonb as text; PGlite parses it.
 */
export function jsonValue<T>(value: unknown): T {
  return (typeof value === 'string' ? JSON.parse(value) : value) as T;
}

/** Timestamps selected as epoch milliseconds (`extract(epoch from …) * 1000`), the same on both drivers. */
export function epochDate(value: unknown): Date {
  return new Date(Number(value));
}

export function epochDateOrNull(value: unknown): Date | null {
  return value === null || value === undefined ? null : epochDate(value);
}
