import { once } from 'node:events';
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { sql } from 'drizzle-orm';
import { Hono } from 'hono';
import { describe, expect, it, onTestFinished } from 'vitest';
import { openPostgres, rowsOf, type Database } from '../../src/db/index.ts';
import { revokeScimToken, type RequestLogEntry } from '../../src/directory/index.ts';
import { createLogger } from '../../src/http/index.ts';
import { FailedAuthThrottle, scimLimits, scimRoutes, type RequestLogSink } from '../../src/scim/index.ts';
import { testDatabaseKind, useTestDatabase } from '../support/database.ts';
import { createTestDirectory } from '../support/factories.ts';
import { buildTestApp, TEST_PUBLIC_URL } from '../support/app.ts';
import { countedRequests } from '../support/rate-limit-count.ts';
import { clientFor, GROUP_URN, PATCH_URN, USER_URN } from '../support/scim-client.ts';

const database = useTestDatabase();
const SCIM_ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';

async function scimJson(response: Response) {
  expect(response.headers.get('content-type')).toMatch(/^application\/scim\+json/);
  return (await response.json()) as Record<string, unknown>;
}

describe(`SCIM bearer authentication on ${testDatabaseKind}`, () => {
  it('admits a directory token to its own directory', async () => {
    const { app } = buildTestApp(database.handle);
    const { directory, token } = await createTestDirectory(database.handle);
    const response = await app.request(`/scim/v2/${directory.id}/ServiceProviderConfig`, {
      headers: { Authorization: `Bearer ${token}` },
    });
    expect(response.status).toBe(200);
    const body = await scimJson(response);
    expect(body).toMatchObject({
      schemas: expect.arrayContaining(['urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig']),
      authenticationSchemes: [{ type: 'oauthbearertoken', primary: true }],
      meta: { resourceType: 'ServiceProviderConfig', location: `${TEST_PUBLIC_URL}/scim/v2/${directory.id}/ServiceProviderConfig` },
    });
    expect(response.headers.get('x-request-id')).toMatch(/.+/);
  });

  it.each([
    ['no Authorization header', undefined, 'authentication required', 'Bearer realm="scim"'],
    ['an empty header', '', 'authentication required', 'Bearer realm="scim"'],
    ['Basic credentials', 'Basic dXNlcjpwYXNz', 'malformed Authorization header', 'Bearer realm="scim", error="invalid_request"'],
    ['a bearer with spaces inside', 'Bearer a b', 'malformed Authorization header', 'Bearer realm="scim", error="invalid_request"'],
    ['an unknown token', 'Bearer rst_scim_unknown', 'not valid for this directory', 'Bearer realm="scim", error="invalid_token"'],
  ])('answers 401 with a SCIM error for %s', async (_case, header, detail, challenge) => {
    const { app } = buildTestApp(database.handle);
    const { directory } = await createTestDirectory(database.handle);
    const response = await app.request(`/scim/v2/${directory.id}/ServiceProviderConfig`, {
      headers: header === undefined ? {} : { Authorization: header },
    });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe(challenge);
    const body = await scimJson(response);
    expect(body.schemas).toEqual([SCIM_ERROR]);
    expect(body.status).toBe('401');
    expect(body.detail).toContain(detail);
  });

  it("refuses another directory's token, even within one organization, and a revoked one", async () => {
    const { app } = buildTestApp(database.handle);
    const a = await createTestDirectory(database.handle);
    const b = await createTestDirectory(database.handle);
    const cross = await app.request(`/scim/v2/${b.directory.id}/ServiceProviderConfig`, {
      headers: { Authorization: `Bearer ${a.token}` },
    });
    expect(cross.status).toBe(401);

    await revokeScimToken(a.org, { directoryId: a.directory.id, tokenId: a.tokenId });
    const revoked = await app.request(`/scim/v2/${a.directory.id}/ServiceProviderConfig`, {
      headers: { Authorization: `Bearer ${a.token}` },
    });
    expect(revoked.status).toBe(401);
    expect((await scimJson(revoked)).detail).toContain('not valid for this directory');
  });

  it('answers 401 for an unknown or malformed directory id, so ids cannot be probed', async () => {
    const { app } = buildTestApp(database.handle);
    const { token } = await createTestDirectory(database.handle);
    for (const id of ['00000000-0000-7000-8000-000000000000', 'not-a-uuid']) {
      const response = await app.request(`/scim/v2/${id}/Users`, { headers: { Authorization: `Bearer ${token}` } });
      expect(response.status).toBe(401);
    }
  });

  it('answers unknown SCIM routes with a SCIM 404 once authenticated', async () => {
    const { app } = buildTestApp(database.handle);
    const { directory, token } = await createTestDirectory(database.handle);
    const response = await app.request(`/scim/v2/${directory.id}/Nope`, { headers: { Authorization: `Bearer ${token}` } });
    expect(response.status).toBe(404);
    expect(await scimJson(response)).toMatchObject({ schemas: [SCIM_ERROR], status: '404' });
    const root = await app.request('/scim/v2');
    expect(root.status).toBe(404);
    expect((await scimJson(root)).status).toBe('404');
  });

  it('answers an oversized body with a SCIM 413 before reading it all', async () => {
    const { app } = buildTestApp(database.handle, { MAX_BODY_BYTES: '2048' });
    const { directory, token } = await createTestDirectory(database.handle);
    const response = await app.request(`/scim/v2/${directory.id}/Users`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/scim+json' },
      body: JSON.stringify({ userName: 'x'.repeat(4096) }),
    });
    expect(response.status).toBe(413);
    expect(await scimJson(response)).toMatchObject({ status: '413', detail: 'request body exceeds the limit of 2048 bytes' });
  });

  it('enforces the body limit over a real socket, for a declared Content-Length and for a chunked body alike', async () => {
    const { app } = buildTestApp(database.handle, { MAX_BODY_BYTES: '2048' });
    const { directory, token } = await createTestDirectory(database.handle);
    const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    const post = (body: string, chunked: boolean) =>
      new Promise<{ status: number; body: Record<string, unknown> }>((resolve, reject) => {
        const req = request(
          {
            host: '127.0.0.1',
            port,
            method: 'POST',
            path: `/scim/v2/${directory.id}/Users`,
            headers: {
              Authorization: `Bearer ${token}`,
              'Content-Type': 'application/scim+json',
              ...(chunked ? { 'Transfer-Encoding': 'chunked' } : { 'Content-Length': String(Buffer.byteLength(body)) }),
            },
          },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (chunk: Buffer) => chunks.push(chunk));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString()) as Record<string, unknown> }));
          },
        );
        req.on('error', reject);
        // Two writes, so that a chunked body really arrives in chunks.
        req.write(body.slice(0, 100));
        req.end(body.slice(100));
      });
    try {
      const user = (userName: string) => JSON.stringify({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName });
      for (const chunked of [false, true]) {
        const tooLarge = await post(user('x'.repeat(4096)), chunked);
        expect(tooLarge).toEqual({ status: 413, body: expect.objectContaining({ status: '413', detail: 'request body exceeds the limit of 2048 bytes' }) });
        const fits = await post(user(`${chunked ? 'chunked' : 'declared'}-${'y'.repeat(1800)}`), chunked);
        expect(fits.status).toBe(201);
      }
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('never writes a token into the logs', async () => {
    const { app, logs } = buildTestApp(database.handle);
    const { directory, token } = await createTestDirectory(database.handle);
    await app.request(`/scim/v2/${directory.id}/ServiceProviderConfig?x=${token}`, { headers: { Authorization: `Bearer ${token}` } });
    await app.request(`/scim/v2/${directory.id}/ServiceProviderConfig`, { headers: { Authorization: `Bearer ${token}x` } });
    expect(logs.length).toBeGreaterThanOrEqual(2);
    for (const line of logs) {
      expect(line).not.toContain(token);
      const entry = JSON.parse(line) as Record<string, unknown>;
      expect(entry).toMatchObject({ service: 'roster', msg: 'request' });
    }
  });
});

/** The app behind a real socket on a free port, closed when the test ends. */
async function listening(app: Hono): Promise<number> {
  const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
  await once(server, 'listening');
  onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return (server.address() as AddressInfo).port;
}

/** One request over the socket; the body, when given, is sent whole. */
function overSocket(port: number, method: string, path: string, headers: Record<string, string>, body?: string) {
  return new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    if (body === undefined) req.end();
    else req.end(body);
  });
}

describe(`SCIM admission before the request is read, on ${testDatabaseKind}`, () => {
  it('answers a wrong token at once, without waiting for a declared body that is never sent', async () => {
    const { app } = buildTestApp(database.handle);
    const { directory } = await createTestDirectory(database.handle);
    const port = await listening(app);
    const response = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port,
          method: 'POST',
          path: `/scim/v2/${directory.id}/Users`,
          headers: { Authorization: 'Bearer rst_scim_unknown', 'Content-Type': 'application/scim+json', 'Content-Length': String(512 * 1024) },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => {
            resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() });
            req.destroy();
          });
        },
      );
      req.on('error', reject);
      // The headers go out; not one byte of the declared body ever follows. Were the body awaited,
      // no answer would come and the test would time out.
      req.flushHeaders();
    });
    expect(response.status).toBe(401);
    expect(JSON.parse(response.body)).toMatchObject({ status: '401', detail: 'the bearer token is not valid for this directory' });
  });

  it('throttles a flood of wrong tokens from one address, while a valid token from the same address goes on working', async () => {
    const { app } = buildTestApp(database.handle);
    const mine = await createTestDirectory(database.handle);
    const flooded = await createTestDirectory(database.handle);
    const port = await listening(app);
    const get = (directoryId: string, token: string) =>
      overSocket(port, 'GET', `/scim/v2/${directoryId}/ServiceProviderConfig`, { Authorization: `Bearer ${token}` });

    // One wrong token, over and over: refused by the database 20 times, then from memory.
    const statuses: number[] = [];
    for (let i = 0; i < 25; i++) statuses.push((await get(flooded.directory.id, 'rst_scim_wrong')).status);
    expect(statuses).toEqual([...Array<number>(20).fill(401), ...Array<number>(5).fill(429)]);
    const throttled = await get(flooded.directory.id, 'rst_scim_wrong');
    expect(throttled.status).toBe(429);
    expect(Number(throttled.headers['retry-after'])).toBeGreaterThan(0);
    expect(JSON.parse(throttled.body)).toMatchObject({ status: '429', detail: expect.stringContaining('too many failed authentications') });

    // Another tenant at the same address, and the flooded directory's own token, are untouched.
    expect((await get(mine.directory.id, mine.token)).status).toBe(200);
    expect((await get(flooded.directory.id, flooded.token)).status).toBe(200);
    // The wrong token at another directory's URL is a token of its own there, refused but not throttled.
    expect((await get(mine.directory.id, 'rst_scim_wrong')).status).toBe(401);
  });

  it('refuses a throttled token without a database query', async () => {
    // Two instances of the routes sharing one throttle: one over the test database, one over a
    // database nobody listens at, where any query fails and the answer is 503.
    const unreachable = openPostgres({ url: 'postgres://roster@127.0.0.1:1/none', max: 2, connectTimeoutSeconds: 1 });
    onTestFinished(() => unreachable.close());
    const throttle = new FailedAuthThrottle({ perTokenFailures: 2 });
    const routes = (db: Database) => {
      const app = new Hono();
      app.route('/scim/v2', scimRoutes({ db, logger: createLogger('silent'), publicUrl: TEST_PUBLIC_URL, limits: scimLimits(1024 * 1024), authThrottle: throttle }));
      return app;
    };
    const { directory } = await createTestDirectory(database.handle);
    const get = (app: Hono, token: string) =>
      app.request(`/scim/v2/${directory.id}/Users`, { headers: { Authorization: `Bearer ${token}` } });

    const working = routes(database.handle.db);
    for (let i = 0; i < 2; i++) expect((await get(working, 'rst_scim_wrong')).status).toBe(401);
    const down = routes(unreachable.db);
    const refused = await get(down, 'rst_scim_wrong');
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await scimJson(refused)).toMatchObject({ status: '429', detail: expect.stringContaining('too many failed authentications') });
    // Any other token goes to the database, which cannot answer.
    expect((await get(down, 'rst_scim_other')).status).toBe(503);
  });
});

describe(`SCIM routes on ${testDatabaseKind}`, () => {
  it.each([
    ['discovery', 'DELETE', '/ServiceProviderConfig', 'GET'],
    ['discovery by id', 'POST', '/Schemas/urn:ietf:params:scim:schemas:core:2.0:User', 'GET'],
    ['the Users collection', 'PUT', '/Users', 'GET, POST'],
    ['the Groups collection', 'DELETE', '/Groups', 'GET, POST'],
    ['a user', 'POST', '/Users/0190d0a4-0000-7000-8000-0000000000ff', 'GET, PUT, PATCH, DELETE'],
    ['a group', 'POST', '/Groups/0190d0a4-0000-7000-8000-0000000000ff', 'GET, PUT, PATCH, DELETE'],
    ['Bulk', 'GET', '/Bulk', 'POST'],
    ['a user search', 'GET', '/Users/.search', 'POST'],
    ['a group search', 'DELETE', '/Groups/.search', 'POST'],
  ] as const)('answers a wrong method on %s with 405 and the methods of its route', async (_family, method, path, allow) => {
    const { app } = buildTestApp(database.handle);
    const { directory, token } = await createTestDirectory(database.handle);
    const response = await app.request(`/scim/v2/${directory.id}${path}`, { method, headers: { Authorization: `Bearer ${token}` } });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')?.split(', ').sort()).toEqual(allow.split(', ').sort());
    expect(await scimJson(response)).toMatchObject({ schemas: [SCIM_ERROR], status: '405' });
  });

  it('keeps /Me at 501 for every method, once authenticated', async () => {
    const { app } = buildTestApp(database.handle);
    const { directory, token } = await createTestDirectory(database.handle);
    for (const method of ['GET', 'POST', 'DELETE']) {
      const response = await app.request(`/scim/v2/${directory.id}/Me`, { method, headers: { Authorization: `Bearer ${token}` } });
      expect(response.status).toBe(501);
    }
    expect((await app.request(`/scim/v2/${directory.id}/Me`)).status).toBe(401);
  });
});

describe(`what a refused token gets on the resource routes, on ${testDatabaseKind}`, () => {
  async function withResources() {
    const logged: RequestLogEntry[] = [];
    const sink: RequestLogSink = { enqueue: (entry) => void logged.push(entry) };
    const { app } = buildTestApp(database.handle, {}, undefined, { requestLog: sink });
    const dir = await createTestDirectory(database.handle);
    const base = `${TEST_PUBLIC_URL}/scim/v2/${dir.directory.id}`;
    const client = clientFor(app, base, dir.token);
    const user = await client.createUser('Ada.Lovelace@example.com', { name: { givenName: 'Ada', familyName: 'Lovelace' } });
    const group = await client.createGroup('Engineering');
    /** `null` sends no Authorization header at all. */
    const send = (method: string, path: string, token: string | null, body?: string) =>
      app.request(`${base}${path}`, {
        method,
        ...(body === undefined ? {} : { body }),
        headers: { 'Content-Type': 'application/scim+json', ...(token === null ? {} : { Authorization: `Bearer ${token}` }) },
      });
    return { app, dir, logged, user, group, send, client };
  }
  const lookup = (userName: string) => `/Users?filter=${encodeURIComponent(`userName eq "${userName}"`)}`;
  const count = async (table: 'directory_users' | 'directory_groups' | 'directory_group_members', directoryId: string) => {
    const [row] = rowsOf<{ n: number | string }>(
      await database.handle.db.execute(
        table === 'directory_group_members'
          ? sql`select count(*) as n from directory_group_members m join directory_groups g on g.id = m.group_id where g.directory_id = ${directoryId}`
          : sql`select count(*) as n from ${sql.raw(table)} where directory_id = ${directoryId}`,
      ),
    );
    return Number(row?.n);
  };

  it("answers 401 to no token, an unknown one and another directory's, whatever the route and body: nothing shown, changed, counted or logged", async () => {
    const { dir, logged, user, group, send } = await withResources();
    const other = await createTestDirectory(database.handle);
    const counted = await countedRequests(database.handle, dir.tokenId);
    const before = logged.length;
    const deactivate = JSON.stringify({ schemas: [PATCH_URN], Operations: [{ op: 'replace', value: { active: false } }] });
    const addMember = JSON.stringify({ schemas: [PATCH_URN], Operations: [{ op: 'Add', path: 'members', value: [{ value: user.id }] }] });
    const requests: [string, string, string?][] = [
      ['GET', `/Users/${user.id}`],
      ['GET', lookup('Ada.Lovelace@example.com')],
      ['GET', '/Users?count=5'],
      ['GET', '/Users/not-an-id'],
      ['GET', `/Users?filter=${encodeURIComponent('userName eq')}`],
      ['GET', `/Groups/${group.id}`],
      ['GET', '/Groups'],
      ['POST', '/Users', JSON.stringify({ schemas: [USER_URN], userName: 'mallory@example.com' })],
      ['POST', '/Users', '{not json'],
      ['POST', '/Groups', JSON.stringify({ schemas: [GROUP_URN], displayName: 'Intruders' })],
      ['PUT', `/Users/${user.id}`, JSON.stringify({ schemas: [USER_URN], userName: 'x@example.com' })],
      ['PATCH', `/Users/${user.id}`, deactivate],
      ['PATCH', `/Groups/${group.id}`, addMember],
      ['PATCH', `/Groups/${group.id}`, '{not json'],
      ['DELETE', `/Users/${user.id}`],
      ['POST', '/Bulk', JSON.stringify({ schemas: ['urn:ietf:params:scim:api:messages:2.0:BulkRequest'], Operations: [] })],
    ];
    for (const token of [null, 'rst_scim_unknown', other.token]) {
      for (const [method, path, body] of requests) {
        const response = await send(method, path, token, body);
        expect(response.status, `${method} ${path}`).toBe(401);
        expect(response.headers.get('www-authenticate')).toMatch(/^Bearer realm="scim"/);
        for (const header of ['etag', 'location', 'ratelimit-limit']) expect(response.headers.get(header)).toBeNull();
        const text = await response.text();
        expect(text).not.toContain('Lovelace');
        expect(JSON.parse(text)).toMatchObject({ schemas: [SCIM_ERROR], status: '401' });
      }
    }
    expect(logged.length).toBe(before);
    expect(await countedRequests(database.handle, dir.tokenId)).toBe(counted);
    expect([await count('directory_users', dir.directory.id), await count('directory_groups', dir.directory.id)]).toEqual([1, 1]);
    expect(await count('directory_group_members', dir.directory.id)).toBe(0);
    const [row] = rowsOf<{ active: boolean; version: number }>(
      await database.handle.db.execute(sql`select active, version from directory_users where id = ${user.id}`),
    );
    expect(row).toEqual({ active: true, version: 1 });
  });

  it("never shows or changes another directory's resources, even with a valid token for its own", async () => {
    const mine = await withResources();
    const theirs = await withResources();
    expect((await mine.send('GET', `/Users/${theirs.user.id}`, mine.dir.token)).status).toBe(404);
    expect((await mine.send('GET', `/Groups/${theirs.group.id}`, mine.dir.token)).status).toBe(404);
    const found = (await (await mine.send('GET', lookup('Ada.Lovelace@example.com'), mine.dir.token)).json()) as { Resources: { id: string }[] };
    expect(found.Resources.map((r) => r.id)).toEqual([mine.user.id]);
    const deactivate = JSON.stringify({ schemas: [PATCH_URN], Operations: [{ op: 'replace', value: { active: false } }] });
    expect((await mine.send('PATCH', `/Users/${theirs.user.id}`, mine.dir.token, deactivate)).status).toBe(404);
    expect(await (await theirs.send('GET', `/Users/${theirs.user.id}`, theirs.dir.token)).json()).toMatchObject({ meta: { version: 'W/"1"' } });
  });

  it('answers what the handler finds only once admitted: 404 and 400, each counted and logged', async () => {
    const { dir, logged, send } = await withResources();
    const counted = (await countedRequests(database.handle, dir.tokenId)) ?? 0;
    const before = logged.length;
    expect((await send('GET', '/Users/0190d0a4-0000-7000-8000-0000000000ff', dir.token)).status).toBe(404);
    const badFilter = await send('GET', `/Users?filter=${encodeURIComponent('userName eq')}`, dir.token);
    expect(badFilter.status).toBe(400);
    expect(((await badFilter.json()) as { scimType: string }).scimType).toBe('invalidFilter');
    expect(badFilter.headers.get('ratelimit-limit')).toBe('6000');
    expect((await send('POST', '/Users', dir.token, '{not json')).status).toBe(400);
    expect(await countedRequests(database.handle, dir.tokenId)).toBe(counted + 3);
    expect(logged.slice(before).map((e) => [e.status, e.scimType])).toEqual([
      [404, null],
      [400, 'invalidFilter'],
      [400, 'invalidSyntax'],
    ]);
  });
});

describe(`health endpoints on ${testDatabaseKind}`, () => {
  it('reports liveness and readiness with migrations applied', async () => {
    const { app } = buildTestApp(database.handle);
    expect(await (await app.request('/healthz')).json()).toEqual({ status: 'ok' });
    const ready = await app.request('/readyz');
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready', database: testDatabaseKind });
  });

  it('answers JSON 404 for unknown routes', async () => {
    const { app } = buildTestApp(database.handle);
    const response = await app.request('/nope');
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ error: { code: 'not_found', message: 'no route for GET /nope' } });
  });
});
