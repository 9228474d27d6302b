import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { withTransaction, type Database } from '../../src/db/index.ts';
import { testDatabaseKind, useTestDatabase } from '../support/database.ts';

const database = useTestDatabase();

/** Resolves once `parties` callers have arrived; later callers (a retried transaction) pass at once. */
function barrier(parties: number): () => Promise<void> {
  let arrived = 0;
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return async () => {
    arrived += 1;
    if (arrived === parties) open();
    await opened;
  };
}

describe(`withTransaction on ${testDatabaseKind}`, () => {
  // PGlite has one connection: two transactions never overlap there, so they cannot deadlock.
  it.runIf(testDatabaseKind === 'postgres')('runs again the transaction PostgreSQL ended to break a deadlock, so both changes land', async () => {
    const db = database.handle.db;
    await db.execute(sql`create table deadlock_probe (id int primary key, touched int not null default 0)`);
    await db.execute(sql`insert into deadlock_probe (id) values (1), (2)`);
    const bothHoldTheirFirstRow = barrier(2);
    let attempts = 0;
    // Each locks one row, waits until the other holds its own, then asks for the other's row.
    const lockInOrder = (first: number, second: number) =>
      withTransaction(db, async (tx: Database) => {
        attempts += 1;
        await tx.execute(sql`update deadlock_probe set touched = touched + 1 where id = ${first}`);
        await bothHoldTheirFirstRow();
        await tx.execute(sql`update deadlock_probe set touched = touched + 1 where id = ${second}`);
      });
    await Promise.all([lockInOrder(1, 2), lockInOrder(2, 1)]);
    expect(attempts).toBe(3);
    const result = await db.execute(sql`select id, touched from deadlock_probe order by id`);
    expect([...(result as unknown as Iterable<{ id: number; touched: number }>)]).toEqual([
      { id: 1, touched: 2 },
      { id: 2, touched: 2 },
    ]);
  });

  it('does not run again a transaction that failed for any other reason', async () => {
    let attempts = 0;
    await expect(
      withTransaction(database.handle.db, async (tx) => {
        attempts += 1;
        await tx.execute(sql`select 1 / 0`);
      }),
    ).rejects.toThrow();
    expect(attempts).toBe(1);
  });
});
