import { eq, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { firstRow, schema } from '../../src/db/index.ts';
import { consumeRateLimit } from '../../src/directory/index.ts';
import { testDatabaseKind, useTestDatabase } from '../support/database.ts';
import { createTestDirectory } from '../support/factories.ts';

const database = useTestDatabase();
const MINUTE = Date.parse('2026-03-02T10:00:00.000Z');
const WINDOW = 60_000;
const at = (ms: number) => new Date(MINUTE + ms);

async function rowCount(tokenId: string): Promise<number> {
  const result = await database.handle.db.execute(sql`select count(*)::int as n from scim_rate_limits where token_id = ${tokenId}`);
  return firstRow<{ n: number }>(result)?.n ?? -1;
}

describe(`consumeRateLimit on ${testDatabaseKind}`, () => {
  it('counts in fixed windows and reports what is left and when the window ends', async () => {
    const { tokenId } = await createTestDirectory(database.handle);
    const db = database.handle.db;
    expect(await consumeRateLimit(db, tokenId, 2, WINDOW, at(10_000))).toEqual({ allowed: true, remaining: 1, retryAfterSeconds: 50 });
    expect(await consumeRateLimit(db, tokenId, 2, WINDOW, at(20_000))).toEqual({ allowed: true, remaining: 0, retryAfterSeconds: 40 });
    expect(await consumeRateLimit(db, tokenId, 2, WINDOW, at(59_999))).toEqual({ allowed: false, remaining: 0, retryAfterSeconds: 1 });
    expect(await consumeRateLimit(db, tokenId, 2, WINDOW, at(60_000))).toEqual({ allowed: true, remaining: 1, retryAfterSeconds: 60 });
    expect(await rowCount(tokenId)).toBe(1);
  });

  it('counts a request from an instance whose clock lags towards the newer window instead of resetting it', async () => {
    const { tokenId } = await createTestDirectory(database.handle);
    const db = database.handle.db;
    await consumeRateLimit(db, tokenId, 2, WINDOW, at(60_100));
    const lagging = await consumeRateLimit(db, tokenId, 2, WINDOW, at(59_900));
    expect(lagging).toEqual({ allowed: true, remaining: 0, retryAfterSeconds: 61 });
    expect((await consumeRateLimit(db, tokenId, 2, WINDOW, at(60_200))).allowed).toBe(false);
  });

  it('keeps its rows in an unlogged table that forgets a token with the token', async () => {
    const result = await database.handle.db.execute(sql`select relpersistence from pg_class where relname = 'scim_rate_limits'`);
    expect(firstRow<{ relpersistence: string }>(result)?.relpersistence).toBe('u');

    const { tokenId } = await createTestDirectory(database.handle);
    await consumeRateLimit(database.handle.db, tokenId, 2, WINDOW, at(0));
    expect(await rowCount(tokenId)).toBe(1);
    await database.handle.db.delete(schema.scimTokens).where(eq(schema.scimTokens.id, tokenId));
    expect(await rowCount(tokenId)).toBe(0);
  });
});
