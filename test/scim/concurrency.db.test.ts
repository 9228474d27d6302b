import { eq, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { rowsOf, schema } from '../../src/db/index.ts';
import { userNameKey } from '../../src/directory/index.ts';
import { testDatabaseKind, useTestDatabase } from '../support/database.ts';
import { holdTransaction } from '../support/held-transaction.ts';
import { GROUP_URN, scimClient, USER_URN } from '../support/scim-client.ts';

const database = useTestDatabase();

async function eventsOf(resourceId: string) {
  return database.handle.db
    .select({ type: schema.directoryEvents.type, data: schema.directoryEvents.data })
    .from(schema.directoryEvents)
    .where(eq(schema.directoryEvents.resourceId, resourceId))
    .orderBy(schema.directoryEvents.id);
}

describe(`SCIM writes under real traffic on ${testDatabaseKind}`, () => {
  it('creates exactly one user when an IdP retries a POST; the other attempts get 409 uniqueness', async () => {
    const scim = await scimClient(database.handle);
    const body = { schemas: [USER_URN], userName: 'Retry@Example.com', externalId: 'okta-1' };
    const replies = await Promise.all([1, 2, 3, 4].map(() => scim.send('POST', '/Users', body)));
    expect(replies.map((r) => r.status).sort()).toEqual([201, 409, 409, 409]);
    for (const r of replies.filter((x) => x.status === 409)) expect(r.body.scimType).toBe('uniqueness');
    // userName uniqueness is case-insensitive.
    expect((await scim.send('POST', '/Users', { ...body, userName: 'retry@example.com' })).status).toBe(409);
    const found = await scim.send('GET', '/Users?filter=userName%20eq%20%22RETRY%40EXAMPLE.COM%22');
    expect(found.body.totalResults).toBe(1);
  });

  it('applies 20 concurrent PATCHes of one group one after another: every member added, none answered 409', async () => {
    const scim = await scimClient(database.handle);
    const group = await scim.createGroup('Concurrent');
    const users = await Promise.all(Array.from({ length: 20 }, (_, i) => scim.createUser(`c${i}@example.com`)));
    // Half only add a member (one statement); the other half also change the document, which
    // takes the path that reads the group under its lock.
    const replies = await Promise.all(
      users.map((u, i) =>
        scim.patch(`/Groups/${group.id}`, [
          { op: 'Add', path: 'members', value: [{ $ref: null, value: u.id }] },
          ...(i % 2 === 1 ? [{ op: 'replace', path: 'externalId', value: 'entra-concurrent' }] : []),
        ]),
      ),
    );
    expect(replies.map((r) => r.status)).toEqual(users.map(() => 204));
    const after = await scim.send('GET', `/Groups/${group.id}`);
    expect((after.body.members as { value: string }[]).map((m) => m.value).sort()).toEqual(users.map((u) => u.id).sort());
    expect(after.body.externalId).toBe('entra-concurrent');
    // One version per PATCH that changed something: each added a member.
    expect(after.body.meta).toMatchObject({ version: 'W/"21"' });
    const events = await database.handle.db
      .select({ data: schema.directoryEvents.data })
      .from(schema.directoryEvents)
      .where(eq(schema.directoryEvents.resourceId, group.id));
    const added = events.flatMap((e) => (e.data.added as string[] | undefined) ?? []);
    expect(added.sort()).toEqual(users.map((u) => u.id).sort());
    // Each user's groups changed, so each user's version moved on.
    expect((await scim.send('GET', `/Users/${users[0]!.id}`)).body.meta).toMatchObject({ version: 'W/"2"' });
  });

  it('applies 20 concurrent PATCHes of one user one after another: every change kept, none answered 409', async () => {
    const scim = await scimClient(database.handle);
    const user = await scim.createUser('many-changes@example.com');
    const emails = Array.from({ length: 12 }, (_, i) => `alias${i}@example.com`);
    const attributes: [string, string][] = [
      ['title', 'Engineer'],
      ['nickName', 'Babs'],
      ['profileUrl', 'https://example.com/babs'],
      ['locale', 'en-GB'],
      ['timezone', 'Europe/London'],
      ['preferredLanguage', 'en-GB'],
      ['userType', 'Employee'],
      ['name.givenName', 'Barbara'],
    ];
    const replies = await Promise.all([
      ...emails.map((value) => scim.patch(`/Users/${user.id}`, [{ op: 'add', path: 'emails', value: [{ value, type: 'other' }] }])),
      ...attributes.map(([path, value]) => scim.patch(`/Users/${user.id}`, [{ op: 'replace', path, value }])),
    ]);
    expect(replies.map((r) => r.status)).toEqual(replies.map(() => 200));
    const after = await scim.send('GET', `/Users/${user.id}`);
    expect((after.body.emails as { value: string }[]).map((e) => e.value).sort()).toEqual([...emails].sort());
    expect(after.body).toMatchObject({
      title: 'Engineer',
      nickName: 'Babs',
      profileUrl: 'https://example.com/babs',
      locale: 'en-GB',
      timezone: 'Europe/London',
      preferredLanguage: 'en-GB',
      userType: 'Employee',
      name: { givenName: 'Barbara' },
      meta: { version: 'W/"21"' },
    });
    // The emails' index column follows the document: a filter on an added email finds the user.
    const found = await scim.send('GET', `/Users?filter=${encodeURIComponent('emails.value eq "alias7@example.com"')}`);
    expect(found.body.Resources?.map((r) => r.id)).toEqual([user.id]);
  });

  it('still answers 412 to a write whose If-Match names a version that is no longer current', async () => {
    const scim = await scimClient(database.handle);
    const user = await scim.createUser('guarded@example.com');
    const etag = (await scim.send('GET', `/Users/${user.id}`)).headers.get('etag')!;
    expect((await scim.patch(`/Users/${user.id}`, [{ op: 'replace', path: 'title', value: 'First' }], { 'If-Match': etag })).status).toBe(200);
    const stale = await scim.patch(`/Users/${user.id}`, [{ op: 'replace', path: 'title', value: 'Second' }], { 'If-Match': etag });
    expect(stale.status).toBe(412);
    const group = await scim.createGroup('Guarded');
    const groupEtag = (await scim.send('GET', `/Groups/${group.id}`)).headers.get('etag')!;
    expect((await scim.patch(`/Groups/${group.id}`, [{ op: 'add', path: 'members', value: [{ value: user.id }] }], { 'If-Match': groupEtag })).status).toBe(204);
    const staleGroup = await scim.patch(`/Groups/${group.id}`, [{ op: 'remove', path: 'members' }], { 'If-Match': groupEtag });
    expect(staleGroup.status).toBe(412);
    expect((await scim.send('GET', `/Users/${user.id}`)).body).toMatchObject({ title: 'First', groups: [{ value: group.id }] });
  });

  it('adds 10,000 members in one PATCH, in one transaction', async () => {
    const scim = await scimClient(database.handle);
    const group = await scim.createGroup('Big');
    const ids: string[] = [];
    // Seed users directly: the point here is the PATCH, not 10,000 POSTs.
    const rows = Array.from({ length: 10_000 }, (_, i) => ({
      id: crypto.randomUUID(),
      organizationId: scim.dir.org.organization.id,
      directoryId: scim.dir.directory.id,
      userName: `bulk${i}@example.com`,
      userNameKey: userNameKey(`bulk${i}@example.com`),
      document: { schemas: [USER_URN], userName: `bulk${i}@example.com` },
    }));
    for (let i = 0; i < rows.length; i += 2000) await database.handle.db.insert(schema.directoryUsers).values(rows.slice(i, i + 2000));
    ids.push(...rows.map((r) => r.id));
    const unknown = '00000000-0000-7000-8000-000000000001';
    const rejected = await scim.patch(`/Groups/${group.id}`, [{ op: 'add', path: 'members', value: [...ids, unknown].map((value) => ({ value })) }]);
    expect(rejected.status).toBe(400);
    expect(rejected.body.scimType).toBe('invalidValue');
    const none = await database.handle.db.select().from(schema.directoryGroupMembers).where(eq(schema.directoryGroupMembers.groupId, group.id));
    expect(none).toHaveLength(0);

    const added = await scim.patch(`/Groups/${group.id}`, [{ op: 'add', path: 'members', value: ids.map((value) => ({ value })) }]);
    expect(added.status).toBe(204);
    const page = await scim.send('GET', `/Groups?filter=displayName%20eq%20%22Big%22&excludedAttributes=members`);
    expect(page.body.Resources?.[0]?.members).toBeUndefined();
    const full = await scim.send('GET', `/Groups/${group.id}`);
    expect((full.body.members as unknown[]).length).toBe(10_000);
    // PGlite is single-threaded WebAssembly: 10,000 rows take it several seconds on a busy machine.
  }, 120_000);

  it('adds users by their foreign keys alone: a group id without a type nests it, a bad id changes nothing', async () => {
    // Adding users is one statement whose memberships' foreign keys check every id
    // (src/directory/group-statements.ts); whatever they refuse takes the general path.
    const scim = await scimClient(database.handle);
    const [a, b, gone] = await Promise.all(['a', 'b', 'gone'].map((n) => scim.createUser(`${n}@example.com`)));
    const parent = await scim.createGroup('Parent');
    const child = await scim.createGroup('Child');
    expect((await scim.send('DELETE', `/Users/${gone!.id}`)).status).toBe(204);
    const before = await scim.send('GET', `/Groups/${parent.id}`);
    expect(before.headers.get('etag')).toMatch(/^W\/"\d+"$/);
    const eventsBefore = await database.handle.db.select().from(schema.directoryEvents).where(eq(schema.directoryEvents.resourceId, parent.id));

    for (const bad of [gone!.id, '00000000-0000-7000-8000-00000000abcd']) {
      const refused = await scim.patch(`/Groups/${parent.id}`, [{ op: 'Add', path: 'members', value: [{ value: a!.id }, { value: bad }] }]);
      expect(refused.status).toBe(400);
      expect(refused.body.scimType).toBe('invalidValue');
    }
    const unchanged = await scim.send('GET', `/Groups/${parent.id}`);
    expect(unchanged.body.members ?? []).toEqual([]);
    expect(unchanged.headers.get('etag')).toBe(before.headers.get('etag'));
    expect((await scim.send('GET', `/Users/${a!.id}`)).body.groups ?? []).toEqual([]);
    expect(await database.handle.db.select().from(schema.directoryEvents).where(eq(schema.directoryEvents.resourceId, parent.id))).toHaveLength(
      eventsBefore.length,
    );

    const nested = await scim.patch(`/Groups/${parent.id}`, [{ op: 'Add', path: 'members', value: [{ value: child.id }, { value: b!.id }] }]);
    expect(nested.status).toBe(204);
    const members = (await scim.send('GET', `/Groups/${parent.id}`)).body.members as { value: string; type: string }[];
    expect(members.map((m) => [m.value, m.type]).sort()).toEqual([[b!.id, 'User'], [child.id, 'Group']].sort());
  });

  it('removes only the listed members on an Entra Remove with a value list', async () => {
    const scim = await scimClient(database.handle);
    const [a, b, c] = await Promise.all(['a', 'b', 'c'].map((n) => scim.createUser(`${n}@example.com`)));
    const group = await scim.createGroup('Three', [a!.id, b!.id, c!.id]);
    const removed = await scim.patch(`/Groups/${group.id}`, [{ op: 'Remove', path: 'members', value: [{ value: b!.id }] }]);
    expect(removed.status).toBe(204);
    const after = await scim.send('GET', `/Groups/${group.id}?attributes=members`);
    expect((after.body.members as { value: string }[]).map((m) => m.value).sort()).toEqual([a!.id, c!.id].sort());
    const withAttributes = await scim.patch(`/Groups/${group.id}?attributes=displayName`, [{ op: 'replace', path: 'displayName', value: 'Renamed' }]);
    expect(withAttributes.status).toBe(200);
    expect(withAttributes.body).toMatchObject({ id: group.id, displayName: 'Renamed' });
    expect(withAttributes.body.members).toBeUndefined();
  });

  it('keeps a deleted user out of every group and records the deletion for the domain', async () => {
    const scim = await scimClient(database.handle);
    const user = await scim.createUser('gone@example.com');
    const group = await scim.createGroup('Has gone', [user.id]);
    expect((await scim.send('GET', `/Users/${user.id}`)).body.groups).toEqual([
      { value: group.id, $ref: `${scim.baseUrl}/Groups/${group.id}`, display: 'Has gone', type: 'direct' },
    ]);
    expect((await scim.send('DELETE', `/Users/${user.id}`)).status).toBe(204);
    expect((await scim.send('GET', `/Users/${user.id}`)).status).toBe(404);
    // An empty multi-valued attribute is unassigned (RFC 7643 §2.5), so it is left out.
    expect((await scim.send('GET', `/Groups/${group.id}`)).body.members).toBeUndefined();
    const events = await database.handle.db
      .select({ type: schema.directoryEvents.type })
      .from(schema.directoryEvents)
      .where(eq(schema.directoryEvents.resourceId, user.id))
      .orderBy(schema.directoryEvents.id);
    expect(events.map((e) => e.type)).toEqual(['user.created', 'user.deleted']);
    // The group's own feed says it lost the member, as a PATCH removing it would.
    const groupEvents = await eventsOf(group.id);
    expect(groupEvents.at(-1)).toEqual({ type: 'group.members_changed', data: { added: [], removed: [user.id] } });
  });

  it.runIf(testDatabaseKind === 'postgres')(
    'answers 404 and writes nothing when the group is deleted while users are being added to it',
    async () => {
      const scim = await scimClient(database.handle);
      const users = [await scim.createUser('race.one@example.com'), await scim.createUser('race.two@example.com')];
      const group = await scim.createGroup('Racing', []);
      const deleting = await holdTransaction(database.current.env.DATABASE_URL!, async (tx) => {
        await tx.execute(sql`delete from directory_groups where id = ${group.id}`);
      });
      try {
        // Entra's shape: an add-only PATCH, which takes the one-statement path.
        const adding = scim.patch(`/Groups/${group.id}`, [{ op: 'Add', path: 'members', value: users.map((u) => ({ value: u.id })) }]);
        // Long enough for the add to reach the group's foreign key and wait on the delete's lock.
        await new Promise((resolve) => setTimeout(resolve, 300));
        await deleting.commit();
        const reply = await adding;
        expect(reply.status).toBe(404);
        expect(reply.body).toMatchObject({ status: '404' });
        const [row] = rowsOf<{ n: number }>(
          await database.handle.db.execute(sql`select count(*)::int as n from directory_group_members where group_id = ${group.id}`),
        );
        expect(row?.n).toBe(0);
        for (const user of users) expect((await scim.send('GET', `/Users/${user.id}`)).body.groups).toBeUndefined();
      } finally {
        await deleting.commit();
      }
    },
  );

  it('tells each parent group that a deleted nested group left it', async () => {
    const scim = await scimClient(database.handle);
    const child = await scim.createGroup('Child', []);
    const parents = [await scim.createGroup('Parent A', [child.id]), await scim.createGroup('Parent B', [child.id])];
    const bystander = await scim.createGroup('Bystander', []);
    expect((await scim.send('DELETE', `/Groups/${child.id}`)).status).toBe(204);
    for (const parent of parents) {
      expect((await scim.send('GET', `/Groups/${parent.id}`)).body.members).toBeUndefined();
      expect((await eventsOf(parent.id)).at(-1)).toEqual({ type: 'group.members_changed', data: { added: [], removed: [child.id] } });
    }
    expect((await eventsOf(bystander.id)).map((e) => e.type)).toEqual(['group.created']);
    expect((await eventsOf(child.id)).at(-1)?.type).toBe('group.deleted');
  });

  it('pages with stable order and exact totals, as Okta imports', async () => {
    const scim = await scimClient(database.handle);
    for (let i = 0; i < 7; i++) await scim.createUser(`page${i}@example.com`);
    const first = await scim.send('GET', '/Users?startIndex=1&count=2');
    expect(first.body).toMatchObject({ totalResults: 7, startIndex: 1, itemsPerPage: 2 });
    const seen: string[] = [];
    for (let start = 1; start <= 7; start += 3) {
      const page = await scim.send('GET', `/Users?startIndex=${start}&count=3`);
      seen.push(...(page.body.Resources ?? []).map((r) => r.id as string));
    }
    expect(new Set(seen).size).toBe(7);
    const sorted = await scim.send('GET', '/Users?sortBy=userName&sortOrder=descending&count=2&attributes=userName');
    expect(sorted.body.Resources?.map((r) => r.userName)).toEqual(['page6@example.com', 'page5@example.com']);
    expect(Object.keys(sorted.body.Resources?.[0] ?? {}).sort()).toEqual(['id', 'schemas', 'userName']);
    const search = await scim.send('POST', '/Users/.search', {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'],
      filter: 'userName sw "page" and not (userName ew "6@example.com")',
      count: 100,
    });
    expect(search.body.totalResults).toBe(6);
    expect(GROUP_URN).toContain('Group');
  });
});

describe(`exact totals kept by the database on ${testDatabaseKind}`, () => {
  it('counts every insert and delete, whoever makes it', async () => {
    const scim = await scimClient(database.handle);
    const users = await Promise.all(Array.from({ length: 6 }, (_, i) => scim.createUser(`count${i}@example.com`)));
    await scim.createGroup('Counted');
    // A load straight into the table is counted too.
    await database.handle.db.insert(schema.directoryUsers).values(
      Array.from({ length: 5 }, (_, i) => ({
        id: crypto.randomUUID(),
        organizationId: scim.dir.org.organization.id,
        directoryId: scim.dir.directory.id,
        userName: `loaded${i}@example.com`,
        userNameKey: userNameKey(`loaded${i}@example.com`),
        document: { schemas: [USER_URN], userName: `loaded${i}@example.com` },
      })),
    );
    await scim.send('DELETE', `/Users/${users[0]!.id}`);
    const list = await scim.send('GET', '/Users?startIndex=9&count=5');
    expect(list.body).toMatchObject({ totalResults: 10, startIndex: 9, itemsPerPage: 2 });
    expect((await scim.send('GET', '/Users?startIndex=50')).body).toMatchObject({ totalResults: 10, itemsPerPage: 0 });
    expect((await scim.send('GET', '/Groups')).body.totalResults).toBe(1);
    const other = await scimClient(database.handle);
    expect((await other.send('GET', '/Users')).body.totalResults).toBe(0);
  });
});
