/**
 * Each test file gets a database of its own, already migrated: a copy of the PGlite template, or a
 * PostgreSQL database cloned from the run's template. Which one comes from the vitest project.
 */
import { randomBytes } from 'node:crypto';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import { afterAll, beforeAll, inject } from 'vitest';
import { openPglite, openPostgres, type DatabaseHandle } from '../../src/db/index.ts';
import { withDatabase } from './postgres-url.ts';

export type TestDatabaseKind = 'pglite' | 'postgres';

export const testDatabaseKind: TestDatabaseKind = process.env.ROSTER_TEST_DB === 'postgres' ? 'postgres' : 'pglite';

export interface TestDatabase {
  kind: TestDatabaseKind;
  handle: DatabaseHandle;
  /** Environment that points a spawned `roster` process at a database of the same kind. */
  env: Record<string, string>;
  dispose(): Promise<void>;
}

/**
 * A fresh, migrated, empty database. With `open: false` nothing is opened: a spawned process will
 * own it (PGlite allows one process per data directory).
 */
export async function createTestDatabase(options: { open?: boolean } = {}): Promise<TestDatabase> {
  const open = options.open ?? true;
  if (testDatabaseKind === 'pglite') {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'roster-test-'));
    await cp(inject('pgliteTemplateDir'), path.join(dataDir, 'pglite'), { recursive: true });
    const handle = open ? await openPglite({ dataDir: path.join(dataDir, 'pglite') }) : unopened();
    return {
      kind: 'pglite',
      handle,
      env: { DATA_DIR: dataDir },
      async dispose() {
        await handle.close();
        await rm(dataDir, { recursive: true, force: true });
      },
    };
  }

  const template = inject('postgresTemplate');
  const database = `roster_t_${template.runId}_${randomBytes(4).toString('hex')}`;
  const admin = postgres(template.url, { max: 1, onnotice: () => {} });
  await createFromTemplate(admin, database, template.database);
  const url = withDatabase(template.url, database);
  const handle = open ? openPostgres({ url, max: 4 }) : unopened();
  return {
    kind: 'postgres',
    handle,
    env: { DATABASE_URL: url, ROSTER_SECRET: 'test-secret-test-secret-test-secret-0123' },
    async dispose() {
      await handle.close();
      await admin.unsafe(`drop database if exists "${database}" with (force)`);
      await admin.end();
    },
  };
}

/**
 * Registers a per-file database with beforeAll/afterAll and returns a live view of it. With
 * `open: false` the file's spawned processes own it (see createTestDatabase) and `env` points them at it.
 */
export function useTestDatabase(options: { open?: boolean } = {}): {
  readonly handle: DatabaseHandle;
  readonly current: TestDatabase;
  readonly env: Record<string, string>;
} {
  let current: TestDatabase | undefined;
  beforeAll(async () => {
    current = await createTestDatabase(options);
  });
  afterAll(async () => {
    await current?.dispose();
  });
  return {
    get handle() {
      if (!current) throw new Error('the test database is created in beforeAll');
      return current.handle;
    },
    get current() {
      if (!current) throw new Error('the test database is created in beforeAll');
      return current;
    },
    get env() {
      if (!current) throw new Error('the test database is created in beforeAll');
      return current.env;
    },
  };
}

// PostgreSQL refuses to copy a template that another CREATE DATABASE is reading at that moment.
async function createFromTemplate(admin: postgres.Sql, database: string, template: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await admin.unsafe(`create database "${database}" template "${template}"`);
      return;
    } catch (error) {
      if ((error as { code?: string }).code !== '55006' || attempt >= 50) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50 + Math.random() * 100));
    }
  }
}

function unopened(): DatabaseHandle {
  const fail = () => {
    throw new Error('this test database was created with open: false');
  };
  return {
    kind: testDatabaseKind,
    get db() {
      return fail();
    },
    withAdvisoryLock: fail,
    close: async () => {},
  };
}

/**
 * Opens the database a spawned command uses (`env` as useTestDatabase({ open: false }) gives it)
 * for one piece of work, and closes it again: the embedded database admits one process at a time.
 */
export async function withDatabaseOf<T>(env: Record<string, string>, work: (handle: DatabaseHandle) => Promise<T>): Promise<T> {
  const handle =
    env.DATABASE_URL === undefined
      ? await openPglite({ dataDir: path.join(env.DATA_DIR!, 'pglite') })
      : openPostgres({ url: env.DATABASE_URL, max: 2 });
  try {
    return await work(handle);
  } finally {
    await handle.close();
  }
}
