/**
 * The database client: PostgreSQL through postgres.js, or the embedded PGlite. Both speak the same
 * drizzle API and run the same migrations; the rest of Roster never knows which one it has.
 */
import { PGlite } from '@electric-sql/pglite';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import { postgres } from './postgres-driver.ts';
import { attachPreparedRunner } from './prepared.ts';
import * as schema from './schema/index.ts';

export type Schema = typeof schema;
/** A drizzle database or transaction; verbs accept either so that they compose. */
export type Database = PgDatabase<PgQueryResultHKT, Schema>;

export interface DatabaseHandle {
  readonly kind: 'postgres' | 'pglite';
  readonly db: Database;
  /** Runs `fn` while holding a session-level advisory lock (a no-op guard on single-connection PGlite). */
  withAdvisoryLock<T>(key: string, fn: () => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export interface PostgresOptions {
  url: string;
  /** Pool size; postgres.js opens connections lazily up to this number. */
  max?: number;
  /**
   * How long a new connection may take before the request waiting on it fails (and is answered
   * 503). Default 10 s; a short one suits callers that must fail fast while the database is away.
   */
  connectTimeoutSeconds?: number;
}

export function openPostgres(options: PostgresOptions): DatabaseHandle {
  const sql = postgres(options.url, {
    // withAdvisoryLock reserves one connection while the work it guards runs on another.
    max: Math.max(2, options.max ?? 10),
    // Migrations and extensions raise NOTICEs that are not worth a log line.
    onnotice: () => {},
    connect_timeout: options.connectTimeoutSeconds ?? 10,
    idle_timeout: 60,
  });
  const db = drizzlePostgres({ client: sql, schema }) as unknown as Database;
  attachPreparedRunner(db, (text, params) => sql.unsafe(text, params as never[], { prepare: true }) as unknown as Promise<Record<string, unknown>[]>);
  return {
    kind: 'postgres',
    db,
    async withAdvisoryLock(key, fn) {
      const reserved = await sql.reserve();
      try {
        await reserved`select pg_advisory_lock(hashtext(${key}))`;
        try {
          return await fn();
        } finally {
          await reserved`select pg_advisory_unlock(hashtext(${key}))`;
        }
      } finally {
        reserved.release();
      }
    },
    async close() {
      await sql.end({ timeout: 5 });
    },
  };
}

export interface PgliteOptions {
  /** A directory on disk, or undefined for an in-memory database. */
  dataDir?: string;
  /** A dumpDataDir() snapshot to start from (tests load a migrated snapshot instead of migrating). */
  loadDataDir?: Blob | File;
}

export async function openPglite(options: PgliteOptions): Promise<DatabaseHandle> {
  const client = await PGlite.create({
    ...(options.dataDir === undefined ? {} : { dataDir: options.dataDir }),
    ...(options.loadDataDir === undefined ? {} : { loadDataDir: options.loadDataDir }),
  });
  // PGlite runs no autovacuum, so no ANALYZE ever tells a cached plan that its table has grown.
  // The plans PostgreSQL caches for the session (foreign-key checks, trigger functions) are
  // made generic after a few uses: one made while a directory's table was nearly empty scans the
  // whole table for every row a later statement checks, and a 10,000-member PATCH turns
  // quadratic. Statements are planned for the data as it is instead; the only plans reused in
  // this session are those internal ones, since every query is sent unnamed.
  await client.exec('set plan_cache_mode = force_custom_plan');
  return pgliteHandle(client);
}

export function pgliteHandle(client: PGlite): DatabaseHandle {
  const db = drizzlePglite({ client, schema }) as unknown as Database;
  attachPreparedRunner(db, async (text, params) => (await client.query<Record<string, unknown>>(text, params)).rows);
  return {
    kind: 'pglite',
    db,
    // PGlite is one connection in one process and the data directory is locked by the process
    // that opened it (see data-dir-lock.ts), so there is nobody to race with.
    withAdvisoryLock: (_key, fn) => fn(),
    async close() {
      if (!client.closed) await client.close();
    },
  };
}
