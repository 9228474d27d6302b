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
import type { SQL } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import type { Database } from './client.ts';
import { rowsOf } from './rows.ts';

export type PreparedRunner = (text: string, params: unknown[]) => Promise<Record<string, unknown>[]>;

const RUNNER = Symbol('roster.preparedRunner');
const dialect = new PgDialect();

/** Gives a database handle's top-level drizzle instance its driver's prepared-statement path. */
export function attachPreparedRunner(db: Database, runner: PreparedRunner): void {
  (db as Database & { [RUNNER]?: PreparedRunner })[RUNNER] = runner;
}

export async function queryPrepared<T>(db: Database, query: SQL): Promise<T[]> {
  const runner = (db as Database & { [RUNNER]?: PreparedRunner })[RUNNER];
  if (!runner) return rowsOf<T>(await db.execute(query));
  const { sql: text, params } = dialect.sqlToQuery(query);
  return (await runner(text, params)) as T[];
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
