/**
 * The requests that admit themselves in their own statement (a user by id, the Users list and its
 * userName lookup, a user's create, the read a user's PUT or PATCH starts from, a group by id, the
 * Groups list and its displayName lookup, the read a group's PATCH starts from): authentication,
 * the rate limit and the request log must hold exactly as on every other route, whatever the
 * handler would have answered, and nothing may be written for a request that is not admitted.
 */
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { rowsOf, type DatabaseHandle } from '../../src/db/index.ts';
import { revokeScimToken, type RequestLogEntry } from '../../src/directory/index.ts';
import type { RequestLogSink } from '../../src/scim/index.ts';
import { scimRoutesApp, TEST_PUBLIC_URL } from '../support/app.ts';
import { testDatabaseKind, useTestDatabase } from '../support/database.ts';
import { createTestDirectory } from '../support/factories.ts';
import { countedRequests } from '../support/rate-limit-count.ts';
import { clientFor } from '../support/scim-client.ts';

const database = useTestDatabase();
const MINUTE = Date.parse('2026-03-02T10:00:00.000Z');

/** The SCIM routes with a budget, a fixed clock and a request log kept in memory. */
function scimApp(handle: DatabaseHandle, perMinute: number) {
  const logged: RequestLogEntry[] = [];
  const sink: RequestLogSink = { enqueue: (entry) => void logged.push(entry) };
  const app = scimRoutesApp(handle, { perMinute, clock: { ms: MINUTE + 30_000 }, requestLog: sink });
  return { app, logged };
}

async function withUser(perMinute = 1000) {
  const dir = await createTestDirectory(database.handle);
  const { app, logged } = scimApp(database.handle, perMinute);
  const base = `${TEST_PUBLIC_URL}/scim/v2/${dir.directory.id}`;
  const client = clientFor(app, base, dir.token);
  const user = await client.createUser('Ada.Lovelace@example.com', { name: { givenName: 'Ada', familyName: 'Lovelace' } });
  /** `null` sends no Authorization header at all. */
  const read = (path: string, token: string | null = dir.token) =>
    app.request(`${base}${path}`, { headers: token === null ? {} : { Authorization: `Bearer ${token}` } });
  const write = (method: 'POST' | 'PUT' | 'PATCH', path: string, body: string, token: string | null = dir.token) =>
    app.request(`${base}${path}`, {
      method,
      body,
      headers: { 'Content-Type': 'application/scim+json', ...(token === null ? {} : { Authorization: `Bearer ${token}` }) },
    });
  return { dir, app, logged, user, read, write, client, base };
}

/** How many users a directory holds, read from the table itself. */
async function usersIn(directoryId: string): Promise<number> {
  const [row] = rowsOf<{ n: number | string }>(
    await database.handle.db.execute(sql`select count(*) as n from directory_users where directory_id = ${directoryId}`),
  );
  return Number(row?.n);
}

const lookup = (userName: string) => `/Users?filter=${encodeURIComponent(`userName eq "${userName}"`)}`;

const requestsOf = async (tokenId: string) => (await countedRequests(database.handle, tokenId)) ?? 0;

describe(`reads that admit their own request, on ${testDatabaseKind}`, () => {
  it('answers a user by id and a userName lookup as before, with the rate limit counted and its headers set', async () => {
    const { dir, read, user } = await withUser();
    const counted = await requestsOf(dir.tokenId);

    const byId = await read(`/Users/${user.id}`);
    expect(byId.status).toBe(200);
    expect(byId.headers.get('etag')).toBe('W/"1"');
    expect(byId.headers.get('ratelimit-limit')).toBe('1000');
    expect(byId.headers.get('ratelimit-remaining')).toBe(String(1000 - counted - 1));
    expect(await byId.json()).toMatchObject({ id: user.id, userName: 'Ada.Lovelace@example.com', name: { familyName: 'Lovelace' } });

    const found = await read(lookup('ada.lovelace@EXAMPLE.com'));
    expect(found.status).toBe(200);
    expect(await found.json()).toMatchObject({ totalResults: 1, itemsPerPage: 1, Resources: [{ id: user.id }] });
    expect(found.headers.get('ratelimit-remaining')).toBe(String(1000 - counted - 2));

    const none = await read(lookup('nobody@example.com'));
    expect(await none.json()).toMatchObject({ totalResults: 0, Resources: [] });
    expect(await requestsOf(dir.tokenId)).toBe(counted + 3);
  });

  it.each([
    ['a user by id', (id: string) => `/Users/${id}`],
    ['a userName lookup', () => lookup('Ada.Lovelace@example.com')],
    ['a missing user', () => '/Users/0190d0a4-0000-7000-8000-0000000000ff'],
    ['an id that is not one', () => '/Users/not-an-id'],
    ['a malformed filter', () => `/Users?filter=${encodeURIComponent('userName eq')}`],
    ['a bad projection', () => '/Users?attributes=' + encodeURIComponent('name..x')],
    ['the whole list', () => '/Users?count=5'],
  ])('answers 401 for %s with a bad token, and shows nothing of the directory', async (_case, path) => {
    const { read, user, logged } = await withUser();
    const before = logged.length;
    for (const token of [null, 'rst_scim_unknown']) {
      const response = await read(path(user.id), token);
      expect(response.status).toBe(401);
      expect(response.headers.get('etag')).toBeNull();
      expect(response.headers.get('ratelimit-limit')).toBeNull();
      const body = (await response.json()) as Record<string, unknown>;
      expect(body).toMatchObject({ status: '401' });
      expect(JSON.stringify(body)).not.toContain('Lovelace');
    }
    expect(logged.length).toBe(before);
  });

  it("refuses another directory's token and a revoked one on these reads", async () => {
    const { dir, read, user } = await withUser();
    const other = await createTestDirectory(database.handle);
    expect((await read(`/Users/${user.id}`, other.token)).status).toBe(401);
    expect((await read(lookup('Ada.Lovelace@example.com'), other.token)).status).toBe(401);
    await revokeScimToken(dir.org, { directoryId: dir.directory.id, tokenId: dir.tokenId });
    const revoked = await read(`/Users/${user.id}`);
    expect(revoked.status).toBe(401);
    expect(revoked.headers.get('www-authenticate')).toBe('Bearer realm="scim", error="invalid_token"');
  });

  it('answers what the handler found only once admitted: 404, 400 and the list, each counted and logged', async () => {
    const { dir, read, logged } = await withUser();
    const counted = await requestsOf(dir.tokenId);
    const before = logged.length;
    expect((await read('/Users/0190d0a4-0000-7000-8000-0000000000ff')).status).toBe(404);
    expect((await read('/Users/not-an-id')).status).toBe(404);
    const badFilter = await read(`/Users?filter=${encodeURIComponent('userName eq')}`);
    expect(badFilter.status).toBe(400);
    expect(((await badFilter.json()) as { scimType: string }).scimType).toBe('invalidFilter');
    expect(badFilter.headers.get('ratelimit-limit')).toBe('1000');
    const page = await read(`/Users?filter=${encodeURIComponent('name.familyName eq "Lovelace"')}`);
    expect(await page.json()).toMatchObject({ totalResults: 1 });
    expect(await requestsOf(dir.tokenId)).toBe(counted + 4);
    expect(logged.slice(before).map((e) => [e.status, e.scimType])).toEqual([
      [404, null],
      [404, null],
      [400, 'invalidFilter'],
      [200, null],
    ]);
    expect(logged.at(-1)).toMatchObject({ directoryId: dir.directory.id, organizationId: dir.org.organization.id });
  });

  it('answers 429 with Retry-After once the budget is spent, with nothing of the user in it', async () => {
    const { read, user, logged } = await withUser(3);
    // The POST that created the user spent one request of the three.
    expect((await read(`/Users/${user.id}`)).status).toBe(200);
    expect((await read(lookup('Ada.Lovelace@example.com'))).status).toBe(200);
    for (const path of [`/Users/${user.id}`, lookup('Ada.Lovelace@example.com'), '/Users/not-an-id', '/Users?filter=bad']) {
      const refused = await read(path);
      expect(refused.status).toBe(429);
      expect(refused.headers.get('retry-after')).toBe('30');
      expect(refused.headers.get('ratelimit-remaining')).toBe('0');
      expect(refused.headers.get('etag')).toBeNull();
      const text = await refused.text();
      expect(text).not.toContain('Lovelace');
      expect(JSON.parse(text)).toMatchObject({ status: '429' });
    }
    // Refusals are logged, as on every other route.
    expect(logged.slice(-4).map((e) => e.status)).toEqual([429, 429, 429, 429]);
  });

  it("never reads another directory's user, even with a valid token for its own", async () => {
    const mine = await withUser();
    const theirs = await withUser();
    expect((await mine.read(`/Users/${theirs.user.id}`)).status).toBe(404);
    const crossLookup = await mine.read(lookup('Ada.Lovelace@example.com'));
    expect(((await crossLookup.json()) as { Resources: { id: string }[] }).Resources.map((r) => r.id)).toEqual([mine.user.id]);
  });

  describe('PUT and PATCH of a user', () => {
    const deactivate = JSON.stringify({
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [{ op: 'replace', value: { active: false } }],
    });
    const replacement = (userName: string) =>
      JSON.stringify({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName, active: true });

    it('change the user, counted once each, as before', async () => {
      const { dir, write, user, read } = await withUser();
      const counted = await requestsOf(dir.tokenId);
      const patched = await write('PATCH', `/Users/${user.id}`, deactivate);
      expect(patched.status).toBe(200);
      expect(await patched.json()).toMatchObject({ active: false, meta: { version: 'W/"2"' } });
      expect(patched.headers.get('ratelimit-limit')).toBe('1000');
      const put = await write('PUT', `/Users/${user.id}`, replacement('ada@example.com'));
      expect(put.status).toBe(200);
      expect(await put.json()).toMatchObject({ userName: 'ada@example.com', active: true, meta: { version: 'W/"3"' } });
      expect(await requestsOf(dir.tokenId)).toBe(counted + 2);
      expect(((await (await read(`/Users/${user.id}`)).json()) as { userName: string }).userName).toBe('ada@example.com');
    });

    it('answer 401 to a bad token whatever the body, and change nothing', async () => {
      const { write, user, read } = await withUser();
      for (const token of [null, 'rst_scim_unknown']) {
        for (const [method, body] of [['PATCH', deactivate], ['PUT', replacement('x@example.com')], ['PATCH', '{not json'], ['PUT', '[]']] as const) {
          const response = await write(method, `/Users/${user.id}`, body, token);
          expect(response.status).toBe(401);
          expect(response.headers.get('etag')).toBeNull();
        }
      }
      const after = (await (await read(`/Users/${user.id}`)).json()) as Record<string, unknown>;
      expect(after).toMatchObject({ userName: 'Ada.Lovelace@example.com', meta: { version: 'W/"1"' } });
      expect(after.active).not.toBe(false);
    });

    it('keep their answers for a bad body and a missing user, in that order', async () => {
      const { write } = await withUser();
      const missing = '/Users/0190d0a4-0000-7000-8000-0000000000ff';
      expect((await write('PATCH', missing, '{not json')).status).toBe(400);
      expect((await write('PUT', missing, '[]')).status).toBe(400);
      expect((await write('PATCH', missing, deactivate)).status).toBe(404);
      expect((await write('PUT', missing, replacement('y@example.com'))).status).toBe(404);
      expect((await write('PATCH', '/Users/not-an-id', deactivate)).status).toBe(404);
    });

    it('answer 429 once the budget is spent, and change nothing', async () => {
      const { write, user, logged } = await withUser(1);
      // The POST that created the user spent the whole budget.
      for (const [method, body] of [['PATCH', deactivate], ['PUT', replacement('z@example.com')]] as const) {
        const refused = await write(method, `/Users/${user.id}`, body);
        expect(refused.status).toBe(429);
        expect(refused.headers.get('retry-after')).toBe('30');
        expect(refused.headers.get('etag')).toBeNull();
      }
      expect(logged.slice(-2).map((e) => [e.method, e.status])).toEqual([
        ['PATCH', 429],
        ['PUT', 429],
      ]);
      const [row] = rowsOf<{ active: boolean; version: number }>(
        await database.handle.db.execute(sql`select active, version from directory_users where id = ${user.id}`),
      );
      expect(row).toEqual({ active: true, version: 1 });
    });

    it("never change another directory's user", async () => {
      const mine = await withUser();
      const theirs = await withUser();
      expect((await mine.write('PATCH', `/Users/${theirs.user.id}`, deactivate)).status).toBe(404);
      expect((await theirs.write('PATCH', `/Users/${theirs.user.id}`, deactivate, mine.dir.token)).status).toBe(401);
      expect(await (await theirs.read(`/Users/${theirs.user.id}`)).json()).toMatchObject({ meta: { version: 'W/"1"' } });
    });
  });

  describe('a group by id and a group PATCH, whose read of the group makes the admission', () => {
    const addMember = (id: string) =>
      JSON.stringify({ schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'Add', path: 'members', value: [{ value: id }] }] });
    const rename = JSON.stringify({
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [{ op: 'replace', path: 'displayName', value: 'Renamed' }],
    });
    async function withGroup(perMinute = 1000) {
      const setup = await withUser(perMinute);
      const group = await setup.client.createGroup('Engineering');
      return { ...setup, group };
    }
    const membersOf = async (groupId: string) =>
      rowsOf<{ user_id: string }>(await database.handle.db.execute(sql`select user_id from directory_group_members where group_id = ${groupId}`)).map(
        (r) => r.user_id,
      );

    it('read and change the group, counted once each, with the rate-limit headers', async () => {
      const { dir, group, user, read, write } = await withGroup();
      const counted = await requestsOf(dir.tokenId);
      const got = await read(`/Groups/${group.id}`);
      expect(got.status).toBe(200);
      expect(got.headers.get('ratelimit-limit')).toBe('1000');
      expect(await got.json()).toMatchObject({ id: group.id, displayName: 'Engineering', meta: { version: 'W/"1"' } });
      const added = await write('PATCH', `/Groups/${group.id}`, addMember(user.id));
      expect(added.status).toBe(204);
      expect(added.headers.get('etag')).toBe('W/"2"');
      expect(added.headers.get('ratelimit-limit')).toBe('1000');
      expect((await write('PATCH', `/Groups/${group.id}`, rename)).status).toBe(204);
      expect(await requestsOf(dir.tokenId)).toBe(counted + 3);
      expect(await membersOf(group.id)).toEqual([user.id]);
      expect(await (await read(`/Groups/${group.id}`)).json()).toMatchObject({ displayName: 'Renamed', members: [{ value: user.id }] });
    });

    it('answer 401 to a bad token or another directory\'s, whatever the body, and change nothing', async () => {
      const { group, user, read, write } = await withGroup();
      const other = await withUser();
      for (const token of [null, 'rst_scim_unknown', other.dir.token]) {
        expect((await read(`/Groups/${group.id}`, token)).status).toBe(401);
        expect((await read('/Groups', token)).status).toBe(401);
        expect((await read('/Groups/0190d0a4-0000-7000-8000-0000000000ff', token)).status).toBe(401);
        for (const body of [addMember(user.id), rename, '{not json']) {
          const response = await write('PATCH', `/Groups/${group.id}`, body, token);
          expect(response.status).toBe(401);
          expect(response.headers.get('etag')).toBeNull();
        }
      }
      expect(await membersOf(group.id)).toEqual([]);
      expect(await (await read(`/Groups/${group.id}`)).json()).toMatchObject({ displayName: 'Engineering', meta: { version: 'W/"1"' } });
    });

    it("look a group up by displayName in one admitted read, never another directory's", async () => {
      const { dir, group, read, client, logged } = await withGroup();
      const theirs = await withGroup();
      const twin = await client.createGroup('ENGINEERING');
      const byName = (name: string) => `/Groups?excludedAttributes=members&filter=${encodeURIComponent(`displayName eq "${name}"`)}`;
      const counted = await requestsOf(dir.tokenId);
      const found = await read(byName('engineering'));
      expect(found.status).toBe(200);
      expect(found.headers.get('ratelimit-limit')).toBe('1000');
      const body = (await found.json()) as { totalResults: number; Resources: { id: string; members?: unknown }[] };
      expect(body.totalResults).toBe(2);
      expect(body.Resources.map((r) => r.id)).toEqual([group.id, twin.id].sort());
      expect(body.Resources.every((r) => r.members === undefined)).toBe(true);
      const second = (await (await read(`${byName('Engineering')}&startIndex=2&count=1`)).json()) as { totalResults: number; Resources: { id: string }[] };
      expect(second).toMatchObject({ totalResults: 2, Resources: [{ id: [group.id, twin.id].sort()[1] }] });
      expect(((await (await read(byName('Nobody'))).json()) as { totalResults: number }).totalResults).toBe(0);
      expect(await requestsOf(dir.tokenId)).toBe(counted + 3);
      expect(logged.slice(-3).map((e) => e.status)).toEqual([200, 200, 200]);
      for (const token of [null, 'rst_scim_unknown', theirs.dir.token]) expect((await read(byName('engineering'), token)).status).toBe(401);
      const theirsFound = (await (await theirs.read(byName('engineering'))).json()) as { Resources: { id: string }[] };
      expect(theirsFound.Resources.map((r) => r.id)).toEqual([theirs.group.id]);
    });

    it('answer 404 for a missing or foreign group once admitted, counted and logged', async () => {
      const { dir, user, read, write, logged } = await withGroup();
      const theirs = await withGroup();
      const counted = await requestsOf(dir.tokenId);
      for (const id of ['0190d0a4-0000-7000-8000-0000000000ff', 'not-an-id', theirs.group.id]) {
        expect((await read(`/Groups/${id}`)).status).toBe(404);
        expect((await write('PATCH', `/Groups/${id}`, addMember(user.id))).status).toBe(404);
      }
      expect(await requestsOf(dir.tokenId)).toBe(counted + 6);
      expect(logged.slice(-6).map((e) => e.status)).toEqual([404, 404, 404, 404, 404, 404]);
      expect(await membersOf(theirs.group.id)).toEqual([]);
    });

    it('answer 429 once the budget is spent, and change nothing', async () => {
      const { group, user, read, write, logged } = await withGroup(2);
      // Creating the user and the group spent the whole budget.
      expect((await read(`/Groups/${group.id}`)).status).toBe(429);
      expect((await read(`/Groups?filter=${encodeURIComponent('displayName eq "Engineering"')}`)).status).toBe(429);
      const refused = await write('PATCH', `/Groups/${group.id}`, addMember(user.id));
      expect(refused.status).toBe(429);
      expect(refused.headers.get('retry-after')).toBe('30');
      expect(refused.headers.get('etag')).toBeNull();
      expect(logged.slice(-3).map((e) => [e.method, e.status])).toEqual([
        ['GET', 429],
        ['GET', 429],
        ['PATCH', 429],
      ]);
      expect(await membersOf(group.id)).toEqual([]);
    });
  });

  describe("a user's create, whose insert makes the admission", () => {
    const userBody = (userName: string, extra: Record<string, unknown> = {}) =>
      JSON.stringify({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName, active: true, ...extra });

    it('creates the user once, counted once, with the rate-limit headers and the request logged', async () => {
      const { dir, write, logged, read } = await withUser();
      const counted = await requestsOf(dir.tokenId);
      const before = logged.length;
      const created = await write('POST', '/Users', userBody('grace@example.com', { name: { familyName: 'Hopper' } }));
      expect(created.status).toBe(201);
      const body = (await created.json()) as { id: string; meta: { location: string } };
      expect(body).toMatchObject({ userName: 'grace@example.com', active: true, meta: { version: 'W/"1"' } });
      expect(created.headers.get('location')).toBe(body.meta.location);
      expect(created.headers.get('ratelimit-limit')).toBe('1000');
      expect(created.headers.get('ratelimit-remaining')).toBe(String(1000 - counted - 1));
      expect(await requestsOf(dir.tokenId)).toBe(counted + 1);
      expect(logged.slice(before).map((e) => [e.method, e.status, e.resourceType, e.resourceId])).toEqual([['POST', 201, 'User', body.id]]);
      expect(await usersIn(dir.directory.id)).toBe(2);
      expect(((await (await read(`/Users/${body.id}`)).json()) as { name: unknown }).name).toEqual({ familyName: 'Hopper' });
      // The change feed has the creation, written by the same statement.
      const events = rowsOf<{ type: string; organization_id: string }>(
        await database.handle.db.execute(
          sql`select type, organization_id from directory_events where directory_id = ${dir.directory.id} and resource_id = ${body.id}`,
        ),
      );
      expect(events).toEqual([{ type: 'user.created', organization_id: dir.org.organization.id }]);
    });

    it('answers 401 to a bad token whatever the body, and creates nothing', async () => {
      const { dir, write, logged } = await withUser();
      const before = logged.length;
      const other = await createTestDirectory(database.handle);
      for (const token of [null, 'rst_scim_unknown', other.token]) {
        for (const body of [userBody('mallory@example.com'), '{not json', '[]', userBody('Ada.Lovelace@example.com')]) {
          const response = await write('POST', '/Users', body, token);
          expect(response.status).toBe(401);
          expect(response.headers.get('location')).toBeNull();
          expect(response.headers.get('ratelimit-limit')).toBeNull();
        }
      }
      expect(await usersIn(dir.directory.id)).toBe(1);
      expect(await usersIn(other.directory.id)).toBe(0);
      expect(logged.length).toBe(before);
    });

    it('answers 409 uniqueness for a taken userName, counted and logged, and 400 for a bad body once admitted', async () => {
      const { dir, write, logged } = await withUser();
      const counted = await requestsOf(dir.tokenId);
      const taken = await write('POST', '/Users', userBody('ADA.LOVELACE@example.com'));
      expect(taken.status).toBe(409);
      expect(await taken.json()).toMatchObject({ scimType: 'uniqueness' });
      expect(taken.headers.get('ratelimit-limit')).toBe('1000');
      const bad = await write('POST', '/Users', '{not json');
      expect(bad.status).toBe(400);
      expect(await requestsOf(dir.tokenId)).toBe(counted + 2);
      expect(logged.slice(-2).map((e) => [e.status, e.scimType])).toEqual([
        [409, 'uniqueness'],
        [400, 'invalidSyntax'],
      ]);
      expect(await usersIn(dir.directory.id)).toBe(1);
    });

    it('answers 429 once the budget is spent, and creates nothing', async () => {
      const { dir, write, logged } = await withUser(2);
      // The POST that created the first user spent one request of the two.
      expect((await write('POST', '/Users', userBody('second@example.com'))).status).toBe(201);
      for (const body of [userBody('third@example.com'), '{not json']) {
        const refused = await write('POST', '/Users', body);
        expect(refused.status).toBe(429);
        expect(refused.headers.get('retry-after')).toBe('30');
        expect(refused.headers.get('location')).toBeNull();
      }
      expect(logged.slice(-2).map((e) => e.status)).toEqual([429, 429]);
      expect(await usersIn(dir.directory.id)).toBe(2);
    });

    it('creates the user once when its request opens a new rate-limit window', async () => {
      const dir = await createTestDirectory(database.handle);
      const clock = { ms: MINUTE + 30_000 };
      const app = scimRoutesApp(database.handle, { perMinute: 1000, clock });
      const base = `${TEST_PUBLIC_URL}/scim/v2/${dir.directory.id}`;
      const post = (userName: string) =>
        app.request(`${base}/Users`, {
          method: 'POST',
          body: userBody(userName),
          headers: { 'Content-Type': 'application/scim+json', Authorization: `Bearer ${dir.token}` },
        });
      // The token's first request, then the first of the next minute: each opens a window first.
      expect((await post('first@example.com')).status).toBe(201);
      expect(await requestsOf(dir.tokenId)).toBe(1);
      clock.ms += 60_000;
      const next = await post('second@example.com');
      expect(next.status).toBe(201);
      expect(next.headers.get('ratelimit-remaining')).toBe('999');
      expect((await post('third@example.com')).status).toBe(201);
      expect(await requestsOf(dir.tokenId)).toBe(2);
      expect(await usersIn(dir.directory.id)).toBe(3);
      const events = rowsOf<{ n: number | string }>(
        await database.handle.db.execute(
          sql`select count(*) as n from directory_events where directory_id = ${dir.directory.id} and type = 'user.created'`,
        ),
      );
      expect(Number(events[0]?.n)).toBe(3);
    });

    it('admits a large body before reading it, and still creates the user', async () => {
      const { dir, write } = await withUser();
      // A custom extension (kept as sent) of 20 attributes of 4,000 characters: about 80 KB.
      const urn = 'urn:ietf:params:scim:schemas:extension:acme:2.0:User';
      const extension = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`note${i}`, 'x'.repeat(4000)]));
      const large = JSON.stringify({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', urn], userName: 'large@example.com', [urn]: extension });
      expect(large.length).toBeGreaterThan(64 * 1024);
      expect((await write('POST', '/Users', large, 'rst_scim_unknown')).status).toBe(401);
      expect((await write('POST', '/Users', large)).status).toBe(201);
      expect(await usersIn(dir.directory.id)).toBe(2);
    });

    it('creates a user with a password only once admitted, and keeps the password out of every answer', async () => {
      const { dir, write } = await withUser();
      expect((await write('POST', '/Users', userBody('pw@example.com', { password: 'Secret-123' }), 'rst_scim_unknown')).status).toBe(401);
      const created = await write('POST', '/Users', userBody('pw@example.com', { password: 'Secret-123' }));
      expect(created.status).toBe(201);
      expect(await created.text()).not.toContain('Secret-123');
      expect(await usersIn(dir.directory.id)).toBe(2);
    });
  });
});
