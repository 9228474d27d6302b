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
 * The text and parameters of a statement made only of SQL text, nested `sql` fragments and plain
 * values, the same as drizzle's dialect would build them (`$1`, `$2`, … in order) at a fraction of
 * its cost: drizzle checks every chunk against a dozen entity kinds through the prototype chain,
 * on every statement of every request. Anything else (a column, a table, an array
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

