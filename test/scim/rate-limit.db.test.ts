import type { Hono } from 'hono';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { sql } from 'drizzle-orm';
import { openPostgres, rowsOf, type DatabaseHandle } from '../../src/db/index.ts';
import { createScimToken, type RequestLogEntry } from '../../src/directory/index.ts';
import type { RequestLogSink } from '../../src/scim/index.ts';
import { buildTestApp, scimRoutesApp, TEST_PUBLIC_URL } from '../support/app.ts';
import { testDatabaseKind, useTestDatabase } from '../support/database.ts';
import { createTestDirectory } from '../support/factories.ts';
import { countedRequests } from '../support/rate-limit-count.ts';
import { clientFor, PATCH_URN, USER_URN } from '../support/scim-client.ts';

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

  it('refuses every route once the budget is spent: 429 with nothing of the resource, nothing changed, and logged', async () => {
    const logged: RequestLogEntry[] = [];
    const sink: RequestLogSink = { enqueue: (entry) => void logged.push(entry) };
    const app = scimRoutesApp(database.handle, { perMinute: 3, clock: { ms: MINUTE + 30_000 }, requestLog: sink });
    const { directory, token } = await createTestDirectory(database.handle);
    const base = `${TEST_PUBLIC_URL}/scim/v2/${directory.id}`;
    const client = clientFor(app, base, token);
    const user = await client.createUser('Ada.Lovelace@example.com', { name: { familyName: 'Lovelace' } });
    const group = await client.createGroup('Engineering');
    expect((await client.send('GET', `/Users/${user.id}`)).status).toBe(200);

    const deactivate = { schemas: [PATCH_URN], Operations: [{ op: 'replace', value: { active: false } }] };
    const addMember = { schemas: [PATCH_URN], Operations: [{ op: 'Add', path: 'members', value: [{ value: user.id }] }] };
    const refused: [string, string, unknown?][] = [
      ['GET', `/Users/${user.id}`],
      ['GET', `/Users?filter=${encodeURIComponent('userName eq "Ada.Lovelace@example.com"')}`],
      ['GET', '/Users?filter=bad'],
      ['GET', `/Groups/${group.id}`],
      ['POST', '/Users', { schemas: [USER_URN], userName: 'grace@example.com' }],
      ['POST', '/Users', '{not json'],
      ['PUT', `/Users/${user.id}`, { schemas: [USER_URN], userName: 'z@example.com' }],
      ['PATCH', `/Users/${user.id}`, deactivate],
      ['PATCH', `/Groups/${group.id}`, addMember],
    ];
    for (const [method, path, body] of refused) {
      const reply = await client.send(method, path, body);
      expect(reply.status, `${method} ${path}`).toBe(429);
      expect(reply.headers.get('retry-after')).toBe('30');
      expect(reply.headers.get('ratelimit-remaining')).toBe('0');
      for (const header of ['etag', 'location']) expect(reply.headers.get(header)).toBeNull();
      expect(reply.text).not.toContain('Lovelace');
      expect(reply.body).toMatchObject({ schemas: [SCIM_ERROR], status: '429' });
    }
    expect(logged.slice(-refused.length).map((e) => [e.method, e.status])).toEqual(refused.map(([method]) => [method, 429]));
    expect(logged.at(-1)).toMatchObject({ directoryId: directory.id, requestBody: null });
    const [row] = rowsOf<{ users: number | string; active: boolean; version: number; members: number | string }>(
      await database.handle.db.execute(sql`
        select (select count(*) from directory_users where directory_id = ${directory.id}) as users,
          u.active, u.version, (select count(*) from directory_group_members where group_id = ${group.id}) as members
        from directory_users u where u.id = ${user.id}`),
    );
    expect({ ...row, users: Number(row?.users), members: Number(row?.members) }).toEqual({ users: 1, active: true, version: 1, members: 0 });
  });

  it("refreshes the token's last use at most once a minute", async () => {
    const clock = { ms: MINUTE + 1_000 };
    const app = limitedApp(database.handle, 100, clock);
    const { directory, token, tokenId } = await createTestDirectory(database.handle);
    const lastUsed = async () => {
      const [row] = rowsOf<{ ms: number | string | null }>(
        await database.handle.db.execute(sql`select extract(epoch from last_used_at) * 1000 as ms from scim_tokens where id = ${tokenId}`),
      );
      return row?.ms === null || row?.ms === undefined ? null : Number(row.ms);
    };
    expect(await lastUsed()).toBeNull();
    for (const [at, expected] of [
      [1_000, 1_000],
      [30_000, 1_000],
      [60_999, 1_000],
      [61_000, 61_000],
      [90_000, 61_000],
    ] as const) {
      clock.ms = MINUTE + at;
      expect((await get(app, directory.id, token)).status).toBe(200);
      expect(await lastUsed()).toBe(MINUTE + expected);
    }
    clock.ms = MINUTE + 300_000;
    expect((await get(app, directory.id, `${token}x`)).status).toBe(401);
    expect(await lastUsed()).toBe(MINUTE + 61_000);
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
