import { describe, expect, it } from 'vitest';
import { createApiKey, createDirectory, revokeApiKey } from '../../src/directory/index.ts';
import { testDatabaseKind, useTestDatabase } from '../support/database.ts';
import { contextFor, createTestOrganization } from '../support/factories.ts';
import { buildTestApp, TEST_PUBLIC_URL } from '../support/app.ts';

const database = useTestDatabase();

describe(`admin API authentication on ${testDatabaseKind}`, () => {
  it('lists organizations and directories for a live operator key only', async () => {
    const { app } = buildTestApp(database.handle);
    const org = await createTestOrganization(database.handle);
    const { directory } = await createDirectory(org, { provider: 'okta' });
    const key = await createApiKey(contextFor(database.handle), { name: 'ops' });
    const auth = { Authorization: `Bearer ${key.key}` };

    const orgs = await app.request('/api/v1/organizations', { headers: auth });
    expect(orgs.status).toBe(200);
    const list = (await orgs.json()) as { data: { slug: string }[] };
    expect(list.data.map((o) => o.slug)).toContain(org.organization.slug);

    const dirs = await app.request(`/api/v1/organizations/${org.organization.slug}/directories`, { headers: auth });
    expect(await dirs.json()).toEqual({
      data: [expect.objectContaining({ id: directory.id, scimBaseUrl: `${TEST_PUBLIC_URL}/scim/v2/${directory.id}`, liveTokens: 1 })],
    });

    const missing = await app.request('/api/v1/organizations/nope/directories', { headers: auth });
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toBe('application/problem+json');
    expect(await missing.json()).toEqual({
      type: 'urn:roster:problem:not_found',
      title: 'Not found',
      status: 404,
      detail: 'no organization with slug "nope"',
      code: 'not_found',
      instance: '/api/v1/organizations/nope/directories',
    });

    await revokeApiKey(contextFor(database.handle), { id: key.id });
    const revoked = await app.request('/api/v1/organizations', { headers: auth });
    expect(revoked.status).toBe(401);
    expect(await revoked.json()).toMatchObject({ status: 401, code: 'unauthenticated', detail: 'invalid, expired or revoked token' });
  });

  it('tells a missing key from a malformed header', async () => {
    const { app } = buildTestApp(database.handle);
    const none = await app.request('/api/v1/organizations');
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe('Bearer realm="roster"');
    const malformed = await app.request('/api/v1/organizations', { headers: { Authorization: 'Token x' } });
    expect(((await malformed.json()) as { detail: string }).detail).toBe('malformed Authorization header');
  });
});

describe(`local control endpoint on ${testDatabaseKind}`, () => {
  it('is absent unless the server owns the embedded database', async () => {
    const { app } = buildTestApp(database.handle);
    expect((await app.request('/_roster/control/org.list', { method: 'POST', body: '{}' })).status).toBe(404);
  });

  it('runs operations for the holder of the control credential only', async () => {
    const { app } = buildTestApp(database.handle, {}, 'c'.repeat(43));
    const call = (op: string, body: unknown, token = 'c'.repeat(43)) =>
      app.request(`/_roster/control/${op}`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      });
    expect((await call('org.list', {}, 'd'.repeat(43))).status).toBe(401);
    expect((await call('org.list', {}, 'short')).status).toBe(401);
    expect((await call('org.drop', {})).status).toBe(404);

    const slug = `ctl-${Date.now().toString(36)}`;
    const created = await call('org.create', { slug, name: 'Control' });
    expect(created.status).toBe(200);
    expect(((await created.json()) as { result: { slug: string } }).result.slug).toBe(slug);

    const conflict = await call('org.create', { slug, name: 'Control' });
    expect(conflict.status).toBe(409);
    const extra = await call('org.create', { slug: 'x', name: 'y', admin: true });
    expect(extra.status).toBe(400);
    expect(((await extra.json()) as { error: { message: string } }).error.message).toMatch(/admin/);
  });
});
