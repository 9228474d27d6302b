import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { schema } from '../../src/db/index.ts';
import { userNameKey } from '../../src/directory/index.ts';
import { LIMITS_EXTENSION_URN } from '../../src/scim/discovery.ts';
import { testDatabaseKind, useTestDatabase } from '../support/database.ts';
import { GROUP_URN, scimClient, USER_URN, type ScimReply } from '../support/scim-client.ts';

const database = useTestDatabase();

const LIST_BYTES = 4 * 1024 * 1024;

/** Work emails of about `bytes` bytes of JSON in all, each under the 4,096-character string limit. */
function emailsOf(bytes: number, prefix = 'e') {
  const each = 3000;
  return Array.from({ length: Math.ceil(bytes / each) }, (_, i) => ({ value: `${prefix}${i}.${'x'.repeat(each - 40)}@example.com`, type: 'work' }));
}

function expectTooLarge(reply: ScimReply, limit: number) {
  expect(reply.status).toBe(400);
  expect(reply.body.scimType).toBe('invalidValue');
  expect(reply.body.detail).toMatch(new RegExp(`would be \\d+ bytes of JSON, over the limit of ${limit} bytes`));
}

describe(`stored resource size limit on ${testDatabaseKind}`, () => {
  it('publishes the limit and refuses a create, a replace or a PATCH past it, storing nothing', async () => {
    const scim = await scimClient(database.handle);
    const config = await scim.send('GET', '/ServiceProviderConfig');
    expect(config.body[LIMITS_EXTENSION_URN]).toMatchObject({ maxResourceBytes: 65_536, maxListBytes: LIST_BYTES });

    const tooBig = await scim.send('POST', '/Users', { schemas: [USER_URN], userName: 'big@example.com', emails: emailsOf(70_000) });
    expectTooLarge(tooBig, 65_536);
    const none = await database.handle.db.select().from(schema.directoryUsers).where(eq(schema.directoryUsers.directoryId, scim.dir.directory.id));
    expect(none).toHaveLength(0);

    // Just under the limit is stored.
    const user = await scim.createUser('fits@example.com', { emails: emailsOf(60_000) });
    const before = await scim.send('GET', `/Users/${user.id}`);
    const put = await scim.send('PUT', `/Users/${user.id}`, { schemas: [USER_URN], userName: 'fits@example.com', emails: emailsOf(70_000) });
    expectTooLarge(put, 65_536);
    const patch = await scim.patch(`/Users/${user.id}`, [{ op: 'add', path: 'emails', value: emailsOf(9000, 'more') }]);
    expectTooLarge(patch, 65_536);
    const after = await scim.send('GET', `/Users/${user.id}`);
    expect(after.body).toEqual(before.body);
  });

  it('takes the limit from SCIM_MAX_RESOURCE_BYTES, for groups as for users', async () => {
    const scim = await scimClient(database.handle, { SCIM_MAX_RESOURCE_BYTES: '2048' });
    const config = await scim.send('GET', '/ServiceProviderConfig');
    expect(config.body[LIMITS_EXTENSION_URN]).toMatchObject({ maxResourceBytes: 2048 });

    const group = await scim.createGroup('Limited');
    const before = await scim.send('GET', `/Groups/${group.id}`);
    expectTooLarge(await scim.send('POST', '/Groups', { schemas: [GROUP_URN], displayName: 'x'.repeat(3000) }), 2048);
    expectTooLarge(await scim.send('PUT', `/Groups/${group.id}`, { schemas: [GROUP_URN], displayName: 'x'.repeat(3000) }), 2048);
    expectTooLarge(await scim.patch(`/Groups/${group.id}`, [{ op: 'replace', path: 'displayName', value: 'x'.repeat(3000) }]), 2048);
    expect((await scim.send('GET', `/Groups/${group.id}`)).body).toEqual(before.body);
    const groups = await scim.send('GET', '/Groups');
    expect(groups.body.totalResults).toBe(1);
    // Members are rows of their own, not part of the document: a group may list more than fits in 2 KiB.
    const users = await Promise.all(Array.from({ length: 60 }, (_, i) => scim.createUser(`member${i}@example.com`)));
    const added = await scim.patch(`/Groups/${group.id}`, [{ op: 'add', path: 'members', value: users.map((u) => ({ value: u.id, display: 'x'.repeat(50) })) }]);
    expect(added.status).toBe(204);
    expect(((await scim.send('GET', `/Groups/${group.id}`)).body.members as unknown[]).length).toBe(60);
  });
});

describe(`list pages bounded in bytes on ${testDatabaseKind}`, () => {
  it('stops a page before 4 MiB of resources, and paging by itemsPerPage reaches every user once', async () => {
    const scim = await scimClient(database.handle);
    // Stored directly: 70 documents of about 62 KB each make more than 4 MiB.
    const rows = Array.from({ length: 70 }, (_, i) => {
      const userName = `large${i}@example.com`;
      return {
        id: crypto.randomUUID(),
        organizationId: scim.dir.org.organization.id,
        directoryId: scim.dir.directory.id,
        userName,
        userNameKey: userNameKey(userName),
        document: { schemas: [USER_URN], userName, emails: emailsOf(62_000) },
      };
    });
    for (let i = 0; i < rows.length; i += 10) await database.handle.db.insert(schema.directoryUsers).values(rows.slice(i, i + 10));

    const first = await scim.send('GET', '/Users?count=100');
    expect(first.status).toBe(200);
    expect(first.body.totalResults).toBe(70);
    const perPage = first.body.itemsPerPage as number;
    expect(perPage).toBeGreaterThan(1);
    expect(perPage).toBeLessThan(70);
    expect(first.body.Resources).toHaveLength(perPage);
    expect(Buffer.byteLength(first.text)).toBeLessThanOrEqual(LIST_BYTES + 1024);

    const seen: string[] = [];
    let pages = 0;
    for (let start = 1; start <= 70; pages++) {
      const page = await scim.send('GET', `/Users?startIndex=${start}&count=100`);
      expect(page.body).toMatchObject({ totalResults: 70, startIndex: start });
      expect(page.body.Resources).toHaveLength(page.body.itemsPerPage as number);
      expect(page.body.itemsPerPage).toBeGreaterThan(0);
      seen.push(...(page.body.Resources ?? []).map((r) => r.id as string));
      start += page.body.itemsPerPage as number;
    }
    expect(pages).toBeGreaterThan(1);
    expect(seen.sort()).toEqual(rows.map((r) => r.id).sort());

    // The byte bound applies to searches as well.
    const search = await scim.send('POST', '/Users/.search', {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'],
      filter: 'userName sw "large"',
      count: 100,
    });
    expect(search.body.totalResults).toBe(70);
    expect(search.body.itemsPerPage).toBeLessThan(70);
  }, 120_000);

  it('returns a resource larger than the bound on a page of its own', async () => {
    const scim = await scimClient(database.handle);
    // A user stored before the resource size limit existed can be larger than a whole page.
    const userName = 'legacy-huge@example.com';
    const id = crypto.randomUUID();
    await database.handle.db.insert(schema.directoryUsers).values({
      id,
      organizationId: scim.dir.org.organization.id,
      directoryId: scim.dir.directory.id,
      userName,
      userNameKey: userNameKey(userName),
      document: { schemas: [USER_URN], userName, emails: emailsOf(LIST_BYTES + 100_000) },
    });
    const other = await scim.createUser('small@example.com');
    const page = await scim.send('GET', '/Users?count=10');
    expect(page.body).toMatchObject({ totalResults: 2, itemsPerPage: 1 });
    const next = await scim.send('GET', '/Users?startIndex=2&count=10');
    expect(next.body).toMatchObject({ totalResults: 2, itemsPerPage: 1 });
    expect([page.body.Resources?.[0]?.id, next.body.Resources?.[0]?.id].sort()).toEqual([id, other.id].sort());
  }, 120_000);
});
