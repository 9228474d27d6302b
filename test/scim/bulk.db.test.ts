import { eq } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { schema } from '../../src/db/index.ts';
import { listRequests } from '../../src/directory/index.ts';
import { runBulk, type BulkDispatch } from '../../src/scim/bulk/run.ts';
import type { RequestLogWriter } from '../../src/jobs/index.ts';
import { buildTestApp, TEST_PUBLIC_URL } from '../support/app.ts';
import { testDatabaseKind, useTestDatabase } from '../support/database.ts';
import { createTestDirectory } from '../support/factories.ts';
import { clientFor, GROUP_URN, PATCH_URN, scimClient, USER_URN } from '../support/scim-client.ts';

const database = useTestDatabase();
const writers: RequestLogWriter[] = [];
afterEach(async () => {
  await Promise.all(writers.splice(0).map((w) => w.close()));
});

const BULK_REQUEST = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';
const BULK_RESPONSE = 'urn:ietf:params:scim:api:messages:2.0:BulkResponse';
const ERROR_URN = 'urn:ietf:params:scim:api:messages:2.0:Error';
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const UNKNOWN_ID = '0190d0a4-0000-7000-8000-00000000beef';

interface BulkEntry {
  method: string;
  bulkId?: string;
  location?: string;
  version?: string;
  status: string;
  response?: { schemas: string[]; status: string; scimType?: string; detail: string };
}

type Scim = Awaited<ReturnType<typeof scimClient>>;

const bulk = (operations: unknown[], extra: Record<string, unknown> = {}) => ({ schemas: [BULK_REQUEST], Operations: operations, ...extra });
const user = (userName: string, extra: Record<string, unknown> = {}) => ({ schemas: [USER_URN], userName, ...extra });
const group = (displayName: string, members: unknown[] = []) => ({ schemas: [GROUP_URN], displayName, members });
const patchOp = (...operations: unknown[]) => ({ schemas: [PATCH_URN], Operations: operations });

/** Sends a Bulk request that must be processed (200), and returns its entries. */
async function send(scim: Pick<Scim, 'send'>, body: unknown): Promise<BulkEntry[]> {
  const reply = await scim.send('POST', '/Bulk', body);
  expect(reply.status, reply.text).toBe(200);
  expect(reply.headers.get('content-type')).toMatch(/^application\/scim\+json/);
  expect(reply.body.schemas).toEqual([BULK_RESPONSE]);
  return reply.body.Operations as BulkEntry[];
}

const idOf = (entry: BulkEntry | undefined) => entry!.location!.slice(entry!.location!.lastIndexOf('/') + 1);
const memberIds = (body: Record<string, unknown>) => ((body.members ?? []) as { value: string }[]).map((m) => m.value).sort();

describe(`SCIM Bulk on ${testDatabaseKind}`, () => {
  it('runs the RFC 7644 §3.7.2 example: a group whose member is the user created by bulkId', async () => {
    const scim = await scimClient(database.handle);
    const entries = await send(
      scim,
      bulk([
        { method: 'POST', path: '/Users', bulkId: 'qwerty', data: user('Alice') },
        { method: 'POST', path: '/Groups', bulkId: 'ytrewq', data: group('Tour Guides', [{ type: 'User', value: 'bulkId:qwerty' }]) },
      ]),
    );
    expect(entries).toEqual([
      { method: 'POST', bulkId: 'qwerty', location: expect.stringMatching(`^${scim.baseUrl}/Users/`), version: expect.stringMatching(/^W\/"/), status: '201' },
      { method: 'POST', bulkId: 'ytrewq', location: expect.stringMatching(`^${scim.baseUrl}/Groups/`), version: expect.stringMatching(/^W\/"/), status: '201' },
    ]);
    const alice = await scim.send('GET', `/Users/${idOf(entries[0])}`);
    expect(alice.body).toMatchObject({ userName: 'Alice', meta: { location: entries[0]!.location } });
    // The version an entry reports is the one its operation produced; joining the group since
    // has moved Alice's on, as it would after single requests.
    expect(entries[0]!.version).toBe('W/"1"');
    expect(alice.headers.get('etag')).toBe('W/"2"');
    const guides = await scim.send('GET', `/Groups/${idOf(entries[1])}`);
    expect(guides.headers.get('etag')).toBe(entries[1]!.version);
    expect(guides.body.members).toEqual([{ value: alice.body.id, $ref: entries[0]!.location, display: 'Alice', type: 'User' }]);
  });

  it('reports every operation with the status, location, version and error body its single request would have had', async () => {
    const scim = await scimClient(database.handle);
    const ada = await scim.createUser('ada@example.com');
    const bob = await scim.createUser('bob@example.com');
    const team = await scim.createGroup('Team');
    const entries = await send(
      scim,
      bulk([
        { method: 'post', path: '/Users', bulkId: 'u1', data: user('carol@example.com') },
        { method: 'PUT', path: `/Users/${ada.id}`, data: user('ada@example.com', { displayName: 'Ada' }) },
        { method: 'Patch', path: `/Users/${ada.id}`, data: patchOp({ op: 'replace', path: 'title', value: 'Countess' }) },
        { method: 'PATCH', path: `/Groups/${team.id}`, data: patchOp({ op: 'add', path: 'members', value: [{ value: bob.id }] }) },
        { method: 'DELETE', path: `/Users/${bob.id}` },
        { method: 'POST', path: '/Users', bulkId: 'dup', data: user('ADA@example.com') },
        { method: 'PUT', path: `/Users/${UNKNOWN_ID}`, data: user('nobody@example.com') },
        { method: 'PATCH', path: `/Users/${ada.id}`, data: patchOp({ op: 'frobnicate', path: 'title' }) },
        { method: 'POST', path: '/Groups', bulkId: 'g1', data: { displayName: 'No schemas' } },
      ]),
    );
    expect(entries.map((e) => [e.method, e.status, e.response?.scimType])).toEqual([
      ['POST', '201', undefined],
      ['PUT', '200', undefined],
      ['PATCH', '200', undefined],
      ['PATCH', '204', undefined],
      ['DELETE', '204', undefined],
      ['POST', '409', 'uniqueness'],
      ['PUT', '404', undefined],
      ['PATCH', '400', 'invalidSyntax'],
      ['POST', '400', 'invalidSyntax'],
    ]);
    const [created, put, patched, groupPatch, deleted, duplicate, missing, badPatch, badPost] = entries;
    expect(put).toEqual({ method: 'PUT', location: `${scim.baseUrl}/Users/${ada.id}`, version: 'W/"2"', status: '200' });
    expect(patched).toMatchObject({ location: `${scim.baseUrl}/Users/${ada.id}`, version: 'W/"3"' });
    expect(groupPatch).toMatchObject({ location: `${scim.baseUrl}/Groups/${team.id}`, version: expect.stringMatching(/^W\//) });
    expect(deleted).toEqual({ method: 'DELETE', location: `${scim.baseUrl}/Users/${bob.id}`, status: '204' });
    for (const ok of [created, put, patched, groupPatch, deleted]) expect(ok!.response).toBeUndefined();
    // A failed POST created nothing, so it has no location; its error body is the endpoint's own.
    expect(duplicate).toEqual({ method: 'POST', bulkId: 'dup', status: '409', response: { schemas: [ERROR_URN], status: '409', scimType: 'uniqueness', detail: expect.any(String) } });
    expect(missing).toMatchObject({ location: `${scim.baseUrl}/Users/${UNKNOWN_ID}`, response: { schemas: [ERROR_URN], status: '404' } });
    expect(badPatch!.response!.detail).toMatch(/frobnicate/);
    expect(badPost).not.toHaveProperty('location');

    expect((await scim.send('GET', `/Users/${ada.id}`)).body).toMatchObject({ displayName: 'Ada', title: 'Countess' });
    expect((await scim.send('GET', `/Users/${bob.id}`)).status).toBe(404);
    expect((await scim.send('GET', `/Users/${idOf(created)}`)).body.userName).toBe('carol@example.com');
  });

  it('emits the same domain events as single requests', async () => {
    const scim = await scimClient(database.handle);
    const entries = await send(
      scim,
      bulk([
        { method: 'POST', path: '/Users', bulkId: 'u', data: user('events@example.com') },
        { method: 'POST', path: '/Groups', bulkId: 'g', data: group('Events', [{ value: 'bulkId:u' }]) },
        { method: 'DELETE', path: '/Users/bulkId:u' },
      ]),
    );
    expect(entries.map((e) => e.status)).toEqual(['201', '201', '204']);
    const events = await database.handle.db
      .select({ type: schema.directoryEvents.type, resourceId: schema.directoryEvents.resourceId })
      .from(schema.directoryEvents)
      .where(eq(schema.directoryEvents.directoryId, scim.dir.directory.id))
      .orderBy(schema.directoryEvents.id);
    // Deleting the user took it out of the group: the group's feed says so, as after a single DELETE.
    expect(events.map((e) => e.type)).toEqual(['user.created', 'group.created', 'user.deleted', 'group.members_changed']);
    expect(events[0]!.resourceId).toBe(idOf(entries[0]));
    expect(events[3]!.resourceId).toBe(idOf(entries[1]));
  });

  it('stops after failOnErrors errors: later operations are neither performed nor listed', async () => {
    const scim = await scimClient(database.handle);
    await scim.createUser('taken@example.com');
    const entries = await send(
      scim,
      bulk(
        [
          { method: 'POST', path: '/Users', bulkId: 'a', data: user('taken@example.com') },
          { method: 'POST', path: '/Users', bulkId: 'b', data: user('first@example.com') },
          { method: 'DELETE', path: `/Users/${UNKNOWN_ID}` },
          { method: 'POST', path: '/Users', bulkId: 'c', data: user('never@example.com') },
        ],
        { failOnErrors: 2 },
      ),
    );
    expect(entries.map((e) => [e.bulkId ?? e.method, e.status])).toEqual([
      ['a', '409'],
      ['b', '201'],
      ['DELETE', '404'],
    ]);
    const never = await scim.send('GET', '/Users?filter=userName%20eq%20%22never%40example.com%22');
    expect(never.body.totalResults).toBe(0);

    const once = await send(
      scim,
      bulk(
        [
          { method: 'PATCH', path: `/Groups/${UNKNOWN_ID}`, data: patchOp({ op: 'add', path: 'members', value: [] }) },
          { method: 'POST', path: '/Users', bulkId: 'd', data: user('second@example.com') },
        ],
        { failOnErrors: 1 },
      ),
    );
    expect(once.map((e) => e.status)).toEqual(['404']);

    // Without failOnErrors every operation runs, whatever fails.
    const all = await send(scim, bulk([{ method: 'DELETE', path: `/Users/${UNKNOWN_ID}` }, { method: 'POST', path: '/Users', bulkId: 'e', data: user('third@example.com') }]));
    expect(all.map((e) => e.status)).toEqual(['404', '201']);
  });

  it('refuses more than maxOperations operations with 413 before running any', async () => {
    const scim = await scimClient(database.handle);
    const config = await scim.send('GET', '/ServiceProviderConfig');
    expect(config.body.bulk).toEqual({ supported: true, maxOperations: 1000, maxPayloadSize: 2 * 1024 * 1024 });
    const operations = Array.from({ length: 1001 }, (_, i) => ({ method: 'POST', path: '/Users', bulkId: `u${i}`, data: user(`many${i}@example.com`) }));
    const reply = await scim.send('POST', '/Bulk', bulk(operations));
    expect(reply.status).toBe(413);
    expect(reply.headers.get('content-type')).toMatch(/^application\/scim\+json/);
    expect(reply.body).toEqual({ schemas: [ERROR_URN], status: '413', detail: expect.stringMatching(/1001 operations; at most 1000/) });
    expect((await scim.send('GET', '/Users')).body.totalResults).toBe(0);

    const exactly = await send(scim, bulk(operations.slice(0, 1000)));
    expect(exactly).toHaveLength(1000);
    expect(new Set(exactly.map((e) => e.status))).toEqual(new Set(['201']));
  });

  it('refuses a payload larger than maxPayloadSize with 413, as the body limit publishes it', async () => {
    const scim = await scimClient(database.handle, { MAX_BODY_BYTES: '4096' });
    const config = await scim.send('GET', '/ServiceProviderConfig');
    expect(config.body.bulk).toMatchObject({ maxPayloadSize: 4096 });
    const operations = Array.from({ length: 60 }, (_, i) => ({ method: 'POST', path: '/Users', bulkId: `u${i}`, data: user(`big${i}@example.com`) }));
    const reply = await scim.send('POST', '/Bulk', bulk(operations));
    expect(reply.status).toBe(413);
    expect(reply.body).toEqual({ schemas: [ERROR_URN], status: '413', detail: 'request body exceeds the limit of 4096 bytes' });
    expect((await scim.send('GET', '/Users')).body.totalResults).toBe(0);
  });

  it('limits the members of each operation as the single request does', async () => {
    const scim = await scimClient(database.handle);
    const members = Array.from({ length: 20_001 }, (_, i) => ({ value: `0190d0a4-0000-7000-8000-${String(i).padStart(12, '0')}` }));
    const [entry] = await send(scim, bulk([{ method: 'POST', path: '/Groups', bulkId: 'g', data: group('Too many', members) }]));
    expect(entry).toMatchObject({ status: '400', response: { scimType: 'tooMany' } });
  });

  it('sends version as If-Match: a stale one gets 412 and changes nothing', async () => {
    const scim = await scimClient(database.handle);
    const ada = await scim.createUser('ada@example.com');
    const v1 = (ada.meta as { version: string }).version;
    const first = await send(scim, bulk([{ method: 'PATCH', path: `/Users/${ada.id}`, version: v1, data: patchOp({ op: 'replace', path: 'title', value: 'One' }) }]));
    expect(first[0]).toMatchObject({ status: '200', version: 'W/"2"' });
    const stale = await send(
      scim,
      bulk([
        { method: 'PATCH', path: `/Users/${ada.id}`, version: v1, data: patchOp({ op: 'replace', path: 'title', value: 'Lost' }) },
        { method: 'PUT', path: `/Users/${ada.id}`, version: v1, data: user('ada@example.com', { title: 'Lost' }) },
        { method: 'DELETE', path: `/Users/${ada.id}`, version: v1 },
        { method: 'PUT', path: `/Users/${ada.id}`, version: first[0]!.version, data: user('ada@example.com', { title: 'Two' }) },
      ]),
    );
    expect(stale.map((e) => [e.status, e.version])).toEqual([
      ['412', undefined],
      ['412', undefined],
      ['412', undefined],
      ['200', 'W/"3"'],
    ]);
    expect(stale[0]).toMatchObject({ location: `${scim.baseUrl}/Users/${ada.id}`, response: { schemas: [ERROR_URN], status: '412' } });
    expect((await scim.send('GET', `/Users/${ada.id}`)).body.title).toBe('Two');
  });

  it('resolves bulkId references in paths, in $ref URLs and in PATCH filters', async () => {
    const scim = await scimClient(database.handle);
    const entries = await send(
      scim,
      bulk([
        { method: 'POST', path: '/Users', bulkId: 'alice', data: user('alice@example.com') },
        { method: 'POST', path: '/Users', bulkId: 'bob', data: user('bob@example.com') },
        { method: 'PATCH', path: '/Users/bulkId:alice', data: patchOp({ op: 'replace', path: 'displayName', value: 'Alice' }) },
        { method: 'POST', path: '/Groups', bulkId: 'g', data: group('Pair', [{ value: 'bulkId:alice', $ref: `${scim.baseUrl}/Users/bulkId:alice` }, { value: 'bulkId:bob' }]) },
        { method: 'PATCH', path: '/Groups/bulkId:g', data: patchOp({ op: 'remove', path: 'members[value eq "bulkId:bob"]' }) },
      ]),
    );
    expect(entries.map((e) => e.status)).toEqual(['201', '201', '200', '201', '204']);
    expect(entries[2]!.location).toBe(entries[0]!.location);
    expect(entries[4]!.location).toBe(entries[3]!.location);
    expect((await scim.send('GET', `/Users/${idOf(entries[0])}`)).body.displayName).toBe('Alice');
    expect(memberIds((await scim.send('GET', `/Groups/${idOf(entries[3])}`)).body)).toEqual([idOf(entries[0])]);
  });

  it('fails an operation whose bulkId reference cannot be resolved with 409 invalidValue, without running it', async () => {
    const scim = await scimClient(database.handle);
    await scim.createUser('taken@example.com');
    const entries = await send(
      scim,
      bulk([
        { method: 'POST', path: '/Users', bulkId: 'failed', data: user('taken@example.com') },
        { method: 'POST', path: '/Groups', bulkId: 'g1', data: group('Refers to a failed POST', [{ value: 'bulkId:failed' }]) },
        { method: 'PATCH', path: '/Users/bulkId:nowhere', data: patchOp({ op: 'replace', path: 'title', value: 'x' }) },
        { method: 'DELETE', path: '/Groups/bulkId:g1' },
      ]),
    );
    expect(entries.map((e) => [e.status, e.response?.scimType])).toEqual([
      ['409', 'uniqueness'],
      ['409', 'invalidValue'],
      ['409', 'invalidValue'],
      ['409', 'invalidValue'],
    ]);
    expect(entries[1]!.response).toEqual({ schemas: [ERROR_URN], status: '409', scimType: 'invalidValue', detail: expect.stringMatching(/"failed".*Operations\[0\].*created nothing/) });
    expect(entries[2]!.response!.detail).toMatch(/"nowhere" is not the bulkId of any POST/);
    expect((await scim.send('GET', '/Groups')).body.totalResults).toBe(0);
  });

  it('resolves references whatever order the operations come in, and answers in request order', async () => {
    const scim = await scimClient(database.handle);
    const entries = await send(
      scim,
      bulk([
        { method: 'PATCH', path: '/Groups/bulkId:g', data: patchOp({ op: 'add', path: 'members', value: [{ value: 'bulkId:late' }] }) },
        { method: 'POST', path: '/Groups', bulkId: 'g', data: group('Early', [{ value: 'bulkId:u' }]) },
        { method: 'POST', path: '/Users', bulkId: 'u', data: user('u@example.com', { [ENTERPRISE]: { manager: { value: 'bulkId:boss' } } }) },
        { method: 'POST', path: '/Users', bulkId: 'boss', data: user('boss@example.com') },
        { method: 'POST', path: '/Users', bulkId: 'late', data: user('late@example.com') },
      ]),
    );
    expect(entries.map((e) => [e.method, e.bulkId, e.status])).toEqual([
      ['PATCH', undefined, '204'],
      ['POST', 'g', '201'],
      ['POST', 'u', '201'],
      ['POST', 'boss', '201'],
      ['POST', 'late', '201'],
    ]);
    const groupBody = (await scim.send('GET', `/Groups/${idOf(entries[1])}`)).body;
    expect(memberIds(groupBody)).toEqual([idOf(entries[2]), idOf(entries[4])].sort());
    const u = (await scim.send('GET', `/Users/${idOf(entries[2])}`)).body;
    expect((u[ENTERPRISE] as { manager: { value: string } }).manager.value).toBe(idOf(entries[3]));
  });

  it('resolves circular references by creating without them and adding them afterwards (RFC 7644 §3.7.1)', async () => {
    const scim = await scimClient(database.handle);
    const managerOf = async (entry: BulkEntry | undefined) => {
      const reply = await scim.send('GET', `/Users/${idOf(entry)}`);
      return { etag: reply.headers.get('etag'), manager: (reply.body[ENTERPRISE] as { manager?: { value: string } } | undefined)?.manager?.value };
    };
    const mutual = await send(
      scim,
      bulk([
        { method: 'POST', path: '/Users', bulkId: 'a', data: user('a@example.com', { title: 'A', [ENTERPRISE]: { department: 'R&D', manager: { value: 'bulkId:b' } } }) },
        { method: 'POST', path: '/Users', bulkId: 'b', data: user('b@example.com', { [ENTERPRISE]: { manager: 'bulkId:a' } }) },
        // A POST that refers to itself is the shortest cycle: a CEO who is their own manager.
        { method: 'POST', path: '/Users', bulkId: 'ceo', data: user('ceo@example.com', { [ENTERPRISE]: { manager: { value: 'bulkId:ceo' } } }) },
      ]),
    );
    expect(mutual.map((e) => [e.bulkId, e.status])).toEqual([
      ['a', '201'],
      ['b', '201'],
      ['ceo', '201'],
    ]);
    const [a, b, ceo] = [await managerOf(mutual[0]), await managerOf(mutual[1]), await managerOf(mutual[2])];
    expect(a.manager).toBe(idOf(mutual[1]));
    expect(b.manager).toBe(idOf(mutual[0]));
    expect(ceo.manager).toBe(idOf(mutual[2]));
    // Each entry's version is that of the finished resource, after the added attributes.
    expect([a.etag, b.etag, ceo.etag]).toEqual(mutual.map((e) => e.version));
    const aBody = (await scim.send('GET', `/Users/${idOf(mutual[0])}`)).body;
    expect(aBody).toMatchObject({ title: 'A', [ENTERPRISE]: { department: 'R&D' } });
  });

  it('undoes the create of a cycle whose other end failed: what refers to it leaves nothing behind', async () => {
    const scim = await scimClient(database.handle);
    await scim.createUser('taken@example.com');
    const manager = (bulkId: string) => ({ [ENTERPRISE]: { manager: { value: `bulkId:${bulkId}` } } });
    // a is reached first, so b is created without its manager; then a fails, and b cannot get one.
    const entries = await send(
      scim,
      bulk([
        { method: 'POST', path: '/Users', bulkId: 'a', data: user('taken@example.com', manager('b')) },
        { method: 'POST', path: '/Users', bulkId: 'b', data: user('b@example.com', manager('a')) },
      ]),
    );
    expect(entries[0]).toMatchObject({ bulkId: 'a', status: '409', response: { scimType: 'uniqueness' } });
    expect(entries[1]).toMatchObject({
      bulkId: 'b',
      status: '409',
      response: { scimType: 'invalidValue', detail: expect.stringMatching(/its attributes that refer to bulkId "a" cannot be added/) },
    });
    expect(entries[1]).not.toHaveProperty('location');
    // b was created without its manager before a failed; the failed operation is undone whole.
    const listed = await scim.send('GET', `/Users?filter=${encodeURIComponent('userName eq "b@example.com"')}`);
    expect(listed.body.totalResults).toBe(0);

    // The other way round, the POST held back fails itself, and the one waiting for it is refused.
    const reversed = await send(
      scim,
      bulk([
        { method: 'POST', path: '/Users', bulkId: 'c', data: user('c@example.com', manager('d')) },
        { method: 'POST', path: '/Users', bulkId: 'd', data: user('taken@example.com', manager('c')) },
      ]),
    );
    expect(reversed.map((e) => [e.bulkId, e.status, e.response?.scimType])).toEqual([
      ['c', '409', 'invalidValue'],
      ['d', '409', 'uniqueness'],
    ]);
    expect(reversed[0]).not.toHaveProperty('location');
  });

  it('creates no group whose member reference failed, and no part of any failed operation', async () => {
    const scim = await scimClient(database.handle);
    await scim.createUser('taken@example.com');
    const entries = await send(
      scim,
      bulk([
        { method: 'POST', path: '/Users', bulkId: 'u', data: user('taken@example.com') },
        { method: 'POST', path: '/Groups', bulkId: 'g', data: group('Waiting', [{ type: 'User', value: 'bulkId:u' }]) },
        { method: 'POST', path: '/Groups', bulkId: 'h', data: group('Unknown member', [{ type: 'User', value: UNKNOWN_ID }]) },
        { method: 'POST', path: '/Groups', bulkId: 'k', data: group('Kept') },
      ]),
    );
    expect(entries.map((e) => [e.bulkId, e.status])).toEqual([
      ['u', '409'],
      ['g', '409'],
      ['h', expect.stringMatching(/^4/)],
      ['k', '201'],
    ]);
    for (const entry of entries.slice(0, 3)) expect(entry).not.toHaveProperty('location');
    const groups = await scim.send('GET', '/Groups');
    expect((groups.body.Resources ?? []).map((g) => g.displayName)).toEqual(['Kept']);
    expect((await scim.send('GET', '/Users')).body.totalResults).toBe(1);
  });

  it('stops at the first 503: the database is gone and every further operation would wait to fail', async () => {
    const calls: string[] = [];
    const dispatch: BulkDispatch = async ({ method, path }) => {
      calls.push(`${method} ${path}`);
      return calls.length === 2
        ? new Response(JSON.stringify({ schemas: [ERROR_URN], status: '503', detail: 'temporarily unavailable' }), { status: 503 })
        : new Response(null, { status: 204 });
    };
    const request = { operations: [0, 1, 2].map((index) => ({ index, method: 'DELETE' as const, endpoint: 'Users' as const, target: { id: `id-${index}` } })) };
    const results = await runBulk(request, dispatch, 'https://roster.test/scim/v2/d');
    expect(calls).toEqual(['DELETE /Users/id-0', 'DELETE /Users/id-1']);
    expect(results.map((r) => r.status)).toEqual(['204', '503']);
    expect(results[1]!.response).toMatchObject({ status: '503' });
  });

  it('reports the RFC 7644 §3.7.1 groups-in-each-other cycle as far as nested groups allow it', async () => {
    const scim = await scimClient(database.handle);
    const alice = await scim.createUser('alice@example.com');
    const entries = await send(
      scim,
      bulk([
        { method: 'POST', path: '/Groups', bulkId: 'qwerty', data: group('Group A', [{ type: 'Group', value: 'bulkId:ytrewq' }]) },
        { method: 'POST', path: '/Groups', bulkId: 'ytrewq', data: group('Group B', [{ type: 'Group', value: 'bulkId:qwerty' }, { type: 'User', value: alice.id }]) },
      ]),
    );
    // B is created first (with Alice, without A), then A with B; adding A to B would make each a
    // member of itself, which Roster refuses. B's operation failed, so B is deleted again: its
    // entry reports the refusal without a location, and A, which succeeded, stays without B.
    expect(entries[0]).toMatchObject({ bulkId: 'qwerty', status: '201' });
    expect(entries[1]).toMatchObject({
      bulkId: 'ytrewq',
      status: '400',
      response: { status: '400', scimType: 'invalidValue', detail: expect.stringMatching(/member of itself/) },
    });
    expect(entries[1]).not.toHaveProperty('location');
    const groups = await scim.send('GET', '/Groups');
    expect((groups.body.Resources ?? []).map((g) => g.displayName)).toEqual(['Group A']);
    expect(memberIds((await scim.send('GET', `/Groups/${idOf(entries[0])}`)).body)).toEqual([]);
    // Alice joined B with it, and left it with it.
    expect((await scim.send('GET', `/Users/${alice.id}`)).body.groups ?? []).toEqual([]);
  });

  it('never lets a bulk operation touch another directory’s resources', async () => {
    const a = await scimClient(database.handle);
    const b = await scimClient(database.handle);
    const ada = await a.createUser('ada@example.com');
    const team = await a.createGroup('Team', [ada.id]);
    const entries = await send(
      b,
      bulk([
        { method: 'PUT', path: `/Users/${ada.id}`, data: user('ada@example.com', { title: 'Taken over' }) },
        { method: 'PATCH', path: `/Users/${ada.id}`, data: patchOp({ op: 'replace', path: 'title', value: 'Taken over' }) },
        { method: 'PATCH', path: `/Groups/${team.id}`, data: patchOp({ op: 'remove', path: 'members' }) },
        { method: 'DELETE', path: `/Users/${ada.id}` },
        { method: 'DELETE', path: `/Groups/${team.id}` },
        { method: 'POST', path: '/Groups', bulkId: 'g', data: group('Cross', [{ value: ada.id }]) },
      ]),
    );
    expect(entries.map((e) => [e.status, e.location])).toEqual([
      ['404', `${b.baseUrl}/Users/${ada.id}`],
      ['404', `${b.baseUrl}/Users/${ada.id}`],
      ['404', `${b.baseUrl}/Groups/${team.id}`],
      ['404', `${b.baseUrl}/Users/${ada.id}`],
      ['404', `${b.baseUrl}/Groups/${team.id}`],
      ['400', undefined],
    ]);
    expect(entries[5]!.response!.scimType).toBe('invalidValue');
    const stillThere = await a.send('GET', `/Users/${ada.id}`);
    expect(stillThere.body.title).toBeUndefined();
    expect(memberIds((await a.send('GET', `/Groups/${team.id}`)).body)).toEqual([ada.id]);
    // Another directory's token cannot open this directory's Bulk endpoint at all.
    const foreign = await clientFor(a.app, b.baseUrl, a.dir.token).send('POST', '/Bulk', bulk([]));
    expect(foreign.status).toBe(401);
  });

  it('answers a malformed bulk request with 400 and a SCIM error, running nothing', async () => {
    const scim = await scimClient(database.handle);
    const post = (extra: Record<string, unknown> = {}) => ({ method: 'POST', path: '/Users', bulkId: 'x', data: user('x@example.com'), ...extra });
    const cases: [string, unknown, string, RegExp][] = [
      ['bad JSON', '{"schemas": [', 'invalidSyntax', /not valid JSON/],
      ['not an object', [post()], 'invalidSyntax', /must be a JSON object/],
      ['no schemas', { Operations: [post()] }, 'invalidSyntax', /"schemas" must be/],
      ['wrong schema', { schemas: [PATCH_URN], Operations: [post()] }, 'invalidSyntax', /"schemas" must be/],
      ['Operations missing', { schemas: [BULK_REQUEST] }, 'invalidSyntax', /"Operations" must be a list/],
      ['Operations not a list', { schemas: [BULK_REQUEST], Operations: { method: 'POST' } }, 'invalidSyntax', /"Operations" must be a list/],
      ['operation not an object', bulk(['POST /Users']), 'invalidSyntax', /Operations\[0\] must be an object/],
      ['unknown method', bulk([post({ method: 'GET' })]), 'invalidValue', /Operations\[0\]\.method/],
      ['no method', bulk([post({ method: undefined })]), 'invalidValue', /Operations\[0\]\.method/],
      ['path outside Users and Groups', bulk([post({ path: '/Schemas' })]), 'invalidValue', /Operations\[0\]\.path/],
      ['absolute URL as path', bulk([post({ path: `${scim.baseUrl}/Users` })]), 'invalidValue', /Operations\[0\]\.path/],
      ['path with a query', bulk([post({ path: '/Users?attributes=id' })]), 'invalidValue', /Operations\[0\]\.path/],
      ['nested path', bulk([{ method: 'DELETE', path: `/Users/${UNKNOWN_ID}/x` }]), 'invalidValue', /Operations\[0\]\.path/],
      ['POST to a resource', bulk([post({ path: `/Users/${UNKNOWN_ID}` })]), 'invalidValue', /a POST creates a resource/],
      ['PUT without an id', bulk([{ method: 'PUT', path: '/Users', data: user('x@example.com') }]), 'invalidValue', /a PUT names one resource/],
      ['POST without bulkId', bulk([post({ bulkId: undefined })]), 'invalidValue', /a POST needs a "bulkId"/],
      ['empty bulkId', bulk([post({ bulkId: '' })]), 'invalidValue', /bulkId must be/],
      ['bulkId with a slash', bulk([post({ bulkId: 'a/b' })]), 'invalidValue', /bulkId must be/],
      ['duplicate bulkIds', bulk([post(), post({ data: user('y@example.com') })]), 'invalidValue', /Operations\[1\]\.bulkId "x" is already the bulkId of Operations\[0\]/],
      ['version not a string', bulk([{ method: 'DELETE', path: `/Users/${UNKNOWN_ID}`, version: 3 }]), 'invalidValue', /version must be an ETag/],
      ['failOnErrors zero', bulk([post()], { failOnErrors: 0 }), 'invalidValue', /failOnErrors/],
      ['failOnErrors fractional', bulk([post()], { failOnErrors: 1.5 }), 'invalidValue', /failOnErrors/],
      ['failOnErrors a string', bulk([post()], { failOnErrors: '1' }), 'invalidValue', /failOnErrors/],
    ];
    for (const [name, body, scimType, detail] of cases) {
      const reply = await scim.send('POST', '/Bulk', body);
      expect(reply.status, `${name}: ${reply.text}`).toBe(400);
      expect(reply.headers.get('content-type'), name).toMatch(/^application\/scim\+json/);
      expect(reply.body, name).toEqual({ schemas: [ERROR_URN], status: '400', scimType, detail: expect.stringMatching(detail) });
    }
    expect((await scim.send('GET', '/Users')).body.totalResults).toBe(0);

    const xml = await scim.send('POST', '/Bulk', '<bulk/>', { 'Content-Type': 'application/xml' });
    expect(xml.status).toBe(415);
    const get = await scim.send('GET', '/Bulk');
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
    expect(get.body.schemas).toEqual([ERROR_URN]);
  });

  it('accepts attribute names in any case and an empty list of operations', async () => {
    const scim = await scimClient(database.handle);
    expect(await send(scim, { schemas: [BULK_REQUEST], Operations: [] })).toEqual([]);
    const entries = await send(scim, {
      Schemas: [BULK_REQUEST.toUpperCase()],
      operations: [{ METHOD: 'post', Path: '/Users', BULKID: 'q', Data: user('case@example.com') }],
      FailOnErrors: 1,
    });
    expect(entries).toMatchObject([{ method: 'POST', bulkId: 'q', status: '201' }]);
  });

  it('counts the Bulk request once against the rate limit and logs it once, without passwords', async () => {
    const built = buildTestApp(database.handle, { SCIM_RATE_LIMIT_PER_MINUTE: '3' }, undefined, { requestLog: true });
    const writer = built.requestLog as RequestLogWriter;
    writers.push(writer);
    const dir = await createTestDirectory(database.handle);
    const scim = clientFor(built.app, `${TEST_PUBLIC_URL}/scim/v2/${dir.directory.id}`, dir.token);
    const operations = Array.from({ length: 5 }, (_, i) => ({ method: 'POST', path: '/Users', bulkId: `u${i}`, data: user(`rl${i}@example.com`, { password: `secret-${i}` }) }));
    const reply = await scim.send('POST', '/Bulk', bulk(operations), { 'User-Agent': 'Bulk client' });
    expect(reply.status).toBe(200);
    expect((reply.body.Operations as BulkEntry[]).map((e) => e.status)).toEqual(['201', '201', '201', '201', '201']);
    expect(reply.headers.get('ratelimit-remaining')).toBe('2');

    await writer.flush();
    const entries = await listRequests(dir.org, { directoryId: dir.directory.id, limit: 100 });
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ method: 'POST', path: '/Bulk', status: 200, scimType: null, resourceType: null, userAgent: 'Bulk client' });
    expect(entries[0]!.requestBody).toMatchObject({ Operations: [{ bulkId: 'u0', data: { userName: 'rl0@example.com' } }, {}, {}, {}, {}] });
    expect(JSON.stringify(entries[0]!.requestBody)).not.toMatch(/secret-/);

    const stored = await database.handle.db
      .select({ id: schema.directoryUsers.id })
      .from(schema.directoryUsers)
      .where(eq(schema.directoryUsers.directoryId, dir.directory.id));
    expect(stored).toHaveLength(5);
  });
});
