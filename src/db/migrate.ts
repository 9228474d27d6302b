/**
 * Applies the committed drizzle migrations. Several instances may start at once against one
 * PostgreSQL: an advisory lock makes them take turns, and the later ones find nothing to do.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import type { DatabaseHandle } from './client.ts';
import { firstRow } from './rows.ts';

export const MIGRATIONS_FOLDER = fileURLToPath(new URL('../../drizzle', import.meta.url));
const MIGRATION_LOCK = 'roster:migrate';

interface Journal {
  entries: { idx: number; when: number; tag: string }[];
}

function readJournal(): Journal {
  return JSON.parse(readFileSync(`${MIGRATIONS_FOLDER}/meta/_journal.json`, 'utf8')) as Journal;
}

export interface MigrationResult {
  applied: number;
  total: number;
}

export async function migrate(handle: DatabaseHandle): Promise<MigrationResult> {
  return handle.withAdvisoryLock(MIGRATION_LOCK, async () => {
    const before = await appliedCount(handle);
    const config = { migrationsFolder: MIGRATIONS_FOLDER };
    if (handle.kind === 'postgres') {
      await migratePostgres(handle.db as never, config);
    } else {
      await migratePglite(handle.db as never, config);
    }
    const after = await appliedCount(handle);
    return { applied: after - before, total: readJournal().entries.length };
  });
}

export interface MigrationStatus {
  /** True when every migration this build ships has been applied. */
  upToDate: boolean;
  applied: number;
  expected: number;
}

/** Compares the database with the migrations this build ships; used by /readyz. */
export async function migrationStatus(handle: DatabaseHandle): Promise<MigrationStatus> {
  const journal = readJournal();
  const expected = journal.entries.length;
  const newest = journal.entries.at(-1)?.when ?? 0;
  const rows = await handle.db.execute<{ count: number; newest: string | null }>(sql`
    select count(*)::int as count, max(created_at)::text as newest
    from drizzle.__drizzle_migrations
  `).catch((error: unknown) => {
    if (isUndefinedTable(error)) return null;
    throw error;
  });
  if (rows === null) return { upToDate: false, applied: 0, expected };
  const row = firstRow<{ count: number; newest: string | null }>(rows);
  const applied = Number(row?.count ?? 0);
  return { upToDate: applied >= expected && Number(row?.newest ?? 0) >= newest, applied, expected };
}

async function appliedCount(handle: DatabaseHandle): Promise<number> {
  return (await migrationStatus(handle)).applied;
}

function isUndefinedTable(error: unknown): boolean {
  let current: unknown = error;
  for (let i = 0; i < 5 && current && typeof current === 'object'; i++) {
    const code = (current as { code?: unknown }).code;
    if (code === '42P01' || code === '3F000') return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}
