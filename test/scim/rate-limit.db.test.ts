import type { Hono } from 'hono';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { openPostgres, type DatabaseHandle } from '../../src/db/index.ts';
import { createScimToken } from '../../src/directory/index.ts';
import { buildTestApp, scimRoutesApp } from '../support/app.ts';
import { testDatabaseKind, useTestDatabase } from '../support/database.ts';
import { createTestDirectory } from '../support/factories.ts';
import { countedRequests } from '../support/rate-limit-count.ts';

const database = useTestDatabase();
const SCIM_ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';
const MINUTE = Date.parse('2026-03-02T10:00:00.000Z');

/** The SCIM routes as app.ts mounts them, with a clock the test moves by hand. */
const limitedApp = (handle: DatabaseHandle, perMinute: number, clock: { ms: number }): Hono => scimRoutesApp(handle, { perMinute, clock });

const get = (app: Hono, directoryId: string, token: string) =>
  app.request(`/scim/v2/${directoryId}/ServiceProviderConfig`, { headers: { Authorization: `Bearer ${token}` } });

const counted = (tokenId: string) => countedRequests(database.handle, tokenId);

describe(`SCIM rate limit on ${testDatabaseKind}`, () => {
  it('admits exactly the limit in a window and answers the next request 429 with Retry-After and a SCIM error', async () => {
    const clock = { ms: MINUTE + 15_000 };
    const app = limitedApp(database.handle, 5, clock);
    const { directory, token } = await createTestDirectory(database.handle);

    for (let i = 1; i <= 5; i++) {
      const ok = await get(app, directory.id, token);
      expect(ok.status).toBe(200);
      expect(ok.headers.get('ratelimit-limit')).toBe('5');
      expect(ok.headers.get('ratelimit-remaining')).toBe(String(5 - i));
      expect(ok.headers.get('ratelimit-reset')).toBe('45');
    }
    clock.ms += 400;
    const refused = await get(app, directory.id, token);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('45');
    expect(refused.headers.get('ratelimit-remaining')).toBe('0');
    expect(refused.headers.get('content-type')).toMatch(/^application\/scim\+json/);
    const body = (await refused.json()) as Record<string, unknown>;
    expect(body).toEqual({
      schemas: [SCIM_ERROR],
      status: '429',
      detail: 'rate limit exceeded: at most 5 requests per minute per token; retry in 45 s',
    });
  });

  it('starts afresh when the window ends, keeping one row per token', async () => {
    const clock = { ms: MINUTE + 59_500 };
    const app = limitedApp(database.handle, 2, clock);
    const { directory, token, tokenId } = await createTestDirectory(database.handle);
    expect((await get(app, directory.id, token)).status).toBe(200);
    expect((await get(app, directory.id, token)).status).toBe(200);
    const refused = await get(app, directory.id, token);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('1');

    clock.ms = MINUTE + 60_000;
    const next = await get(app, directory.id, token);
    expect(next.status).toBe(200);
    expect(next.headers.get('ratelimit-remaining')).toBe('1');
    expect(next.headers.get('ratelimit-reset')).toBe('60');

    clock.ms = MINUTE + 10 * 60_000;
    expect((await get(app, directory.id, token)).status).toBe(200);
    expect(await counted(tokenId)).toBe(1);
  });

  it("never lets one token's traffic spend another's budget, across organizations or within a directory", async () => {
    const clock = { ms: MINUTE + 1_000 };
    const app = limitedApp(database.handle, 3, clock);
    const a = await createTestDirectory(database.handle);
    const b = await createTestDirectory(database.handle);
    const second = await createScimToken(a.org, { directoryId: a.directory.id });

    for (let i = 0; i < 3; i++) expect((await get(app, a.directory.id, a.token)).status).toBe(200);
    expect((await get(app, a.directory.id, a.token)).status).toBe(429);

    for (const [directoryId, token] of [
      [b.directory.id, b.token],
      [a.directory.id, second.token],
    ] as const) {
      for (let i = 0; i < 3; i++) expect((await get(app, directoryId, token)).status).toBe(200);
      expect((await get(app, directoryId, token)).status).toBe(429);
    }
  });

  it('counts only authenticated requests, so a flood of bad tokens cannot use up a directory budget', async () => {
    const clock = { ms: MINUTE + 1_000 };
    const app = limitedApp(database.handle, 2, clock);
    const { directory, token } = await createTestDirectory(database.handle);
    for (let i = 0; i < 5; i++) expect((await get(app, directory.id, `${token}x`)).status).toBe(401);
    expect((await get(app, directory.id, token)).status).toBe(200);
    expect((await get(app, directory.id, token)).status).toBe(200);
  });

  describe('under concurrency', () => {
    // On PostgreSQL a wider pool than the test default, so that the upserts really race.
    let handle: DatabaseHandle;
    beforeAll(() => {
      handle =
        database.current.kind === 'postgres'
          ? openPostgres({ url: database.current.env.DATABASE_URL!, max: 20 })
          : database.handle;
    });
    afterAll(async () => {
      if (handle !== database.handle) await handle.close();
    });

    it('lets exactly 100 of 200 parallel requests through with a limit of 100', async () => {
      const clock = { ms: MINUTE + 30_000 };
      const app = limitedApp(handle, 100, clock);
      const { directory, token, tokenId } = await createTestDirectory(database.handle);
      const responses = await Promise.all(Array.from({ length: 200 }, () => get(app, directory.id, token)));
      const statuses = responses.map((r) => r.status);
      expect(statuses.filter((s) => s === 200)).toHaveLength(100);
      expect(statuses.filter((s) => s === 429)).toHaveLength(100);
      const remaining = responses.filter((r) => r.status === 200).map((r) => Number(r.headers.get('ratelimit-remaining')));
      expect(new Set(remaining).size).toBe(100);
      expect(await counted(tokenId)).toBe(200);
    });
  });
});

describe(`SCIM rate limit from the configuration on ${testDatabaseKind}`, () => {
  // The real app reads the clock itself; freezing Date mid-window keeps the requests in one window.
  beforeAll(() => {
    vi.useFakeTimers({ toFake: ['Date'], now: MINUTE + 20_000 });
  });
  afterEach(() => {
    vi.setSystemTime(MINUTE + 20_000);
  });
  afterAll(() => {
    vi.useRealTimers();
  });

  it('applies SCIM_RATE_LIMIT_PER_MINUTE', async () => {
    const { app } = buildTestApp(database.handle, { SCIM_RATE_LIMIT_PER_MINUTE: '3' });
    const { directory, token } = await createTestDirectory(database.handle);
    for (let i = 0; i < 3; i++) expect((await get(app, directory.id, token)).status).toBe(200);
    const refused = await get(app, directory.id, token);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('40');
  });

  it('turns the limit off with SCIM_RATE_LIMIT_PER_MINUTE=0: no headers, no refusals, no rows', async () => {
    const { app } = buildTestApp(database.handle, { SCIM_RATE_LIMIT_PER_MINUTE: '0' });
    const { directory, token, tokenId } = await createTestDirectory(database.handle);
    for (let i = 0; i < 30; i++) {
      const response = await get(app, directory.id, token);
      expect(response.status).toBe(200);
      expect(response.headers.get('ratelimit-limit')).toBeNull();
    }
    expect(await counted(tokenId)).toBeUndefined();
  });

  it('is on by default with a generous budget', async () => {
    const { app } = buildTestApp(database.handle);
    const { directory, token } = await createTestDirectory(database.handle);
    const response = await get(app, directory.id, token);
    expect(response.status).toBe(200);
    expect(response.headers.get('ratelimit-limit')).toBe('6000');
    expect(response.headers.get('ratelimit-remaining')).toBe('5999');
  });
});
