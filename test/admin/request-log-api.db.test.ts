import { describe, expect, it } from 'vitest';
import { createApiKey } from '../../src/directory/index.ts';
import { buildTestApp, TEST_PUBLIC_URL } from '../support/app.ts';
import { testDatabaseKind, useTestDatabase } from '../support/database.ts';
import { contextFor, createTestDirectory } from '../support/factories.ts';

const database = useTestDatabase();

describe(`admin API: a directory's SCIM requests on ${testDatabaseKind}`, () => {
  it('lists them newest first, failures only when asked, for an operator key', async () => {
    const { app, requestLog } = buildTestApp(database.handle, {}, undefined, { requestLog: true });
    const dir = await createTestDirectory(database.handle);
    const other = await createTestDirectory(database.handle);
    const scim = (token: string, directoryId: string, path: string, init: RequestInit = {}) =>
      app.request(`${TEST_PUBLIC_URL}/scim/v2/${directoryId}${path}`, {
        ...init,
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/scim+json', 'User-Agent': 'Okta SCIM Client 1.0.0' },
      });
    await scim(dir.token, dir.directory.id, '/ServiceProviderConfig');
    await scim(dir.token, dir.directory.id, '/Users', { method: 'POST', body: '{"userName":' });
    await scim(other.token, other.directory.id, '/Schemas');
    await requestLog!.close();

    const key = await createApiKey(contextFor(database.handle), { name: 'ops' });
    const get = (path: string) => app.request(`/api/v1${path}`, { headers: { Authorization: `Bearer ${key.key}` } });
    const slug = dir.org.organization.slug;
    const base = `/organizations/${slug}/directories/${dir.directory.id}/requests`;

    const all = await get(base);
    expect(all.status).toBe(200);
    const { data } = (await all.json()) as { data: Record<string, unknown>[] };
    expect(data.map((e) => [e.method, e.path, e.status, e.scimType])).toEqual([
      ['POST', '/Users', 400, 'invalidSyntax'],
      ['GET', '/ServiceProviderConfig', 200, null],
    ]);
    expect(Object.keys(data[0]!).sort()).toEqual(
      ['durationMs', 'filter', 'id', 'method', 'path', 'requestBody', 'requestId', 'resourceId', 'resourceType', 'scimType', 'status', 'time', 'userAgent'].sort(),
    );
    expect(data[1]).toMatchObject({ userAgent: 'Okta SCIM Client 1.0.0', time: expect.stringMatching(/Z$/) });

    const failed = (await (await get(`${base}?failed=true&limit=50`)).json()) as { data: { path: string }[] };
    expect(failed.data.map((e) => e.path)).toEqual(['/Users']);
    const one = (await (await get(`${base}?limit=1`)).json()) as { data: { id: string; path: string }[] };
    expect(one.data).toHaveLength(1);
    const older = (await (await get(`${base}?limit=1&before=${one.data[0]!.id}`)).json()) as { data: { path: string }[] };
    expect(older.data.map((e) => e.path)).toEqual(['/ServiceProviderConfig']);
    const pruned = await get(`${base}?before=0190d0a4-0000-7000-8000-0000000000ff`);
    expect(pruned.status).toBe(400);
    expect(((await pruned.json()) as { detail: string }).detail).toMatch(/no entry of this directory's request log/);

    // Another organization's directory, named under this organization, does not exist here.
    const foreign = await get(`/organizations/${slug}/directories/${other.directory.id}/requests`);
    expect(foreign.status).toBe(404);
    expect(((await foreign.json()) as { code: string }).code).toBe('not_found');

    const bad = await get(`${base}?limit=lots`);
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ code: 'invalid_input', errors: [{ field: 'query.limit', message: expect.any(String) }] });
    expect((await get(`${base}?failed=maybe`)).status).toBe(400);
    expect((await get(`${base}?limit=5000`)).status).toBe(400);

    expect((await app.request(`/api/v1${base}`)).status).toBe(401);
  });
});
