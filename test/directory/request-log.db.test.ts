import { sql, type SQLWrapper } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import {
  listRequests,
  organizationOfDirectory,
  pruneRequests,
  recordRequests,
  requestLogPage,
  type RequestLogEntry,
} from '../../src/directory/index.ts';
import { startRequestLogPruner } from '../../src/jobs/index.ts';
import { testDatabaseKind, useTestDatabase } from '../support/database.ts';
import { capturedLogger } from '../support/logger.ts';
import { contextFor, createTestDirectory } from '../support/factories.ts';

const database = useTestDatabase();
const DAY = 24 * 60 * 60 * 1000;

async function directoryWithEntries(ages: { daysAgo: number; status?: number }[], options: { sameTime?: boolean } = {}) {
  const dir = await createTestDirectory(database.handle);
  const now = Date.now();
  const entries: RequestLogEntry[] = ages.map(({ daysAgo, status = 200 }, i) => ({
    organizationId: dir.org.organization.id,
    directoryId: dir.directory.id,
    time: new Date(now - daysAgo * DAY - (options.sameTime ? 0 : i)),
    method: 'GET',
    path: `/Users/${i}`,
    filter: null,
    status,
    scimType: status >= 400 ? 'invalidValue' : null,
    durationMs: 1,
    resourceType: null,
    resourceId: null,
    requestBody: null,
    userAgent: null,
    requestId: `req-${daysAgo}-${i}`,
  }));
  expect(await recordRequests(database.handle.db, entries)).toBe(entries.length);
  const list = (input: { failedOnly?: boolean; limit?: number; before?: Date | { entry: string } } = {}) =>
    listRequests(dir.org, { directoryId: dir.directory.id, limit: 100, ...input });
  return { dir, list };
}

describe(`request log storage on ${testDatabaseKind}`, () => {
  it('lists newest first, failures only on request, in pages', async () => {
    const { list } = await directoryWithEntries([{ daysAgo: 3 }, { daysAgo: 2, status: 409 }, { daysAgo: 1 }, { daysAgo: 0, status: 500 }]);
    expect((await list()).map((e) => e.requestId)).toEqual(['req-0-3', 'req-1-2', 'req-2-1', 'req-3-0']);
    expect((await list({ failedOnly: true })).map((e) => [e.status, e.scimType])).toEqual([
      [500, 'invalidValue'],
      [409, 'invalidValue'],
    ]);
    const first = await list({ limit: 2 });
    const next = await list({ limit: 2, before: first.at(-1)!.time });
    expect(next.map((e) => e.requestId)).toEqual(['req-2-1', 'req-3-0']);
  });

  it('pages by entry id without skipping or repeating requests that share a millisecond', async () => {
    const { list } = await directoryWithEntries(
      Array.from({ length: 7 }, (_, i) => ({ daysAgo: 0, status: i % 2 === 0 ? 200 : 404 })),
      { sameTime: true },
    );
    const everything = (await list()).map((e) => e.requestId);
    expect(everything).toHaveLength(7);
    const paged: string[] = [];
    for (let page = await list({ limit: 3 }); page.length > 0; page = await list({ limit: 3, before: { entry: page.at(-1)!.id } })) {
      paged.push(...page.map((e) => e.requestId));
    }
    expect(paged).toEqual(everything);
    // Paging by the time of the last entry shown, as --before <time> does, would have stopped after the first page.
    const first = await list({ limit: 3 });
    expect(await list({ limit: 3, before: first.at(-1)!.time })).toEqual([]);

    const failed = await list({ failedOnly: true, limit: 2 });
    const olderFailed = await list({ failedOnly: true, before: { entry: failed.at(-1)!.id } });
    expect([...failed, ...olderFailed].map((e) => e.status)).toEqual([404, 404, 404]);
  });

  it("refuses a cursor that is not one of the directory's entries", async () => {
    const mine = await directoryWithEntries([{ daysAgo: 0 }]);
    const theirs = await directoryWithEntries([{ daysAgo: 0 }]);
    const [foreign] = await theirs.list();
    await expect(mine.list({ before: { entry: foreign!.id } })).rejects.toMatchObject({ code: 'invalid_input' });
    await expect(mine.list({ before: { entry: '0190d0a4-0000-7000-8000-0000000000ff' } })).rejects.toMatchObject({ code: 'invalid_input' });
    await expect(mine.list({ before: { entry: 'not-an-id' } })).rejects.toMatchObject({ code: 'invalid_input' });
  });

  it('refuses a limit out of bounds', async () => {
    const { list } = await directoryWithEntries([]);
    await expect(list({ limit: 0 })).rejects.toMatchObject({ code: 'invalid_input' });
    await expect(list({ limit: 1001 })).rejects.toMatchObject({ code: 'invalid_input' });
  });

  it('prunes only entries older than the cut-off', async () => {
    const old = await directoryWithEntries([{ daysAgo: 45 }, { daysAgo: 31 }, { daysAgo: 29 }, { daysAgo: 0 }]);
    const other = await directoryWithEntries([{ daysAgo: 40 }, { daysAgo: 1 }]);
    const deleted = await pruneRequests(database.handle.db, new Date(Date.now() - 30 * DAY));
    // Other test files' directories live in other databases; this file's earlier tests wrote none that old.
    expect(deleted).toBe(3);
    expect((await old.list()).map((e) => e.requestId)).toEqual(['req-0-3', 'req-29-2']);
    expect((await other.list()).map((e) => e.requestId)).toEqual(['req-1-1']);
  });

  it('prunes at start and then on its interval, with the configured retention', async () => {
    const { list } = await directoryWithEntries([{ daysAgo: 10 }, { daysAgo: 6 }, { daysAgo: 1 }]);
    const { logger, lines } = capturedLogger();
    const pruner = startRequestLogPruner({ db: database.handle.db, logger, retentionDays: 7 });
    try {
      // runOnce joins the prune that started with the pruner; earlier tests' old entries go too.
      expect(await pruner.runOnce()).toBeGreaterThanOrEqual(1);
      expect((await list()).map((e) => e.requestId)).toEqual(['req-1-2', 'req-6-1']);
      expect(lines.some((l) => l.includes('scim request log pruned'))).toBe(true);
      expect(await pruner.runOnce()).toBe(0);
    } finally {
      await pruner.stop();
    }
  });

  it('reads a listing from the time index, newest first, without sorting the log', async () => {
    // Two directories with 4,000 entries each, one in ten failed, and fresh statistics: what a
    // listing costs must not grow with the log, so its plan walks an index backwards and stops.
    const ages = Array.from({ length: 4000 }, (_, i) => ({ daysAgo: i / 4000, status: i % 10 === 0 ? 500 : 200 }));
    const { dir } = await directoryWithEntries(ages);
    await directoryWithEntries(ages);
    await database.handle.db.execute(sql`analyze scim_request_log`);
    const plan = async (query: SQLWrapper) => {
      const result = await database.handle.db.execute(sql`explain ${query}`);
      // postgres.js returns the rows as the result, PGlite inside `rows`.
      const rows = (Array.isArray(result) ? result : (result as { rows: unknown[] }).rows) as Record<string, string>[];
      return rows.map((row) => row['QUERY PLAN']).join('\n');
    };
    const [newest] = await listRequests(dir.org, { directoryId: dir.directory.id, limit: 1 });
    const pages = [
      { failedOnly: false, before: undefined },
      { failedOnly: false, before: new Date(Date.now() - 1000) },
      { failedOnly: false, before: { id: newest!.id, createdAt: newest!.time } },
      { failedOnly: true, before: undefined },
      { failedOnly: true, before: { id: newest!.id, createdAt: newest!.time } },
    ];
    for (const page of pages) {
      const shown = await plan(requestLogPage(dir.org, dir.directory.id, { ...page, limit: 50 }));
      expect(shown).toMatch(page.failedOnly ? /Index Scan Backward using scim_request_log_directory_failed_idx/ : /Index Scan Backward using scim_request_log_directory_idx/);
      expect(shown).not.toMatch(/Sort/);
    }
  });

  it('finds the organization of a directory named alone', async () => {
    const { dir } = await directoryWithEntries([]);
    expect(await organizationOfDirectory(contextFor(database.handle), dir.directory.id)).toEqual(dir.org.organization);
    await expect(organizationOfDirectory(contextFor(database.handle), '0190d0a4-0000-7000-8000-0000000000ff')).rejects.toMatchObject({
      code: 'not_found',
    });
    await expect(organizationOfDirectory(contextFor(database.handle), 'not-a-uuid')).rejects.toMatchObject({ code: 'not_found' });
  });
});
