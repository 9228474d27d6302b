/**
 * The permission catalogue and roles over the admin API, as each kind of caller: operators
 * register the app's permissions, members read them; custom roles need roles.assign, never hold
 * billing, are not deleted while held; a custom role grants what it lists and nothing else; a
 * member of another organization finds nothing; a refused change writes no audit entry.
 */
import { randomBytes } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { schema } from '../../src/db/index.ts';
import { ROSTER_PERMISSIONS, type OrgContext } from '../../src/directory/index.ts';
import { call, memberCaller, operatorCaller } from '../support/admin-api.ts';
import { buildTestApp } from '../support/app.ts';
import { testDatabaseKind, useTestDatabase } from '../support/database.ts';
import { createTestOrganization } from '../support/factories.ts';

const database = useTestDatabase();

type Problem = { status: number; code: string; detail: string; [extension: string]: unknown };
interface RoleBody {
  key: string;
  name: string;
  description: string | null;
  builtin: boolean;
  permissions: string[];
  members: number;
  createdAt: string;
  updatedAt: string;
}
interface PermissionBody {
  key: string;
  description: string | null;
  source: 'roster' | 'app';
}

/** A permission key of this test's own: the catalogue is shared by every organization of the file. */
const appKey = (what: string) => `${what}-${randomBytes(3).toString('hex')}.delete`;

async function auditCount(org: OrgContext, targetId: string): Promise<number> {
  const rows = await database.handle.db
    .select({ id: schema.auditLog.id })
    .from(schema.auditLog)
    .where(and(eq(schema.auditLog.organizationId, org.organization.id), eq(schema.auditLog.targetId, targetId)));
  return rows.length;
}

describe(`permissions over the admin API on ${testDatabaseKind}`, () => {
  it('registers app permissions for operators only, idempotently, and lets any caller read the catalogue', async () => {
    const { app } = buildTestApp(database.handle);
    const operator = await operatorCaller(database.handle);
    const org = await createTestOrganization(database.handle);
    const owner = await memberCaller(database.handle, org, 'owner');
    const viewer = await memberCaller(database.handle, org, 'viewer');
    const key = appKey('tickets');

    const created = await call<PermissionBody & { created: boolean }>(app, operator, 'POST', '/permissions', { key, description: 'Delete tickets' });
    expect(created).toMatchObject({ status: 201, body: { key, description: 'Delete tickets', source: 'app', created: true } });
    const again = await call(app, operator, 'POST', '/permissions', { key, description: 'Delete any ticket' });
    expect(again).toMatchObject({ status: 200, body: { key, description: 'Delete any ticket', created: false } });

    const byMember = await call<Problem>(app, owner, 'POST', '/permissions', { key: appKey('x') });
    expect(byMember.status).toBe(403);
    expect(byMember.body.detail).toContain('operator API key');
    const roster = await call<Problem>(app, operator, 'POST', '/permissions', { key: 'members.manage' });
    expect(roster).toMatchObject({ status: 409, body: { code: 'conflict', field: 'key' } });
    const malformed = await call<Problem>(app, operator, 'POST', '/permissions', { key: 'Tickets Delete' });
    expect(malformed).toMatchObject({ status: 400, body: { code: 'invalid_input', field: 'key' } });
    const extra = await call<Problem>(app, operator, 'POST', '/permissions', { key: appKey('y'), source: 'roster' });
    expect(extra.status).toBe(400);

    const list = await call<{ data: PermissionBody[] }>(app, viewer, 'GET', '/permissions');
    expect(list.status).toBe(200);
    expect(list.body.data.filter((p) => p.source === 'roster').map((p) => p.key)).toEqual(Object.keys(ROSTER_PERMISSIONS));
    expect(list.body.data).toContainEqual({ key, description: 'Delete any ticket', source: 'app' });
  });

  it('refuses to unregister a permission a custom role grants, naming the role', async () => {
    const { app } = buildTestApp(database.handle);
    const operator = await operatorCaller(database.handle);
    const org = await createTestOrganization(database.handle);
    const slug = org.organization.slug;
    const key = appKey('refunds');
    await call(app, operator, 'POST', '/permissions', { key, description: 'Refund' });
    expect((await call(app, operator, 'POST', `/organizations/${slug}/roles`, { key: 'refunder', name: 'Refunder', permissions: [key] })).status).toBe(201);

    const inUse = await call<Problem>(app, operator, 'DELETE', `/permissions/${key}`);
    expect(inUse).toMatchObject({ status: 409, body: { code: 'conflict', roles: [{ organization: slug, role: 'refunder' }] } });
    expect(inUse.body.detail).toContain(`${slug}/refunder`);
    const admin = await memberCaller(database.handle, org, 'admin');
    expect((await call(app, admin, 'DELETE', `/permissions/${key}`)).status).toBe(403);

    expect((await call(app, operator, 'PATCH', `/organizations/${slug}/roles/refunder`, { permissions: [] })).status).toBe(200);
    expect(await call(app, operator, 'DELETE', `/permissions/${key}`)).toEqual(expect.objectContaining({ status: 200, body: { key, description: 'Refund', source: 'app' } }));
    expect((await call<Problem>(app, operator, 'DELETE', `/permissions/${key}`)).status).toBe(404);
  });
});

describe(`roles over the admin API on ${testDatabaseKind}`, () => {
  it('lists built-in and custom roles with their permissions and holders, for any member', async () => {
    const { app } = buildTestApp(database.handle);
    const operator = await operatorCaller(database.handle);
    const org = await createTestOrganization(database.handle);
    const slug = org.organization.slug;
    const key = appKey('exports');
    await call(app, operator, 'POST', '/permissions', { key, description: 'Export' });
    const created = await call<RoleBody>(app, operator, 'POST', `/organizations/${slug}/roles`, {
      key: 'analyst',
      name: 'Analyst',
      description: 'Reads and exports',
      permissions: [key, 'audit.view'],
    });
    expect(created.status).toBe(201);
    expect(Object.keys(created.body).sort()).toEqual(['builtin', 'createdAt', 'description', 'key', 'members', 'name', 'permissions', 'updatedAt']);
    expect(created.body).toMatchObject({ key: 'analyst', builtin: false, permissions: ['audit.view', key], members: 0 });
    await memberCaller(database.handle, org, 'analyst');
    const viewer = await memberCaller(database.handle, org, 'viewer');

    const list = await call<{ data: RoleBody[] }>(app, viewer, 'GET', `/organizations/${slug}/roles`);
    expect(list.status).toBe(200);
    expect(list.body.data.map((r) => [r.key, r.builtin, r.members])).toEqual([
      ['owner', true, 0],
      ['admin', true, 0],
      ['member', true, 0],
      ['viewer', true, 1],
      ['analyst', false, 1],
    ]);
    const owner = list.body.data[0]!;
    expect(owner.permissions).toContain('billing.manage');
    expect(owner.permissions).toContain(key);
    expect(list.body.data[1]!.permissions).not.toContain('billing.manage');
    expect(list.body.data[3]!.permissions).toEqual([]);
  });

  it('needs roles.assign to create roles, refuses billing, built-ins and roles in use, and audits only what changed', async () => {
    const { app } = buildTestApp(database.handle);
    const org = await createTestOrganization(database.handle);
    const slug = org.organization.slug;
    const admin = await memberCaller(database.handle, org, 'admin');
    const member = await memberCaller(database.handle, org, 'member');

    const byMember = await call<Problem>(app, member, 'POST', `/organizations/${slug}/roles`, { key: 'agent', name: 'Agent', permissions: [] });
    expect(byMember).toMatchObject({ status: 403, body: { code: 'forbidden', permission: 'roles.assign' } });
    const billing = await call<Problem>(app, admin, 'POST', `/organizations/${slug}/roles`, { key: 'cashier', name: 'Cashier', permissions: ['billing.manage'] });
    expect(billing).toMatchObject({ status: 400, body: { code: 'invalid_input', field: 'permissions' } });
    expect(billing.body.detail).toContain('billing.manage');
    const unknown = await call<Problem>(app, admin, 'POST', `/organizations/${slug}/roles`, { key: 'ghost', name: 'Ghost', permissions: ['ghosts.haunt'] });
    expect(unknown).toMatchObject({ status: 400, body: { unknown: ['ghosts.haunt'] } });
    const builtinKey = await call<Problem>(app, admin, 'POST', `/organizations/${slug}/roles`, { key: 'viewer', name: 'Viewer 2' });
    expect(builtinKey).toMatchObject({ status: 400, body: { field: 'key' } });
    const noName = await call<Problem>(app, admin, 'POST', `/organizations/${slug}/roles`, { key: 'nameless' });
    expect(noName.status).toBe(400);

    expect((await call(app, admin, 'POST', `/organizations/${slug}/roles`, { key: 'agent', name: 'Agent', permissions: ['teams.manage'] })).status).toBe(201);
    expect((await call<Problem>(app, admin, 'POST', `/organizations/${slug}/roles`, { key: 'agent', name: 'Agent again' })).status).toBe(409);
    expect((await call<Problem>(app, admin, 'PATCH', `/organizations/${slug}/roles/admin`, { name: 'Boss' })).status).toBe(412);
    expect((await call<Problem>(app, admin, 'DELETE', `/organizations/${slug}/roles/owner`)).status).toBe(412);
    expect((await call<Problem>(app, member, 'PATCH', `/organizations/${slug}/roles/agent`, { name: 'Mine' })).status).toBe(403);

    await memberCaller(database.handle, org, 'agent');
    await memberCaller(database.handle, org, 'agent');
    const inUse = await call<Problem>(app, admin, 'DELETE', `/organizations/${slug}/roles/agent`);
    expect(inUse).toMatchObject({ status: 409, body: { code: 'conflict', members: 2 } });
    expect(inUse.body.detail).toContain('held by 2 members');
    // Only the creation wrote an audit entry; every refusal above wrote none.
    expect(await auditCount(org, 'agent')).toBe(1);
    expect(await auditCount(org, 'cashier')).toBe(0);

    const renamed = await call<RoleBody>(app, admin, 'PATCH', `/organizations/${slug}/roles/agent`, { name: 'Support agent', description: 'Tier 1' });
    expect(renamed).toMatchObject({ status: 200, body: { name: 'Support agent', description: 'Tier 1', permissions: ['teams.manage'], members: 2 } });
    const [entry] = await database.handle.db
      .select()
      .from(schema.auditLog)
      .where(and(eq(schema.auditLog.organizationId, org.organization.id), eq(schema.auditLog.action, 'role.updated')));
    expect(entry).toMatchObject({ actorType: 'member', actorId: admin.id, before: { name: 'Agent', description: null }, after: { name: 'Support agent', description: 'Tier 1' } });
  });

  it('lets a custom role with members.manage do what it grants and nothing else', async () => {
    const { app } = buildTestApp(database.handle);
    const operator = await operatorCaller(database.handle);
    const org = await createTestOrganization(database.handle);
    const slug = org.organization.slug;
    await call(app, operator, 'POST', `/organizations/${slug}/roles`, { key: 'people-ops', name: 'People ops', permissions: ['members.manage'] });
    const ops = await memberCaller(database.handle, org, 'people-ops');
    const colleague = await memberCaller(database.handle, org, 'member');

    const edited = await call(app, ops, 'PATCH', `/organizations/${slug}/members/${colleague.id}`, { displayName: 'Renamed by ops' });
    expect(edited).toMatchObject({ status: 200, body: { displayName: 'Renamed by ops' } });

    const refusals: [string, string, unknown, string][] = [
      ['PUT', `/organizations/${slug}/members/${colleague.id}/role`, { role: 'viewer' }, 'roles.assign'],
      ['POST', `/organizations/${slug}/roles`, { key: 'mine', name: 'Mine', permissions: [] }, 'roles.assign'],
      ['PATCH', `/organizations/${slug}/roles/people-ops`, { permissions: ['members.manage', 'sso.manage'] }, 'roles.assign'],
      ['POST', `/organizations/${slug}/teams`, { name: 'Ops' }, 'teams.manage'],
    ];
    for (const [method, path, body, permission] of refusals) {
      const refused = await call<Problem>(app, ops, method, path, body);
      expect(refused.status, `${method} ${path}`).toBe(403);
      expect(refused.body.permission, `${method} ${path}`).toBe(permission);
    }
    // Its own profile too: members.manage covers anyone's, profile.edit is not needed.
    expect((await call(app, ops, 'PATCH', `/organizations/${slug}/members/${ops.id}`, { givenName: 'Olga' })).status).toBe(200);
    // Its role's holders read the roles, like any member.
    expect((await call(app, ops, 'GET', `/organizations/${slug}/roles`)).status).toBe(200);
  });

  it('answers a member of another organization as if the organization did not exist', async () => {
    const { app } = buildTestApp(database.handle);
    const org = await createTestOrganization(database.handle);
    const other = await createTestOrganization(database.handle);
    const outsider = await memberCaller(database.handle, other, 'owner');
    const slug = org.organization.slug;
    for (const [method, path, body] of [
      ['GET', `/organizations/${slug}/roles`, undefined],
      ['POST', `/organizations/${slug}/roles`, { key: 'spy', name: 'Spy', permissions: [] }],
      ['PATCH', `/organizations/${slug}/roles/member`, { name: 'Spy' }],
      ['DELETE', `/organizations/${slug}/roles/member`, undefined],
    ] as const) {
      const answer = await call<Problem>(app, outsider, method, path, body);
      expect(answer.status, `${method} ${path}`).toBe(404);
      expect(answer.body.detail).toBe('no such organization');
    }
    expect(await auditCount(org, 'spy')).toBe(0);
  });
});
