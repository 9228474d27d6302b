import { sql } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { inOrganization, listRequests, type LoggedRequest, type OrgContext } from '../../src/directory/index.ts';
import type { RequestLogWriter } from '../../src/jobs/index.ts';
import { buildTestApp, TEST_PUBLIC_URL } from '../support/app.ts';
import { testDatabaseKind, useTestDatabase } from '../support/database.ts';
import { createTestDirectory } from '../support/factories.ts';

const database = useTestDatabase();
const writers: RequestLogWriter[] = [];
afterEach(async () => {
  await Promise.all(writers.splice(0).map((w) => w.close()));
});

async function setup() {
  const built = buildTestApp(database.handle, {}, undefined, { requestLog: true });
  const writer = built.requestLog!;
  writers.push(writer);
  const dir = await createTestDirectory(database.handle);
  const base = `${TEST_PUBLIC_URL}/scim/v2/${dir.directory.id}`;
  const call = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
    built.app.request(`${base}${path}`, {
      method,
      headers: {
        Authorization: `Bearer ${dir.token}`,
        ...(body === undefined ? {} : { 'Content-Type': 'application/scim+json' }),
        ...headers,
      },
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
  const log = async (options: { failedOnly?: boolean } = {}): Promise<LoggedRequest[]> => {
    await writer.flush();
    return listRequests(dir.org, { directoryId: dir.directory.id, limit: 100, ...options });
  };
  return { ...built, writer, dir, base, call, log };
}

const user = (userName: string, extra: Record<string, unknown> = {}) => ({
  schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
  userName,
  name: { givenName: 'Ada', familyName: 'Lovelace' },
  ...extra,
});

describe(`SCIM request log on ${testDatabaseKind}`, () => {
  it('records a successful request with its method, path, status, duration, user agent and request id', async () => {
    const { call, log } = await setup();
    const response = await call('GET', '/ServiceProviderConfig', undefined, { 'User-Agent': 'Okta SCIM Client 1.0.0', 'X-Request-Id': 'req-spc-1' });
    expect(response.status).toBe(200);
    const [entry, ...rest] = await log();
    expect(rest).toEqual([]);
    expect(entry).toMatchObject({
      method: 'GET',
      path: '/ServiceProviderConfig',
      filter: null,
      status: 200,
      scimType: null,
      resourceType: null,
      resourceId: null,
      requestBody: null,
      userAgent: 'Okta SCIM Client 1.0.0',
      requestId: 'req-spc-1',
    });
    expect(entry!.durationMs).toBeGreaterThanOrEqual(0);
    expect(entry!.time).toBeInstanceOf(Date);
  });

  it('records a failed request with the scimType of its error body, and the filter it carried', async () => {
    const { call, log } = await setup();
    const response = await call('GET', `/Users?filter=${encodeURIComponent('userName eq')}`);
    expect(response.status).toBe(400);
    const body = (await response.json()) as { scimType?: string };
    expect(body.scimType).toBe('invalidFilter');

    const notFound = await call('GET', '/Nothing/here');
    expect(notFound.status).toBe(404);

    const failed = await log({ failedOnly: true });
    expect(failed.map((e) => [e.method, e.path, e.status, e.scimType, e.filter])).toEqual([
      ['GET', '/Nothing/here', 404, null, null],
      ['GET', '/Users', 400, 'invalidFilter', 'userName eq'],
    ]);
  });

  it('records a bad POST body as a 400 with its scimType', async () => {
    const { call, log } = await setup();
    const response = await call('POST', '/Users', '{"userName": ');
    expect(response.status).toBe(400);
    const [entry] = await log();
    expect(entry).toMatchObject({ method: 'POST', path: '/Users', status: 400, scimType: 'invalidSyntax' });
    expect(entry!.requestBody).toEqual({ _roster: 'not JSON', contentType: 'application/scim+json', bytes: 13 });
  });

  it('records the resource a successful POST created, from its Location', async () => {
    const { call, log } = await setup();
    const response = await call('POST', '/Users', user('ada@example.com'));
    expect(response.status).toBe(201);
    const id = ((await response.json()) as { id: string }).id;
    const [entry] = await log();
    expect(entry).toMatchObject({ method: 'POST', path: '/Users', status: 201, resourceType: 'User', resourceId: id });
  });

  it('records the resource named in the path', async () => {
    const { call, log } = await setup();
    const id = '0190d0a4-0000-7000-8000-000000000001';
    expect((await call('GET', `/Groups/${id}`)).status).toBe(404);
    const [entry] = await log();
    expect(entry).toMatchObject({ path: `/Groups/${id}`, status: 404, resourceType: 'Group', resourceId: id });
  });

  it('never stores a password, at any depth and in any case', async () => {
    const { call, log } = await setup();
    await call(
      'POST',
      '/Users',
      user('grace@example.com', {
        password: 'top-secret-1',
        'urn:example:ext': { PassWord: 'top-secret-2', nested: [{ PASSWORD: 'top-secret-3', keep: 'visible' }] },
      }),
    );
    await call('PATCH', '/Users/0190d0a4-0000-7000-8000-000000000002', {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [
        { op: 'replace', path: 'password', value: 'top-secret-4' },
        { op: 'replace', value: { password: 'top-secret-5', displayName: 'Grace' } },
      ],
    });
    const entries = await log();
    expect(entries).toHaveLength(2);
    const stored = JSON.stringify(entries.map((e) => e.requestBody));
    expect(stored).not.toMatch(/top-secret/);
    expect(stored).not.toMatch(/"password"\s*:/i);
    const [patch, post] = entries;
    expect(post!.requestBody).toMatchObject({ userName: 'grace@example.com', 'urn:example:ext': { nested: [{ keep: 'visible' }] } });
    expect(patch!.requestBody).toMatchObject({ Operations: [{ op: 'replace', path: 'password' }, { op: 'replace', value: { displayName: 'Grace' } }] });
  });

  /** Every stored row of the directory's log as text, each column included. */
  async function storedRows(directoryId: string): Promise<string> {
    const result = await database.handle.db.execute(sql`SELECT row_to_json(l)::text AS row FROM scim_request_log l WHERE directory_id = ${directoryId}`);
    const rows = (Array.isArray(result) ? result : (result as { rows: unknown[] }).rows) as { row: string }[];
    return rows.map((r) => r.row).join('\n');
  }

  it('never stores a password in any spelling: member names, PATCH paths in any case, schema-qualified, inside Bulk', async () => {
    const { call, log, dir } = await setup();
    const CORE = 'urn:ietf:params:scim:schemas:core:2.0:User';
    const patchOp = (...Operations: unknown[]) => ({ schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations });
    const target = '/Users/0190d0a4-0000-7000-8000-000000000002';
    await call('POST', '/Users', user('s1@example.com', { Password: 'secret-01' }));
    await call('PUT', target, user('s2@example.com', { PASSWORD: 'secret-02', [`${CORE}:password`]: 'secret-03' }));
    await call(
      'PATCH',
      target,
      patchOp(
        { op: 'replace', path: 'PASSWORD', value: 'secret-04' },
        { op: 'Replace', Path: 'Password', Value: 'secret-05' },
        { OP: 'add', PATH: `${CORE}:password`, VALUE: 'secret-06' },
        { op: 'replace', path: ` ${CORE.toUpperCase()}:PASSWORD `, value: 'secret-07' },
        { op: 'replace', value: { [`${CORE}:Password`]: 'secret-08', pAsSwOrD: 'secret-09' } },
      ),
    );
    await call('POST', '/Bulk', {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:BulkRequest'],
      Operations: [
        { method: 'POST', path: '/Users', bulkId: 'a', data: user('s3@example.com', { password: 'secret-10' }) },
        { method: 'PATCH', path: target, data: patchOp({ op: 'replace', Path: 'password', value: 'secret-11' }) },
      ],
    });
    const entries = await log();
    expect(entries).toHaveLength(4);
    const stored = await storedRows(dir.directory.id);
    expect(stored).toContain('s3@example.com');
    expect(stored).not.toMatch(/secret-\d/);
    const [, patch] = entries;
    expect(patch!.requestBody).toMatchObject({ Operations: [{ path: 'PASSWORD' }, { Path: 'Password' }, { PATH: `${CORE}:password` }, { op: 'replace' }, { value: {} }] });
  });

  it.each([
    ['accepted by the parser', 'password eq "hunter2"'],
    ['schema-qualified, among other conditions', 'userName eq "x" or urn:ietf:params:scim:schemas:core:2.0:User:PASSWORD sw "hunter2"'],
    ['in a value path', 'emails[password eq "hunter2"]'],
    ['refused by the parser', 'password eq hunter2 and'],
    ['with the value first', '"hunter2" eq password'],
  ])('never stores the value of a filter on a password %s, in the query or in a .search body', async (_name, filter) => {
    const { call, log, dir } = await setup();
    expect((await call('GET', `/Users?filter=${encodeURIComponent(filter)}`)).status).toBe(400);
    expect((await call('GET', `/Users?FILTER=${encodeURIComponent(filter).replace('hunter2', 'hunter%ff2')}`)).status).toBe(400);
    await call('POST', '/Users/.search', { schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'], Filter: filter });
    const entries = await log();
    expect(entries).toHaveLength(3);
    for (const entry of entries) expect(entry.filter).toMatch(/password/i);
    expect(await storedRows(dir.directory.id)).not.toMatch(/hunter/);
  });

  it('cuts a huge body to 64 KiB and marks it', async () => {
    const { call, log } = await setup();
    const members = Array.from({ length: 10_000 }, (_, i) => ({ value: `0190d0a4-0000-7000-8000-${String(i).padStart(12, '0')}` }));
    await call('PATCH', '/Groups/0190d0a4-0000-7000-8000-000000000003', {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [{ op: 'add', path: 'members', value: members }],
    });
    const [entry] = await log();
    const body = entry!.requestBody as { _roster: string; bytes: number; preview: string };
    expect(body._roster).toBe('truncated');
    expect(body.bytes).toBeGreaterThan(64 * 1024);
    expect(Buffer.byteLength(body.preview)).toBeLessThanOrEqual(64 * 1024);
    expect(body.preview.startsWith('{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"]')).toBe(true);
  });

  it("keeps each directory's requests to itself", async () => {
    const a = await setup();
    const b = await setup();
    await a.call('GET', '/ServiceProviderConfig');
    await b.call('GET', '/Schemas');
    await b.call('GET', '/ResourceTypes');
    expect((await a.log()).map((e) => e.path)).toEqual(['/ServiceProviderConfig']);
    expect((await b.log()).map((e) => e.path)).toEqual(['/ResourceTypes', '/Schemas']);

    // Naming b's directory from a's organization finds nothing to show.
    const foreign: OrgContext = inOrganization({ db: database.handle.db, actor: { type: 'operator', id: 'test' } }, a.dir.org.organization);
    await expect(listRequests(foreign, { directoryId: b.dir.directory.id })).rejects.toMatchObject({ code: 'not_found' });
  });

  it('stores many requests in far fewer INSERTs', async () => {
    const { call, log, writer } = await setup();
    for (let i = 0; i < 25; i++) expect((await call('GET', '/ServiceProviderConfig')).status).toBe(200);
    expect(await log()).toHaveLength(25);
    expect(writer.stats.written).toBe(25);
    expect(writer.stats.batches).toBeLessThan(25 / 5);
  });

  it('does not record requests that failed authentication', async () => {
    const { app, base, log } = await setup();
    expect((await app.request(`${base}/ServiceProviderConfig`)).status).toBe(401);
    expect((await app.request(`${base}/ServiceProviderConfig`, { headers: { Authorization: 'Bearer rst_scim_wrong' } })).status).toBe(401);
    expect(await log()).toEqual([]);
  });
});
