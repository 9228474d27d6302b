import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config.ts';
import { openDatabase, rowsOf } from '../../src/db/index.ts';
import { testDatabaseKind, useTestDatabase } from '../support/database.ts';

const database = useTestDatabase();

describe(`database pool on ${testDatabaseKind}`, () => {
  it.runIf(testDatabaseKind === 'postgres')('opens no more connections than DATABASE_POOL_SIZE, however many statements wait', async () => {
    const config = parseConfig({
      DATABASE_URL: database.current.env.DATABASE_URL!,
      ROSTER_SECRET: 'x'.repeat(32),
      DATABASE_POOL_SIZE: '3',
    });
    const handle = await openDatabase(config);
    try {
      const backends = await Promise.all(
        Array.from({ length: 12 }, () => handle.db.execute(sql`select pg_backend_pid() as pid from pg_sleep(0.05)`)),
      );
      const pids = new Set(backends.map((result) => rowsOf<{ pid: number }>(result)[0]!.pid));
      expect(pids.size).toBe(3);
    } finally {
      await handle.close();
    }
  });
});
