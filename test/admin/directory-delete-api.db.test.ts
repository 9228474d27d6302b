import { describe, expect, it } from 'vitest';
import { createApiKey, createDirectory } from '../../src/directory/index.ts';
import { buildTestApp, TEST_PUBLIC_URL } from '../support/app.ts';
import { testDatabaseKind, useTestDatabase } from '../support/database.ts';
import { rowsOfDirectory } from '../support/directory-seed.ts';
import { contextFor, createTestOrganization } from '../support/factories.ts';
import { clientFor, USER_URN } from '../support/scim-client.ts';

const database = useTestDatabase();

describe(`admin API: a directory's whole life on ${testDatabaseKind}`, () => {
  it('lists the last request time, and a deletion stops the tokens and removes the directory', async () => {
    const { app } = buildTestApp(database.handle);
    const org = await createTestOrganization(database.handle);
    const stranger = await createTestOrganization(database.handle);
    const doomed = await createDirectory(org, { provider: 'okta' });
    const sibling = await createDirectory(org, { provider: 'entra' });
    const key = await createApiKey(contextFor(database.handle), { name: 'ops' });
    const admin = (method: string, path: string) =>
      app.request(`/api/v1${path}`, { method, headers: { Authorization: `Bearer ${key.key}` } });
    const directoriesOf = async (slug: string) =>
      ((await (await admin('GET', `/organizations/${slug}/directories`)).json()) as { data: { id: string; lastRequestAt: string | null }[] }).data;

    const scim = clientFor(app, `${TEST_PUBLIC_URL}/scim/v2/${doomed.directory.id}`, doomed.token.token);
    const siblingScim = clientFor(app, `${TEST_PUBLIC_URL}/scim/v2/${sibling.directory.id}`, sibling.token.token);
    expect(await directoriesOf(org.organization.slug)).toEqual([
      expect.objectContaining({ id: doomed.directory.id, lastRequestAt: null }),
      expect.objectContaining({ id: sibling.directory.id, lastRequestAt: null }),
    ]);
    const started = Date.now();
    const alice = await scim.createUser('alice@example.com');
    await scim.createGroup('Engineering', [alice.id]);
    await siblingScim.createUser('bob@example.com');

    const listed = await directoriesOf(org.organization.slug);
    expect(listed).toEqual([
      expect.objectContaining({ id: doomed.directory.id, lastRequestAt: expect.stringMatching(/Z$/) }),
      expect.objectContaining({ id: sibling.directory.id, lastRequestAt: expect.stringMatching(/Z$/) }),
    ]);
    // The time of this test's requests, not some other time: no earlier than the first of them.
    expect(Date.parse(listed[0]!.lastRequestAt!)).toBeGreaterThanOrEqual(Math.floor(started / 1000) * 1000);

    // Another organization names the directory under its own slug: there is no such directory there.
    const foreign = await admin('DELETE', `/organizations/${stranger.organization.slug}/directories/${doomed.directory.id}`);
    expect(foreign.status).toBe(404);
    expect(((await foreign.json()) as { code: string }).code).toBe('not_found');
    expect((await scim.send('GET', `/Users/${alice.id}`)).status).toBe(200);

    const deleted = await admin('DELETE', `/organizations/${org.organization.slug}/directories/${doomed.directory.id}`);
    expect(deleted.status).toBe(200);
    expect(await deleted.json()).toEqual({ id: doomed.directory.id, deleted: true, users: 1, groups: 1, tokens: 1 });

    // The token is refused by the next request, wherever it lands: the database no longer holds it.
    const after = await scim.send('GET', '/Users');
    expect(after.status).toBe(401);
    expect((await scim.send('POST', '/Users', { schemas: [USER_URN], userName: 'carol@example.com' })).status).toBe(401);
    const remaining = await rowsOfDirectory(database.handle.db, doomed.directory.id, [doomed.token.id]);
    expect(Object.values(remaining).every((n) => n === 0)).toBe(true);

    expect((await directoriesOf(org.organization.slug)).map((d) => d.id)).toEqual([sibling.directory.id]);
    expect((await siblingScim.send('GET', '/Users')).body.totalResults).toBe(1);
    expect((await admin('DELETE', `/organizations/${org.organization.slug}/directories/${doomed.directory.id}`)).status).toBe(404);
  });
});
