import { describe, expect, it } from 'vitest';
import { openPostgres } from '../../src/db/index.ts';
import { listRequests, type RequestLogEntry } from '../../src/directory/index.ts';
import { RequestLogWriter } from '../../src/jobs/index.ts';
import { testDatabaseKind, useTestDatabase } from '../support/database.ts';
import { capturedLogger } from '../support/logger.ts';
import { createTestDirectory } from '../support/factories.ts';

const database = useTestDatabase();

async function directoryEntries() {
  const dir = await createTestDirectory(database.handle);
  let n = 0;
  const entry = (extra: Partial<RequestLogEntry> = {}): RequestLogEntry => ({
    organizationId: dir.org.organization.id,
    directoryId: dir.directory.id,
    time: new Date(Date.now() + n),
    method: 'GET',
    path: `/Users/${n++}`,
    filter: null,
    status: 200,
    scimType: null,
    durationMs: 3,
    resourceType: null,
    resourceId: null,
    requestBody: null,
    userAgent: 'test',
    requestId: `req-${n}`,
    ...extra,
  });
  const stored = () => listRequests(dir.org, { directoryId: dir.directory.id, limit: 1000 });
  return { dir, entry, stored };
}

describe(`request log writer on ${testDatabaseKind}`, () => {
  it('writes many entries in few INSERTs, and all of them', async () => {
    const { entry, stored } = await directoryEntries();
    const { logger } = capturedLogger();
    const writer = new RequestLogWriter({ db: database.handle.db, logger, batchSize: 10, flushIntervalMs: 60_000 });
    for (let i = 0; i < 35; i++) writer.enqueue(entry());
    await writer.flush();
    expect(writer.stats).toEqual({ written: 35, batches: 4, dropped: 0, failed: 0 });
    expect(await stored()).toHaveLength(35);
    await writer.close();
  });

  it('writes a partial batch once the interval has passed', async () => {
    const { entry, stored } = await directoryEntries();
    const { logger } = capturedLogger();
    const writer = new RequestLogWriter({ db: database.handle.db, logger, flushIntervalMs: 20 });
    writer.enqueue(entry());
    writer.enqueue(entry());
    await expect.poll(() => writer.stats.written, { timeout: 5000 }).toBe(2);
    expect(writer.stats.batches).toBe(1);
    expect(await stored()).toHaveLength(2);
    await writer.close();
  });

  it('writes what is still queued when closed, and refuses entries afterwards', async () => {
    const { entry, stored } = await directoryEntries();
    const { logger, lines } = capturedLogger();
    const writer = new RequestLogWriter({ db: database.handle.db, logger, flushIntervalMs: 60_000 });
    for (let i = 0; i < 5; i++) writer.enqueue(entry());
    expect(await stored()).toHaveLength(0);
    await writer.close();
    expect(await stored()).toHaveLength(5);

    writer.enqueue(entry());
    await writer.close();
    expect(writer.stats).toMatchObject({ written: 5, dropped: 1 });
    expect(lines.some((l) => l.includes('entries dropped after close'))).toBe(true);
  });

  it('drops and counts entries beyond a full queue, with a warning', async () => {
    const { entry, stored } = await directoryEntries();
    const { logger, lines } = capturedLogger();
    const writer = new RequestLogWriter({ db: database.handle.db, logger, maxQueue: 3, batchSize: 100, flushIntervalMs: 60_000 });
    for (let i = 0; i < 7; i++) writer.enqueue(entry());
    expect(writer.stats.dropped).toBe(4);
    const warning = lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.msg === 'scim request log: queue full, entries dropped');
    expect(warning).toMatchObject({ level: 'warn', dropped: 1, maxQueue: 3 });
    await writer.close();
    expect(await stored()).toHaveLength(3);
  });

  it('drops entries whose bodies would take the queue past its memory bound', async () => {
    const { entry, stored } = await directoryEntries();
    const { logger } = capturedLogger();
    const writer = new RequestLogWriter({ db: database.handle.db, logger, maxQueueBytes: 64 * 1024, flushIntervalMs: 60_000 });
    const body = { members: 'm'.repeat(20_000) };
    for (let i = 0; i < 3; i++) writer.enqueue(entry({ requestBody: body }));
    writer.enqueue(entry());
    expect(writer.stats.dropped).toBe(2);
    await writer.close();
    expect(await stored()).toHaveLength(2);
  });

  it('keeps the entries of other directories when one directory was deleted meanwhile', async () => {
    const live = await directoryEntries();
    const gone = await directoryEntries();
    const { logger } = capturedLogger();
    const writer = new RequestLogWriter({ db: database.handle.db, logger, flushIntervalMs: 60_000 });
    writer.enqueue(live.entry());
    writer.enqueue(gone.entry({ directoryId: '0190d0a4-0000-7000-8000-0000000000ff' as RequestLogEntry['directoryId'] }));
    writer.enqueue(live.entry());
    await writer.close();
    expect(writer.stats).toMatchObject({ written: 2, failed: 0 });
    expect(await live.stored()).toHaveLength(2);
  });

  it('survives a database that fails, logging the error but never the bodies', async () => {
    const { entry } = await directoryEntries();
    const { logger, lines } = capturedLogger();
    const unreachable = openPostgres({ url: 'postgres://nobody@127.0.0.1:1/nothing', max: 1 });
    try {
      const writer = new RequestLogWriter({ db: unreachable.db, logger, batchSize: 2, flushIntervalMs: 10 });
      for (let i = 0; i < 3; i++) writer.enqueue(entry({ requestBody: { userName: 'body-marker-do-not-log' } }));
      await expect.poll(() => writer.stats.failed, { timeout: 10_000 }).toBe(3);
      await expect(writer.close()).resolves.toBeUndefined();
      expect(writer.stats).toMatchObject({ written: 0, failed: 3 });
      const errors = lines.map((l) => JSON.parse(l) as { level: string; msg: string; err?: { message: string }; lost?: number });
      const failure = errors.find((l) => l.msg === 'scim request log: writing entries failed, entries lost');
      expect(failure).toMatchObject({ level: 'error', lost: 2, err: { message: expect.any(String) } });
      expect(lines.join('\n')).not.toContain('body-marker-do-not-log');
      expect(lines.join('\n')).not.toContain('insert into');
    } finally {
      await unreachable.close();
    }
  });
});
