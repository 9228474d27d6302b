import { eq, sql } from 'drizzle-orm';
import { describe, expect, it, onTestFinished } from 'vitest';
import { firstRow, openPostgres, rowsOf, schema } from '../../src/db/index.ts';
import { admitScimRequest, revokeScimToken, scimTokenDigest, type RequestBudget } from '../../src/directory/index.ts';
import { testDatabaseKind, useTestDatabase } from '../support/database.ts';
import { createTestDirectory } from '../support/factories.ts';
import { countedRequests } from '../support/rate-limit-count.ts';

const database = useTestDatabase();
const MINUTE = Date.parse('2026-03-02T10:00:00.000Z');
const WINDOW = 60_000;
const at = (ms: number) => new Date(MINUTE + ms);
const TWO_PER_MINUTE: RequestBudget = { limit: 2, windowMs: WINDOW };

type TestDirectory = Awaited<ReturnType<typeof createTestDirectory>>;
const admit = (directoryId: string, token: string, budget: RequestBudget | undefined, now: Date) =>
  admitScimRequest(database.handle.db, { directoryId, digest: scimTokenDigest(token), budget, now });
/** Admits one request of the directory's token and returns the rate limit's verdict. */
async function consume(d: TestDirectory, now: Date) {
  const admission = await admit(d.directory.id, d.token, TWO_PER_MINUTE, now);
  if (!admission) throw new Error('the token was refused');
  return admission.rateLimit;
}

async function rowCount(tokenId: string): Promise<number> {
  const result = await database.handle.db.execute(sql`select count(*)::int as n from scim_rate_limits where token_id = ${tokenId}`);
  return firstRow<{ n: number }>(result)?.n ?? -1;
}

describe(`rate limit counting on ${testDatabaseKind}`, () => {
  it('counts in fixed windows and reports what is left and when the window ends', async () => {
    const d = await createTestDirectory(database.handle);
    expect(await consume(d, at(10_000))).toEqual({ limit: 2, allowed: true, remaining: 1, retryAfterSeconds: 50 });
    expect(await consume(d, at(20_000))).toEqual({ limit: 2, allowed: true, remaining: 0, retryAfterSeconds: 40 });
    expect(await consume(d, at(59_999))).toEqual({ limit: 2, allowed: false, remaining: 0, retryAfterSeconds: 1 });
    expect(await consume(d, at(60_000))).toEqual({ limit: 2, allowed: true, remaining: 1, retryAfterSeconds: 60 });
    expect(await rowCount(d.tokenId)).toBe(1);
  });

  it('counts a request from an instance whose clock lags towards the newer window instead of resetting it', async () => {
    const d = await createTestDirectory(database.handle);
    await consume(d, at(60_100));
    const lagging = await consume(d, at(59_900));
    expect(lagging).toEqual({ limit: 2, allowed: true, remaining: 0, retryAfterSeconds: 61 });
    expect((await consume(d, at(60_200)))?.allowed).toBe(false);
  });

  it('keeps its counts in an unlogged table and an unlogged sequence per token, both forgotten with the token', async () => {
    const d = await createTestDirectory(database.handle);
    await consume(d, at(0));
    expect(await rowCount(d.tokenId)).toBe(1);
    const counter = firstRow<{ counter: string }>(
      await database.handle.db.execute(sql`select request_counter::text as counter from scim_tokens where id = ${d.tokenId}`),
    )?.counter;
    const persistence = async () =>
      rowsOf<{ relname: string; relpersistence: string }>(
        await database.handle.db.execute(sql`
          select relname, relpersistence from pg_class where relname in ('scim_rate_limits', ${counter}) order by relname`),
      );
    expect(await persistence()).toEqual([
      { relname: 'scim_rate_limits', relpersistence: 'u' },
      { relname: counter, relpersistence: 'u' },
    ]);

    await database.handle.db.delete(schema.scimTokens).where(eq(schema.scimTokens.id, d.tokenId));
    expect(await rowCount(d.tokenId)).toBe(0);
    expect(await persistence()).toEqual([{ relname: 'scim_rate_limits', relpersistence: 'u' }]);
  });

  it('opens a window once when many requests race to open it, counts every request once, and only then writes the window', async () => {
    // On PostgreSQL a wider pool than the test default, so that the statements really race.
    const handle = database.current.kind === 'postgres' ? openPostgres({ url: database.current.env.DATABASE_URL!, max: 20 }) : database.handle;
    onTestFinished(async () => {
      if (handle !== database.handle) await handle.close();
    });
    const d = await createTestDirectory(database.handle);
    const budget: RequestBudget = { limit: 1000, windowMs: WINDOW };
    const admitMany = (n: number, now: Date) =>
      Promise.all(
        Array.from({ length: n }, () => admitScimRequest(handle.db, { directoryId: d.directory.id, digest: scimTokenDigest(d.token), budget, now })),
      );
    const counts = (admissions: Awaited<ReturnType<typeof admitMany>>) =>
      admissions.map((a) => budget.limit - a!.rateLimit!.remaining).sort((x, y) => x - y);

    const first = await admitMany(40, at(1_000));
    expect(counts(first)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    const windowRow = async () =>
      firstRow<{ xmin: string; start: string }>(
        await database.handle.db.execute(sql`select xmin::text, window_start::text as start from scim_rate_limits where token_id = ${d.tokenId}`),
      );
    expect(await rowCount(d.tokenId)).toBe(1);
    const opened = await windowRow();

    const more = await admitMany(10, at(2_000));
    expect(counts(more)).toEqual(Array.from({ length: 10 }, (_, i) => i + 41));
    expect(await windowRow()).toEqual(opened);
    expect(await countedRequests(database.handle, d.tokenId)).toBe(50);

    const next = await admitMany(30, at(61_000));
    expect(counts(next)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    expect(await countedRequests(database.handle, d.tokenId)).toBe(30);
  });

  it('admits a request without counting it when there is no budget, and counts nothing for a refused token', async () => {
    const d = await createTestDirectory(database.handle);
    const admission = await admit(d.directory.id, d.token, undefined, at(0));
    expect(admission).toEqual({ principal: expect.objectContaining({ directoryId: d.directory.id, tokenId: d.tokenId }) });
    expect(await admit(d.directory.id, `${d.token}x`, TWO_PER_MINUTE, at(0))).toBeUndefined();
    expect(await rowCount(d.tokenId)).toBe(0);
  });

  it("refuses a revoked token and another directory's token without counting them", async () => {
    const d = await createTestDirectory(database.handle);
    const other = await createTestDirectory(database.handle);
    expect(await admit(other.directory.id, d.token, TWO_PER_MINUTE, at(0))).toBeUndefined();
    expect(await admit('not-a-directory-id', d.token, TWO_PER_MINUTE, at(0))).toBeUndefined();
    expect(await rowCount(d.tokenId)).toBe(0);
    expect(await consume(d, at(1_000))).toMatchObject({ allowed: true, remaining: 1 });
    await revokeScimToken(d.org, { directoryId: d.directory.id, tokenId: d.tokenId });
    expect(await admit(d.directory.id, d.token, TWO_PER_MINUTE, at(2_000))).toBeUndefined();
    expect(await countedRequests(database.handle, d.tokenId)).toBe(1);
  });

  it("refreshes the token's last use at most once a minute", async () => {
    const d = await createTestDirectory(database.handle);
    const lastUsed = async () =>
      (await database.handle.db.select().from(schema.scimTokens).where(eq(schema.scimTokens.id, d.tokenId)))[0]?.lastUsedAt?.getTime();
    await consume(d, at(1_000));
    expect(await lastUsed()).toBe(MINUTE + 1_000);
    await consume(d, at(30_000));
    expect(await lastUsed()).toBe(MINUTE + 1_000);
    await consume(d, at(61_000));
    expect(await lastUsed()).toBe(MINUTE + 61_000);
    const tokenRow = async () =>
      firstRow<{ xmin: string }>(await database.handle.db.execute(sql`select xmin::text from scim_tokens where id = ${d.tokenId}`));
    const written = await tokenRow();
    // Within the minute, admissions only read the token's row; a refused token never touches it.
    await admit(d.directory.id, d.token, undefined, at(62_000));
    await admit(d.directory.id, `${d.token}x`, undefined, at(200_000));
    expect(await tokenRow()).toEqual(written);
    expect(await lastUsed()).toBe(MINUTE + 61_000);
  });
});
