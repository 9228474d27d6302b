import { sql } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { openPostgres } from '../../src/db/index.ts';
import { postgresAnswers, TEST_DATABASE_URL } from '../support/postgres-url.ts';

const reachable = await postgresAnswers();
const STATEMENTS = 10_000;

/**
 * A pool of postgres.js connections keeps each connection in a queue, and a busy pool moves a
 * connection between queues for every statement it sends. The driver as published scans a queue
 * from its start on every move, over slots that grow by one per statement while the pool stays busy
 * (porsager/postgres#747): after N statements each move scans about N slots. Roster loads it with a
 * queue that does not grow (src/db/postgres-driver.ts); this counts what the moves scan.
 */
describe.skipIf(!reachable)('the postgres.js pool under a busy pipelined load', () => {
  const originalIndexOf = Array.prototype.indexOf;
  afterAll(() => {
    Array.prototype.indexOf = originalIndexOf;
  });

  it(`scans a bounded number of queue slots per statement, after ${STATEMENTS} statements as after the first`, async () => {
    const handle = openPostgres({ url: TEST_DATABASE_URL, max: 4 });
    const scans: number[] = [];
    // A queue move looks a connection up with indexOf: record how many slots each lookup covers.
    Array.prototype.indexOf = function (this: unknown[], value: unknown, from?: number) {
      if (isConnection(value)) scans.push(this.length - (from ?? 0));
      return originalIndexOf.call(this, value, from);
    };
    try {
      let sent = 0;
      // 32 callers on 4 connections: every connection stays busy, pipelining several statements.
      await Promise.all(
        Array.from({ length: 32 }, async () => {
          while (sent < STATEMENTS) {
            sent += 1;
            await handle.db.execute(sql`select 1`);
          }
        }),
      );
    } finally {
      Array.prototype.indexOf = originalIndexOf;
      await handle.close();
    }
    // The busy path was taken for most statements (otherwise this proves nothing)…
    expect(scans.length).toBeGreaterThan(STATEMENTS / 2);
    // …and no lookup covered more than a few slots: with the published queue the last ones cover
    // thousands.
    expect(Math.max(...scans)).toBeLessThanOrEqual(8);
  }, 180_000);
});

function isConnection(value: unknown): boolean {
  return typeof value === 'object' && value !== null && 'queue' in value && typeof (value as { execute?: unknown }).execute === 'function';
}
