/**
 * The raw directory over the admin API: the users and groups an IdP pushed over SCIM, paged, and
 * a group's users; read by operators and by members who manage SSO, nobody else.
 */
import { describe, expect, it } from 'vitest';
import { enterOrganization } from '../../src/directory/index.ts';
import { call, memberCaller, operatorCaller } from '../support/admin-api.ts';
import { testDatabaseKind, useTestDatabase } from '../support/database.ts';
import { contextFor } from '../support/factories.ts';
import { scimClient } from '../support/scim-client.ts';

const database = useTestDatabase();

type Page<T> = { data: T[]; nextCursor: string | null };

describe(`directory users and groups over the admin API on ${testDatabaseKind}`, () => {
  it('pages users and groups as the IdP pushed them, and a group’s users', async () => {
    const scim = await scimClient(database.handle);
    const users = [];
    for (let i = 0; i < 5; i++) users.push(await scim.createUser(`user${i}@acme.example`, { emails: [{ value: `User${i}@Acme.example`, primary: true }], displayName: `User ${i}` }));
    const group = await scim.createGroup('Support', users.slice(0, 3).map((u) => u.id));
    await scim.createGroup('Empty');
    const org = await enterOrganization(contextFor(database.handle), scim.dir.org.organization.slug);
    const base = `/organizations/${org.organization.slug}/directories/${scim.dir.directory.id}`;
    const operator = await operatorCaller(database.handle);

    const first = await call<Page<{ id: string; userName: string; emails: string[]; document: { displayName?: string } }>>(scim.app, operator, 'GET', `${base}/users?limit=3`);
    expect(first.status).toBe(200);
    expect(first.body.data.map((u) => u.userName)).toEqual(['user0@acme.example', 'user1@acme.example', 'user2@acme.example']);
    expect(first.body.data[0]).toMatchObject({ emails: ['user0@acme.example'], document: { displayName: 'User 0' }, active: true });
    const second = await call<Page<{ userName: string }>>(scim.app, operator, 'GET', `${base}/users?limit=3&cursor=${first.body.nextCursor}`);
    expect(second.body.data.map((u) => u.userName)).toEqual(['user3@acme.example', 'user4@acme.example']);
    expect(second.body.nextCursor).toBeNull();

    const groups = await call<Page<{ id: string; displayName: string; memberCount: number }>>(scim.app, operator, 'GET', `${base}/groups`);
    expect(groups.body.data.map((g) => [g.displayName, g.memberCount])).toEqual([
      ['Support', 3],
      ['Empty', 0],
    ]);
    const members = await call<Page<string>>(scim.app, operator, 'GET', `${base}/groups/${group.id}/users?limit=2`);
    expect(members.body.data).toHaveLength(2);
    const rest = await call<Page<string>>(scim.app, operator, 'GET', `${base}/groups/${group.id}/users?cursor=${members.body.nextCursor}`);
    expect([...members.body.data, ...rest.body.data].sort()).toEqual(users.slice(0, 3).map((u) => u.id).sort());
    expect((await call(scim.app, operator, 'GET', `${base}/groups/${crypto.randomUUID()}/users`)).status).toBe(404);
    expect((await call(scim.app, operator, 'GET', `${base}/users?cursor=bm9wZQ`)).status).toBe(400);
  });

  it('is read by members who manage SSO; members, viewers and other organizations are refused', async () => {
    const scim = await scimClient(database.handle);
    await scim.createUser('someone@acme.example');
    const org = await enterOrganization(contextFor(database.handle), scim.dir.org.organization.slug);
    const path = `/organizations/${org.organization.slug}/directories/${scim.dir.directory.id}/users`;
    expect((await call(scim.app, await memberCaller(database.handle, org, 'admin'), 'GET', path)).status).toBe(200);
    for (const role of ['member', 'viewer']) {
      const refused = await call(scim.app, await memberCaller(database.handle, org, role), 'GET', path);
      expect(refused, role).toMatchObject({ status: 403, body: { code: 'forbidden', permission: 'sso.manage' } });
    }
    const other = await scimClient(database.handle);
    const outsider = await memberCaller(database.handle, await enterOrganization(contextFor(database.handle), other.dir.org.organization.slug), 'owner');
    expect((await call(scim.app, outsider, 'GET', path)).status).toBe(404);
  });
});
