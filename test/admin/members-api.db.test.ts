/**
 * Members over the admin API, as each kind of caller: who may read, edit, change roles,
 * deactivate, reactivate and remove whom; the owner and seat rules; audit entries and member events
 * written with each change and never with a refused one; search and pages; bulk results per member.
 */
import { and, asc, eq, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { rowsOf, schema } from '../../src/db/index.ts';
import { emailKey, openConsoleSession, recordSignIn, type OrgContext } from '../../src/directory/index.ts';
import { newId } from '../../src/ids.ts';
import { call, memberCaller, operatorCaller, type Caller } from '../support/admin-api.ts';
import { buildTestApp } from '../support/app.ts';
import { testDatabaseKind, useTestDatabase } from '../support/database.ts';
import { createTestOrganization } from '../support/factories.ts';

const database = useTestDatabase();

interface MemberBody {
  id: string;
  email: string;
  givenName: string | null;
  familyName: string | null;
  displayName: string | null;
  avatarUrl: string | null;
  status: string;
  role: string;
  teams: { id: string; name: string; role: string }[];
  source: string;
  createdAt: string;
  lastSignInAt: string | null;
  lastSeenAt: string | null;
  deactivatedAt: string | null;
}
type Page<T> = { data: T[]; nextCursor: string | null };
type Problem = { status: number; code: string; detail: string; [extension: string]: unknown };
type BulkResult = { id: string; result: string; detail: string | null };

const MEMBER_KEYS = [
  'id',
  'email',
  'givenName',
  'familyName',
  'displayName',
  'avatarUrl',
  'status',
  'role',
  'teams',
  'source',
  'createdAt',
  'lastSignInAt',
  'lastSeenAt',
  'deactivatedAt',
];

interface Seed {
  email: string;
  role?: string;
  status?: 'invited' | 'active' | 'deactivated';
  givenName?: string | null;
  familyName?: string | null;
  displayName?: string | null;
  source?: 'invitation' | 'jit' | 'scim' | 'admin';
}

/** Members made directly in the database: what is under test is the API over them. */
async function addMembers(org: OrgContext, seeds: Seed[]): Promise<string[]> {
  const rows = seeds.map((s) => ({
    id: newId(),
    organizationId: org.organization.id,
    email: s.email,
    emailKey: emailKey(s.email),
    role: s.role ?? 'member',
    status: s.status ?? 'active',
    givenName: s.givenName ?? null,
    familyName: s.familyName ?? null,
    displayName: s.displayName ?? null,
    source: s.source ?? 'admin',
    deactivatedAt: s.status === 'deactivated' ? new Date() : null,
  }));
  if (rows.length > 0) await database.handle.db.insert(schema.members).values(rows);
  return rows.map((r) => r.id);
}

async function addMember(org: OrgContext, seed: Partial<Seed> = {}): Promise<string> {
  const [id] = await addMembers(org, [{ email: `m-${newId().slice(-12)}@example.com`, ...seed }]);
  return id!;
}

async function addTeam(org: OrgContext, name: string, members: [string, 'member' | 'admin'][]): Promise<string> {
  const id = newId();
  await database.handle.db.insert(schema.teams).values({ id, organizationId: org.organization.id, name, nameKey: name.trim().toLowerCase() });
  if (members.length > 0) {
    await database.handle.db.insert(schema.teamMembers).values(members.map(([memberId, role]) => ({ organizationId: org.organization.id, teamId: id, memberId, role })));
  }
  return id;
}

/** What was written about one member: audit actions with before/after, and events in feed order. */
async function historyOf(memberId: string) {
  const audit = await database.handle.db
    .select({ action: schema.auditLog.action, before: schema.auditLog.before, after: schema.auditLog.after, details: schema.auditLog.details })
    .from(schema.auditLog)
    .where(eq(schema.auditLog.targetId, memberId))
    .orderBy(asc(schema.auditLog.createdAt), asc(schema.auditLog.id));
  const events = await database.handle.db
    .select({ type: schema.memberEvents.type, data: schema.memberEvents.data, actorType: schema.memberEvents.actorType })
    .from(schema.memberEvents)
    .where(eq(schema.memberEvents.memberId, memberId))
    .orderBy(asc(schema.memberEvents.id));
  return { audit, events };
}

async function statusOf(memberId: string) {
  const [row] = await database.handle.db.select({ status: schema.members.status, role: schema.members.role }).from(schema.members).where(eq(schema.members.id, memberId));
  return row;
}

function setup() {
  const { app } = buildTestApp(database.handle);
  return {
    app,
    as: (caller: Caller) => ({
      get: <T = MemberBody>(path: string) => call<T>(app, caller, 'GET', path),
      post: <T = MemberBody>(path: string, body?: unknown) => call<T>(app, caller, 'POST', path, body),
      put: <T = MemberBody>(path: string, body: unknown) => call<T>(app, caller, 'PUT', path, body),
      patch: <T = MemberBody>(path: string, body: unknown) => call<T>(app, caller, 'PATCH', path, body),
      delete: <T = Record<string, unknown>>(path: string) => call<T>(app, caller, 'DELETE', path),
    }),
  };
}

describe(`members API: reading on ${testDatabaseKind}`, () => {
  it('pages through every member once, in email order, with their teams, and the filters combine', async () => {
    const { as } = setup();
    const org = await createTestOrganization(database.handle);
    const slug = org.organization.slug;
    const operator = as(await operatorCaller(database.handle));
    const seeds: Seed[] = Array.from({ length: 45 }, (_, i) => ({
      email: `${['Ada', 'bob', 'cy', 'dee', 'eve'][i % 5]}.${String(i).padStart(2, '0')}@${i % 2 ? 'acme' : 'Zeta'}.example`,
      role: i % 7 === 0 ? 'admin' : 'member',
      status: i % 4 === 0 ? 'deactivated' : 'active',
      source: i % 3 === 0 ? 'scim' : 'jit',
    }));
    const ids = await addMembers(org, seeds);
    const eng = await addTeam(org, 'Engineering', [
      [ids[0]!, 'admin'],
      [ids[1]!, 'member'],
      [ids[4]!, 'member'],
      [ids[8]!, 'member'],
      [ids[14]!, 'member'],
    ]);
    await addTeam(org, 'Design', [[ids[0]!, 'member']]);

    const seen: MemberBody[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: { status: number; body: Page<MemberBody> } = await operator.get<Page<MemberBody>>(`/organizations/${slug}/members?limit=7${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.status).toBe(200);
      expect(page.body.data.length).toBeLessThanOrEqual(7);
      seen.push(...page.body.data);
      cursor = page.body.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(7);
    const expected = await database.handle.db
      .select({ id: schema.members.id })
      .from(schema.members)
      .where(eq(schema.members.organizationId, org.organization.id))
      .orderBy(asc(schema.members.emailKey), asc(schema.members.id));
    expect(seen.map((m) => m.id)).toEqual(expected.map((r) => r.id));
    expect(new Set(seen.map((m) => m.id)).size).toBe(45);
    expect(Object.keys(seen[0]!)).toEqual(MEMBER_KEYS);
    const first = seen.find((m) => m.id === ids[0])!;
    expect(first.teams).toEqual([
      { id: expect.any(String), name: 'Design', role: 'member' },
      { id: eng, name: 'Engineering', role: 'admin' },
    ]);

    // Filters combine: active admins; members of Engineering by name or id, and by source.
    const list = async (query: string) => (await operator.get<Page<MemberBody>>(`/organizations/${slug}/members?limit=200&${query}`)).body.data.map((m) => m.id).sort();
    const where = (keep: (s: Seed, i: number) => boolean) => ids.filter((_, i) => keep(seeds[i]!, i)).sort();
    expect(await list('status=active&role=admin')).toEqual(where((s) => s.status === 'active' && s.role === 'admin'));
    expect(await list('team=engineering')).toEqual([ids[0], ids[1], ids[4], ids[8], ids[14]].sort());
    expect(await list(`team=${eng}&source=scim`)).toEqual([ids[0]].sort());
    expect(await list('team=Engineering&status=deactivated')).toEqual([ids[0], ids[4], ids[8]].sort());
    expect(await list('team=Engineering&status=deactivated&q=DEE')).toEqual([ids[8]]);
    expect(await list('source=jit&status=deactivated')).toEqual(where((s) => s.source === 'jit' && s.status === 'deactivated'));
    // A cursor carries across a filtered page too.
    const half = await operator.get<Page<MemberBody>>(`/organizations/${slug}/members?limit=3&q=bob`);
    const rest = await operator.get<Page<MemberBody>>(`/organizations/${slug}/members?limit=200&q=bob&cursor=${half.body.nextCursor}`);
    expect([...half.body.data, ...rest.body.data].map((m) => m.id).sort()).toEqual(where((s) => s.email.startsWith('bob')));

    // Unknown filter values are refused by name, not answered with an empty page.
    const badRole = await operator.get<Problem>(`/organizations/${slug}/members?role=wizard`);
    expect(badRole.status).toBe(400);
    expect(badRole.body).toMatchObject({ code: 'invalid_input', field: 'role' });
    expect((await operator.get<Problem>(`/organizations/${slug}/members?team=Nope`)).body).toMatchObject({ status: 400, field: 'team' });
    expect((await operator.get<Problem>(`/organizations/${slug}/members?status=gone`)).status).toBe(400);
    expect((await operator.get<Problem>(`/organizations/${slug}/members?limit=500`)).status).toBe(400);
    expect((await operator.get<Problem>(`/organizations/${slug}/members?cursor=not-a-cursor`)).body).toMatchObject({ status: 400, field: 'cursor' });
  });

  it('searches the start of the email, the name and the family name, in any case, taking % and _ literally', async () => {
    const { as } = setup();
    const org = await createTestOrganization(database.handle);
    const slug = org.organization.slug;
    const [lovelace, hopper, display, percent, under, other] = await addMembers(org, [
      { email: 'countess@example.com', givenName: 'Ada', familyName: 'Lovelace' },
      { email: 'grace@example.com', givenName: 'Grace', familyName: 'Hopper' },
      { email: 'x1@example.com', givenName: 'Ignored', familyName: 'Zed', displayName: 'Adamant Admiral' },
      { email: '100%@example.com' },
      { email: 'a_b@example.com' },
      { email: 'axb@example.com', familyName: 'Other' },
    ]);
    const operator = as(await operatorCaller(database.handle));
    const search = async (q: string) =>
      (await operator.get<Page<MemberBody>>(`/organizations/${slug}/members?q=${encodeURIComponent(q)}`)).body.data.map((m) => m.id).sort();
    expect(await search('ADA')).toEqual([lovelace, display].sort());
    expect(await search('ada lov')).toEqual([lovelace]);
    expect(await search('lovel')).toEqual([lovelace]);
    expect(await search('Hop')).toEqual([hopper]);
    expect(await search('grace@')).toEqual([hopper]);
    expect(await search('adamant adm')).toEqual([display]);
    expect(await search('admiral')).toEqual([]);
    expect(await search('zed')).toEqual([display]);
    expect(await search('ignored')).toEqual([]);
    expect(await search('100%')).toEqual([percent]);
    expect(await search('%')).toEqual([]);
    expect(await search('a_')).toEqual([under]);
    expect(await search('ax')).toEqual([other]);
    expect(await search('ovelace')).toEqual([]);
    expect(await search('  ')).toHaveLength(6);
  });

  it('shows one member in full, to any member of the organization, and no one outside it', async () => {
    const { as } = setup();
    const org = await createTestOrganization(database.handle);
    const other = await createTestOrganization(database.handle);
    const slug = org.organization.slug;
    const ada = await addMember(org, { givenName: 'Ada', familyName: 'Lovelace', source: 'jit' });
    const team = await addTeam(org, 'Research', [[ada, 'admin']]);
    const [connection] = rowsOf<{ id: string }>(
      await database.handle.db.execute(sql`
        insert into sso_connections (id, organization_id, type, name, settings, mapping, sealed_secret)
        values (${newId()}, ${org.organization.id}, 'oidc', 'IdP', '{}'::jsonb, '{}'::jsonb, 'v1.x') returning id`),
    );
    const signedIn = new Date(Date.UTC(2030, 0, 2, 3, 4, 5));
    await database.handle.db.insert(schema.memberIdentities).values({
      id: newId(),
      organizationId: org.organization.id,
      memberId: ada,
      connectionId: connection!.id,
      subject: 'sub-ada',
      lastSignInAt: signedIn,
    });

    const viewer = as(await memberCaller(database.handle, org, 'viewer'));
    const shown = await viewer.get<MemberBody & Record<string, unknown>>(`/organizations/${slug}/members/${ada}`);
    expect(shown.status).toBe(200);
    expect(Object.keys(shown.body)).toEqual([...MEMBER_KEYS, 'directoryUserId', 'identities']);
    expect(shown.body).toMatchObject({ id: ada, givenName: 'Ada', familyName: 'Lovelace', source: 'jit', status: 'active', directoryUserId: null });
    expect(shown.body.teams).toEqual([{ id: team, name: 'Research', role: 'admin' }]);
    expect(shown.body.identities).toEqual([
      { id: expect.any(String), connectionId: connection!.id, connectionType: 'oidc', subject: 'sub-ada', createdAt: expect.any(String), lastSignInAt: signedIn.toISOString() },
    ]);

    // A member of another organization learns nothing: not its members, not that it exists.
    const outsider = as(await memberCaller(database.handle, other, 'owner'));
    for (const path of [`/organizations/${slug}/members`, `/organizations/${slug}/members/${ada}`, `/organizations/${slug}`]) {
      const refused = await outsider.get<Problem>(path);
      expect(refused.status, path).toBe(404);
    }
    expect((await outsider.post<Problem>(`/organizations/${slug}/members/${ada}/deactivate`)).status).toBe(404);
    expect((await statusOf(ada))?.status).toBe('active');
    expect((await viewer.get<Problem>(`/organizations/${slug}/members/${newId()}`)).status).toBe(404);
    expect((await viewer.get<Problem>(`/organizations/${slug}/members/not-a-uuid`)).status).toBe(400);
  });
});

describe(`members API: profile and roles on ${testDatabaseKind}`, () => {
  it('lets a member edit their own profile, an admin anyone’s, and records before and after', async () => {
    const { as } = setup();
    const org = await createTestOrganization(database.handle);
    const slug = org.organization.slug;
    const self = await memberCaller(database.handle, org, 'member');
    const admin = as(await memberCaller(database.handle, org, 'admin'));
    const viewer = await memberCaller(database.handle, org, 'viewer');
    const other = await addMember(org, { givenName: 'Old' });

    const edited = await as(self).patch(`/organizations/${slug}/members/${self.id}`, { givenName: '  Ada ', displayName: 'Ada L.', avatarUrl: 'https://cdn.example.com/a.png' });
    expect(edited.status).toBe(200);
    expect(edited.body).toMatchObject({ givenName: 'Ada', displayName: 'Ada L.', avatarUrl: 'https://cdn.example.com/a.png', familyName: null });

    const notTheirs = await as(self).patch<Problem>(`/organizations/${slug}/members/${other}`, { givenName: 'Mallory' });
    expect(notTheirs.status).toBe(403);
    // A viewer's role does not grant profile.edit, not even their own.
    expect((await as(viewer).patch<Problem>(`/organizations/${slug}/members/${viewer.id}`, { givenName: 'V' })).status).toBe(403);
    expect((await admin.patch(`/organizations/${slug}/members/${other}`, { givenName: 'New', displayName: null })).body).toMatchObject({ givenName: 'New' });

    for (const [avatarUrl, why] of [
      ['http://cdn.example.com/a.png', 'https'],
      ['javascript:alert(1)', 'https'],
      [`https://cdn.example.com/${'a'.repeat(2048)}`, '2048'],
      ['not a url', 'URL'],
    ] as const) {
      const refused = await admin.patch<Problem>(`/organizations/${slug}/members/${other}`, { avatarUrl });
      expect(refused.status, avatarUrl.slice(0, 40)).toBe(400);
      expect(JSON.stringify(refused.body)).toContain(why);
    }
    expect((await admin.patch<Problem>(`/organizations/${slug}/members/${other}`, { email: 'x@example.com' })).status).toBe(400);

    const history = await historyOf(self.id);
    expect(history.audit).toEqual([
      {
        action: 'member.updated',
        before: { givenName: null, displayName: null, avatarUrl: null },
        after: { givenName: 'Ada', displayName: 'Ada L.', avatarUrl: 'https://cdn.example.com/a.png' },
        details: expect.any(Object),
      },
    ]);
    expect(history.events.map((e) => e.type)).toEqual(['member.updated']);
    // The refused edits of `other` wrote nothing; the accepted one wrote one entry.
    expect((await historyOf(other)).audit.map((a) => [a.action, a.before, a.after])).toEqual([['member.updated', { givenName: 'Old' }, { givenName: 'New' }]]);
    // Setting what is already there writes nothing.
    await admin.patch(`/organizations/${slug}/members/${other}`, { givenName: 'New' });
    expect((await historyOf(other)).audit).toHaveLength(1);
  });

  it('changes roles by the rules: roles.assign, not one’s own, owner only by owners, never the last owner', async () => {
    const { as } = setup();
    const org = await createTestOrganization(database.handle);
    const slug = org.organization.slug;
    const owner = await memberCaller(database.handle, org, 'owner');
    const admin = await memberCaller(database.handle, org, 'admin');
    const viewer = await memberCaller(database.handle, org, 'viewer');
    const target = await addMember(org);
    const path = (id: string) => `/organizations/${slug}/members/${id}/role`;

    expect((await as(viewer).put<Problem>(path(target), { role: 'admin' })).body).toMatchObject({ status: 403, permission: 'roles.assign' });
    const adminMakesOwner = await as(admin).put<Problem>(path(target), { role: 'owner' });
    expect(adminMakesOwner.status).toBe(403);
    expect(adminMakesOwner.body.detail).toBe('only an owner can make a member owner');
    expect((await as(admin).put<Problem>(path(owner.id), { role: 'member' })).status).toBe(403);
    expect((await as(admin).put<Problem>(path(admin.id), { role: 'owner' })).body.detail).toBe('you cannot change your own role; ask another admin');
    expect((await as(owner).put<Problem>(path(owner.id), { role: 'admin' })).status).toBe(403);
    expect((await as(admin).put<Problem>(path(target), { role: 'wizard' })).body).toMatchObject({ status: 400, field: 'role' });
    expect((await historyOf(target)).audit).toEqual([]);
    expect((await historyOf(target)).events).toEqual([]);

    expect((await as(admin).put(path(target), { role: 'viewer' })).body).toMatchObject({ id: target, role: 'viewer' });
    expect((await as(owner).put(path(target), { role: 'owner' })).body.role).toBe('owner');
    // Now two owners: the operator may demote the member who was first; then the last refuses.
    const operator = as(await operatorCaller(database.handle));
    expect((await operator.put(path(owner.id), { role: 'admin' })).body.role).toBe('admin');
    const last = await operator.put<Problem>(path(target), { role: 'member' });
    expect(last.status).toBe(412);
    expect(last.body.detail).toContain('last active owner');
    expect((await statusOf(target))?.role).toBe('owner');

    const history = await historyOf(target);
    expect(history.audit.map((a) => [a.action, a.before, a.after])).toEqual([
      ['member.role_changed', { role: 'member' }, { role: 'viewer' }],
      ['member.role_changed', { role: 'viewer' }, { role: 'owner' }],
    ]);
    expect(history.events.map((e) => [e.type, e.data])).toEqual([
      ['member.role_changed', { from: 'member', to: 'viewer' }],
      ['member.role_changed', { from: 'viewer', to: 'owner' }],
    ]);
  });

  it('transfers ownership from an owner to an active member, who becomes owner while the owner becomes admin', async () => {
    const { as } = setup();
    const org = await createTestOrganization(database.handle);
    const slug = org.organization.slug;
    const owner = await memberCaller(database.handle, org, 'owner');
    const admin = await memberCaller(database.handle, org, 'admin');
    const next = await addMember(org, { role: 'member' });
    const away = await addMember(org, { status: 'deactivated' });

    expect((await as(admin).post<Problem>(`/organizations/${slug}/transfer-ownership`, { to: next })).body).toMatchObject({ status: 403, permission: 'billing.manage' });
    expect((await as(owner).post<Problem>(`/organizations/${slug}/transfer-ownership`, { to: away })).status).toBe(412);
    expect((await as(owner).post<Problem>(`/organizations/${slug}/transfer-ownership`, { to: owner.id })).status).toBe(400);
    const operator = as(await operatorCaller(database.handle));
    expect((await operator.post<Problem>(`/organizations/${slug}/transfer-ownership`, { to: next })).body).toMatchObject({ status: 400, field: 'from' });
    expect((await operator.post<Problem>(`/organizations/${slug}/transfer-ownership`, { to: owner.id, from: next })).status).toBe(412);

    const moved = await as(owner).post<{ from: MemberBody; to: MemberBody }>(`/organizations/${slug}/transfer-ownership`, { to: next });
    expect(moved.status).toBe(200);
    expect([moved.body.from.id, moved.body.from.role, moved.body.to.id, moved.body.to.role]).toEqual([owner.id, 'admin', next, 'owner']);
    expect((await historyOf(owner.id)).events.map((e) => e.data)).toEqual([{ from: 'owner', to: 'admin', ownershipTransfer: { from: owner.id, to: next } }]);
    expect((await historyOf(next)).audit.map((a) => [a.before, a.after])).toEqual([[{ role: 'member' }, { role: 'owner' }]]);
    // The previous owner, admin now, can transfer no more.
    expect((await as(owner).post<Problem>(`/organizations/${slug}/transfer-ownership`, { to: admin.id })).status).toBe(403);
  });
});

describe(`members API: deactivation, reactivation and removal on ${testDatabaseKind}`, () => {
  it('deactivates by the rules, ends the member’s console session, and writes nothing for a refused change', async () => {
    const { as } = setup();
    const org = await createTestOrganization(database.handle);
    const slug = org.organization.slug;
    const owner = await memberCaller(database.handle, org, 'owner');
    const admin = await memberCaller(database.handle, org, 'admin');
    const viewer = await memberCaller(database.handle, org, 'viewer');
    const target = await memberCaller(database.handle, org, 'member');
    const invited = await addMember(org, { status: 'invited', source: 'invitation' });
    const path = (id: string, what = 'deactivate') => `/organizations/${slug}/members/${id}/${what}`;

    const byViewer = await as(viewer).post<Problem>(path(target.id));
    expect(byViewer.body).toMatchObject({ status: 403, code: 'forbidden', permission: 'members.manage' });
    expect((await as(admin).post<Problem>(path(admin.id))).body.detail).toBe('you cannot deactivate yourself; ask another admin');
    expect((await as(admin).post<Problem>(path(owner.id))).body).toMatchObject({ status: 412 });
    expect((await as(admin).post<Problem>(path(invited))).body).toMatchObject({ status: 412 });
    for (const id of [target.id, owner.id, admin.id]) {
      expect(await historyOf(id)).toEqual({ audit: [], events: [] });
      expect((await statusOf(id))?.status).toBe('active');
    }

    // The target's console session works until the deactivation, and not after.
    expect((await as(target).get(`/organizations/${slug}/members/${target.id}`)).status).toBe(200);
    const done = await as(admin).post(path(target.id));
    expect(done.status).toBe(200);
    expect(done.body).toEqual({ id: target.id, status: 'deactivated', sessionsEnded: 1, logoutsQueued: expect.any(Number) });
    expect((await as(target).get<Problem>(`/organizations/${slug}/members/${target.id}`)).status).toBe(401);
    // Again: nothing more happens, nothing more is written.
    expect((await as(admin).post(path(target.id))).body).toMatchObject({ status: 'deactivated', sessionsEnded: 0 });

    const history = await historyOf(target.id);
    expect(history.audit).toEqual([
      {
        action: 'member.deactivated',
        before: { status: 'active', deactivatedAt: null },
        after: { status: 'deactivated', deactivatedAt: expect.any(String) },
        details: expect.objectContaining({ email: target.email, sessionsEnded: 1 }),
      },
    ]);
    expect(history.events.map((e) => [e.type, e.actorType])).toEqual([['member.deactivated', 'member']]);
  });

  it('reactivates only into a free seat, with the limit and the usage in the refusal, keeping role and teams', async () => {
    const { as } = setup();
    const org = await createTestOrganization(database.handle);
    const slug = org.organization.slug;
    const owner = as(await memberCaller(database.handle, org, 'owner'));
    const admin = as(await memberCaller(database.handle, org, 'admin'));
    const away = await addMember(org, { role: 'viewer', status: 'deactivated' });
    const team = await addTeam(org, 'Ops', [[away, 'admin']]);

    // Two active members use two seats: a limit of two is full; lowering it below usage is accepted, and said so.
    const set = await owner.patch<Record<string, unknown>>(`/organizations/${slug}`, { seatLimit: 1 });
    expect(set.status).toBe(200);
    expect(set.body).toMatchObject({ seatLimit: 1, seatsUsed: 2, warnings: [expect.stringContaining('2 seats are in use')] });
    const refused = await admin.post<Problem>(`/organizations/${slug}/members/${away}/reactivate`);
    expect(refused.status).toBe(429);
    expect(refused.body).toMatchObject({ code: 'limit_exceeded', limit: 1, used: 2 });
    expect(await historyOf(away)).toEqual({ audit: [], events: [] });

    await owner.patch(`/organizations/${slug}`, { seatLimit: 3 });
    const back = await admin.post(`/organizations/${slug}/members/${away}/reactivate`);
    expect(back.status).toBe(200);
    expect(back.body).toMatchObject({ id: away, status: 'active', role: 'viewer', deactivatedAt: null, teams: [{ id: team, name: 'Ops', role: 'admin' }] });
    const history = await historyOf(away);
    expect(history.audit.map((a) => [a.action, a.after])).toEqual([['member.reactivated', { status: 'active', deactivatedAt: null }]]);
    expect(history.events.map((e) => e.type)).toEqual(['member.reactivated']);
    // Active already: unchanged, and the full organization does not matter.
    await owner.patch(`/organizations/${slug}`, { seatLimit: 0 });
    expect((await admin.post(`/organizations/${slug}/members/${away}/reactivate`)).status).toBe(200);
    expect((await as(await memberCaller(database.handle, org, 'viewer')).post<Problem>(`/organizations/${slug}/members/${away}/reactivate`)).status).toBe(403);
  });

  it('keeps events of one member in order across changes', async () => {
    const { as } = setup();
    const org = await createTestOrganization(database.handle);
    const slug = org.organization.slug;
    const operator = as(await operatorCaller(database.handle));
    const id = await addMember(org);
    await operator.post(`/organizations/${slug}/members/${id}/deactivate`);
    await operator.post(`/organizations/${slug}/members/${id}/reactivate`);
    await operator.put(`/organizations/${slug}/members/${id}/role`, { role: 'admin' });
    await operator.patch(`/organizations/${slug}/members/${id}`, { familyName: 'Ordered' });
    await operator.delete(`/organizations/${slug}/members/${id}`);
    const history = await historyOf(id);
    expect(history.events.map((e) => e.type)).toEqual(['member.deactivated', 'member.reactivated', 'member.role_changed', 'member.updated', 'member.removed']);
    expect(history.audit.map((a) => a.action)).toEqual(['member.deactivated', 'member.reactivated', 'member.role_changed', 'member.updated', 'member.removed']);
  });

  it('removes a member and what hangs on them, keeps who they were in the audit log, and lets the address be invited again', async () => {
    const { as } = setup();
    const org = await createTestOrganization(database.handle);
    const slug = org.organization.slug;
    const owner = await memberCaller(database.handle, org, 'owner');
    const admin = await memberCaller(database.handle, org, 'admin');
    const gone = await memberCaller(database.handle, org, 'member', 'gone@example.com');
    await database.handle.db.update(schema.members).set({ givenName: 'Gone', familyName: 'Person' }).where(eq(schema.members.id, gone.id));
    await addTeam(org, 'Leavers', [[gone.id, 'member']]);
    await database.handle.db.execute(sql`insert into oidc_provider_payloads (model, id, payload, account_id) values ('Session', ${`s-${gone.id}`}, '{}'::jsonb, ${gone.id})`);

    expect((await as(admin).delete<Problem>(`/organizations/${slug}/members/${admin.id}`)).status).toBe(403);
    expect((await as(admin).delete<Problem>(`/organizations/${slug}/members/${owner.id}`)).status).toBe(412);
    expect((await as(await memberCaller(database.handle, org, 'viewer')).delete<Problem>(`/organizations/${slug}/members/${gone.id}`)).status).toBe(403);
    expect(await historyOf(gone.id)).toEqual({ audit: [], events: [] });

    const removed = await as(admin).delete(`/organizations/${slug}/members/${gone.id}`);
    expect(removed.status).toBe(200);
    expect(removed.body).toEqual({ id: gone.id, email: 'gone@example.com', removed: true, sessionsEnded: 2, logoutsQueued: expect.any(Number) });
    expect((await as(admin).get<Problem>(`/organizations/${slug}/members/${gone.id}`)).status).toBe(404);
    const listed = await as(admin).get<Page<MemberBody>>(`/organizations/${slug}/members`);
    expect(listed.body.data.map((m) => m.id)).not.toContain(gone.id);
    const left = await database.handle.db.select().from(schema.teamMembers).where(eq(schema.teamMembers.memberId, gone.id));
    expect(left).toEqual([]);
    expect(rowsOf(await database.handle.db.execute(sql`select 1 from oidc_provider_payloads where account_id = ${gone.id}`))).toEqual([]);

    const history = await historyOf(gone.id);
    expect(history.audit).toEqual([
      {
        action: 'member.removed',
        before: { email: 'gone@example.com', givenName: 'Gone', familyName: 'Person', displayName: null, role: 'member', status: 'active', source: 'admin', teams: ['Leavers'] },
        after: null,
        details: expect.objectContaining({ email: 'gone@example.com' }),
      },
    ]);
    expect(history.events).toEqual([
      { type: 'member.removed', data: { email: 'gone@example.com', givenName: 'Gone', familyName: 'Person', displayName: null, role: 'member' }, actorType: 'member' },
    ]);
    // The address is free again.
    const again = await addMember(org, { email: 'Gone@example.com', status: 'invited', source: 'invitation' });
    expect(again).toEqual(expect.any(String));
  });

  it('never leaves the organization without an active owner, whoever asks', async () => {
    const { as } = setup();
    const org = await createTestOrganization(database.handle);
    const slug = org.organization.slug;
    const operator = as(await operatorCaller(database.handle));
    const owner = await addMember(org, { role: 'owner' });
    const formerOwner = await addMember(org, { role: 'owner', status: 'deactivated' });
    for (const [method, path, body] of [
      ['PUT', `/organizations/${slug}/members/${owner}/role`, { role: 'admin' }],
      ['POST', `/organizations/${slug}/members/${owner}/deactivate`, undefined],
      ['DELETE', `/organizations/${slug}/members/${owner}`, undefined],
    ] as const) {
      const refused = await call<Problem>(setup().app, await operatorCaller(database.handle), method, path, body);
      expect(refused.status, `${method} ${path}`).toBe(412);
    }
    // A deactivated owner is no owner to keep: demoting them is fine.
    expect((await operator.put(`/organizations/${slug}/members/${formerOwner}/role`, { role: 'member' })).status).toBe(200);
    expect(await historyOf(owner)).toEqual({ audit: [], events: [] });
  });
});

describe(`members API: bulk changes on ${testDatabaseKind}`, () => {
  it('changes roles per member: changed, unchanged, not found, forbidden, last owners', async () => {
    const { as } = setup();
    const org = await createTestOrganization(database.handle);
    const slug = org.organization.slug;
    const admin = await memberCaller(database.handle, org, 'admin');
    const [a, b, already, owner] = await addMembers(org, [
      { email: 'a@bulk.example' },
      { email: 'b@bulk.example' },
      { email: 'c@bulk.example', role: 'viewer' },
      { email: 'o@bulk.example', role: 'owner' },
    ]);
    const missing = newId();
    const response = await as(admin).post<{ results: BulkResult[] }>(`/organizations/${slug}/members/bulk/role`, {
      ids: [a, b, already, owner, admin.id, missing, 'nope', a],
      role: 'viewer',
    });
    expect(response.status).toBe(200);
    expect(response.body.results).toEqual([
      { id: a, result: 'changed', detail: null },
      { id: b, result: 'changed', detail: null },
      { id: already, result: 'unchanged', detail: null },
      { id: owner, result: 'forbidden', detail: "only an owner can change an owner's role" },
      { id: admin.id, result: 'forbidden', detail: 'you cannot change your own role; ask another admin' },
      { id: missing, result: 'not_found', detail: `no member ${missing} in this organization` },
      { id: 'nope', result: 'not_found', detail: 'no member nope in this organization' },
    ]);
    expect((await statusOf(a!))?.role).toBe('viewer');
    expect((await historyOf(a!)).audit.map((e) => [e.before, e.after])).toEqual([[{ role: 'member' }, { role: 'viewer' }]]);
    expect(await historyOf(owner!)).toEqual({ audit: [], events: [] });

    // The operator may demote owners, but not all of them.
    const operator = as(await operatorCaller(database.handle));
    const lastOwners = await operator.post<{ results: BulkResult[] }>(`/organizations/${slug}/members/bulk/role`, { ids: [owner, b], role: 'member' });
    expect(lastOwners.body.results.map((r) => [r.id, r.result])).toEqual([
      [owner, 'precondition_failed'],
      [b, 'changed'],
    ]);
    expect((await as(await memberCaller(database.handle, org, 'viewer')).post<Problem>(`/organizations/${slug}/members/bulk/role`, { ids: [a], role: 'member' })).status).toBe(403);
    expect((await operator.post<Problem>(`/organizations/${slug}/members/bulk/role`, { ids: [a], role: 'wizard' })).status).toBe(400);
    expect((await operator.post<Problem>(`/organizations/${slug}/members/bulk/role`, { ids: [], role: 'member' })).status).toBe(400);
  });

  it('deactivates per member, ending every session in a few statements', async () => {
    const { as } = setup();
    const org = await createTestOrganization(database.handle);
    const slug = org.organization.slug;
    const admin = await memberCaller(database.handle, org, 'admin');
    const seeds: Seed[] = Array.from({ length: 120 }, (_, i) => ({ email: `bulk-${i}@deact.example` }));
    const ids = await addMembers(org, seeds);
    const [owner] = await addMembers(org, [{ email: 'owner@deact.example', role: 'owner' }]);
    const [invited] = await addMembers(org, [{ email: 'inv@deact.example', status: 'invited', source: 'invitation' }]);
    const [off] = await addMembers(org, [{ email: 'off@deact.example', status: 'deactivated' }]);
    for (const id of ids.slice(0, 3)) await openConsoleSession(database.handle.db, { organizationId: org.organization.id, memberId: id });

    const response = await as(admin).post<{ results: BulkResult[]; sessionsEnded: number; logoutsQueued: number }>(`/organizations/${slug}/members/bulk/deactivate`, {
      ids: [...ids, owner, invited, off, admin.id, newId()],
    });
    expect(response.status).toBe(200);
    const results = response.body.results;
    expect(results).toHaveLength(125);
    expect(results.slice(0, 120).every((r) => r.result === 'changed')).toBe(true);
    expect(results.slice(120).map((r) => r.result)).toEqual(['precondition_failed', 'precondition_failed', 'unchanged', 'forbidden', 'not_found']);
    expect(response.body.sessionsEnded).toBe(3);
    const active = await database.handle.db
      .select({ id: schema.members.id })
      .from(schema.members)
      .where(and(eq(schema.members.organizationId, org.organization.id), eq(schema.members.status, 'active')));
    expect(active.map((r) => r.id).sort()).toEqual([admin.id, owner].sort());
    const audits = rowsOf<{ n: number }>(
      await database.handle.db.execute(sql`select count(*)::int as n from audit_log where organization_id = ${org.organization.id} and action = 'member.deactivated'`),
    );
    expect(audits[0]?.n).toBe(120);
    const events = rowsOf<{ n: number }>(
      await database.handle.db.execute(sql`select count(*)::int as n from member_events where organization_id = ${org.organization.id} and type = 'member.deactivated'`),
    );
    expect(events[0]?.n).toBe(120);
    expect((await as(await memberCaller(database.handle, org, 'member')).post<Problem>(`/organizations/${slug}/members/bulk/deactivate`, { ids })).status).toBe(403);
  });
});

describe(`members API: login history and organization settings on ${testDatabaseKind}`, () => {
  it('shows a member their own sign-ins, and others only with audit.view, newest first in pages', async () => {
    const { as } = setup();
    const org = await createTestOrganization(database.handle);
    const slug = org.organization.slug;
    const self = await memberCaller(database.handle, org, 'member');
    const peer = await memberCaller(database.handle, org, 'member');
    const admin = as(await memberCaller(database.handle, org, 'admin'));
    const base = Date.UTC(2030, 0, 1);
    // Five sign-ins, two of them in the same millisecond.
    const times = [0, 1000, 1000, 2000, 3000];
    for (const [i, t] of times.entries()) {
      await recordSignIn(
        database.handle.db,
        { organizationId: org.organization.id, connectionId: null, memberId: self.id, email: self.email, ip: `192.0.2.${i}`, userAgent: 'test', outcome: i === 4 ? 'failed' : 'succeeded', reason: i === 4 ? 'saml.expired' : null },
        new Date(base + t),
      );
    }
    await recordSignIn(database.handle.db, { organizationId: org.organization.id, connectionId: null, memberId: peer.id, ip: null, userAgent: null, outcome: 'succeeded' }, new Date(base));

    const path = `/organizations/${slug}/members/${self.id}/sign-ins`;
    const collected: { occurredAt: string; ip: string; memberId: string }[] = [];
    let cursor: string | null = null;
    do {
      const page: { status: number; body: Page<{ occurredAt: string; ip: string; memberId: string }> } = await as(self).get(`${path}?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.status).toBe(200);
      collected.push(...page.body.data);
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(collected.map((s) => s.ip).sort()).toEqual(['192.0.2.0', '192.0.2.1', '192.0.2.2', '192.0.2.3', '192.0.2.4']);
    expect(collected.map((s) => Date.parse(s.occurredAt) - base)).toEqual([3000, 2000, 1000, 1000, 0]);
    expect(new Set(collected.map((s) => s.memberId))).toEqual(new Set([self.id]));

    expect((await as(peer).get<Problem>(path)).body).toMatchObject({ status: 403, permission: 'audit.view' });
    expect((await admin.get<Page<unknown>>(path)).body.data).toHaveLength(5);
    expect((await admin.get<Problem>(`/organizations/${slug}/members/${newId()}/sign-ins`)).status).toBe(404);
  });

  it('shows settings to members; seats only by owners, invitation lifetime by members.manage', async () => {
    const { as } = setup();
    const org = await createTestOrganization(database.handle);
    const slug = org.organization.slug;
    const owner = as(await memberCaller(database.handle, org, 'owner'));
    const admin = as(await memberCaller(database.handle, org, 'admin'));
    const viewer = as(await memberCaller(database.handle, org, 'viewer'));

    expect((await viewer.get<Record<string, unknown>>(`/organizations/${slug}`)).body).toEqual({
      slug,
      name: `Org ${slug}`,
      seatLimit: null,
      seatsUsed: 3,
      invitationTtlHours: 168,
    });
    expect((await admin.patch<Problem>(`/organizations/${slug}`, { seatLimit: 50 })).body).toMatchObject({ status: 403, permission: 'billing.manage' });
    expect((await viewer.patch<Problem>(`/organizations/${slug}`, { invitationTtlHours: 24 })).status).toBe(403);
    const ttl = await admin.patch<Record<string, unknown>>(`/organizations/${slug}`, { invitationTtlHours: 24 });
    expect(ttl.body).toMatchObject({ invitationTtlHours: 24, seatLimit: null, warnings: [] });
    expect((await owner.patch<Record<string, unknown>>(`/organizations/${slug}`, { seatLimit: 50 })).body).toMatchObject({ seatLimit: 50, seatsUsed: 3, warnings: [] });
    expect((await owner.patch<Record<string, unknown>>(`/organizations/${slug}`, { seatLimit: null })).body).toMatchObject({ seatLimit: null });
    for (const body of [{ invitationTtlHours: 0 }, { invitationTtlHours: 8761 }, { seatLimit: -1 }, { seatLimit: 1.5 }, {}, { name: 'x' }]) {
      expect((await owner.patch<Problem>(`/organizations/${slug}`, body)).status, JSON.stringify(body)).toBe(400);
    }
    const audit = await database.handle.db
      .select({ before: schema.auditLog.before, after: schema.auditLog.after })
      .from(schema.auditLog)
      .where(and(eq(schema.auditLog.organizationId, org.organization.id), eq(schema.auditLog.action, 'organization.settings_changed')))
      .orderBy(asc(schema.auditLog.createdAt), asc(schema.auditLog.id));
    expect(audit).toEqual([
      { before: { invitationTtlHours: 168 }, after: { invitationTtlHours: 24 } },
      { before: { seatLimit: null }, after: { seatLimit: 50 } },
      { before: { seatLimit: 50 }, after: { seatLimit: null } },
    ]);
  });
});
