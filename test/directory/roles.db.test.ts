/**
 * The permission catalogue and custom roles in the domain: who may change them, what each role
 * grants over the whole catalogue, and that a refused change leaves nothing behind (no role, no
 * audit entry).
 */
import { randomBytes } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { schema } from '../../src/db/index.ts';
import {
  createRole,
  deleteRole,
  emailKey,
  listPermissions,
  listRoles,
  memberActor,
  registerAppPermission,
  ROSTER_PERMISSIONS,
  unregisterAppPermission,
  updateRole,
  type OrgContext,
} from '../../src/directory/index.ts';
import { DomainError } from '../../src/errors.ts';
import { newId } from '../../src/ids.ts';
import { testDatabaseKind, useTestDatabase } from '../support/database.ts';
import { contextFor, createTestOrganization } from '../support/factories.ts';
import { holdTransaction } from '../support/held-transaction.ts';

const database = useTestDatabase();

/** A permission key of this test's own: the catalogue is shared by every organization of the file. */
const appKey = (what: string) => `${what}-${randomBytes(3).toString('hex')}.delete`;

/** An active member with `role` acting in their organization, as the admin API would load them. */
async function actingMember(org: OrgContext, role: string): Promise<OrgContext> {
  const id = newId();
  const email = `${role}-${id.slice(-8)}@example.com`;
  await database.handle.db.insert(schema.members).values({ id, organizationId: org.organization.id, email, emailKey: emailKey(email), role, source: 'admin' });
  const actor = await memberActor(database.handle.db, org.organization.id, id);
  return { ...org, actor: actor! };
}

async function refusal(promise: Promise<unknown>): Promise<DomainError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DomainError);
  return error as DomainError;
}

async function auditOf(org: OrgContext, targetId: string) {
  return database.handle.db
    .select()
    .from(schema.auditLog)
    .where(and(eq(schema.auditLog.organizationId, org.organization.id), eq(schema.auditLog.targetId, targetId)))
    .orderBy(schema.auditLog.id);
}

describe(`the permission catalogue on ${testDatabaseKind}`, () => {
  it("registers app permissions idempotently, beside Roster's own, for operators only", async () => {
    const operator = contextFor(database.handle);
    const key = appKey('tickets');
    expect(await registerAppPermission(operator, { key, description: 'Delete tickets' })).toEqual({ key, description: 'Delete tickets', source: 'app', created: true });
    // Again: nothing changes; with a new description, the description only.
    expect(await registerAppPermission(operator, { key, description: 'Delete tickets' })).toMatchObject({ created: false, description: 'Delete tickets' });
    expect(await registerAppPermission(operator, { key })).toMatchObject({ created: false, description: 'Delete tickets' });
    expect(await registerAppPermission(operator, { key, description: 'Delete any ticket' })).toMatchObject({ created: false, description: 'Delete any ticket' });
    const audit = await database.handle.db.select().from(schema.auditLog).where(eq(schema.auditLog.targetId, key)).orderBy(schema.auditLog.id);
    expect(audit.map((a) => [a.action, a.before, a.after])).toEqual([
      ['permission.registered', null, { description: 'Delete tickets' }],
      ['permission.updated', { description: 'Delete tickets' }, { description: 'Delete any ticket' }],
    ]);

    const list = await listPermissions(operator);
    expect(list.slice(0, Object.keys(ROSTER_PERMISSIONS).length)).toEqual(
      Object.entries(ROSTER_PERMISSIONS).map(([k, description]) => ({ key: k, description, source: 'roster' })),
    );
    expect(list).toContainEqual({ key, description: 'Delete any ticket', source: 'app' });

    const org = await createTestOrganization(database.handle);
    const owner = await actingMember(org, 'owner');
    expect(await refusal(registerAppPermission(owner, { key: appKey('x') }))).toMatchObject({ code: 'forbidden' });
    expect(await refusal(registerAppPermission(operator, { key: 'members.manage' }))).toMatchObject({ code: 'conflict' });
    for (const bad of ['Tickets.delete', 'tickets..delete', '.tickets', 'tickets delete', '']) {
      expect(await refusal(registerAppPermission(operator, { key: bad })), bad).toMatchObject({ code: 'invalid_input', details: { field: 'key' } });
    }
  });

  it('refuses to unregister a permission a custom role still grants, naming the roles', async () => {
    const operator = contextFor(database.handle);
    const key = appKey('invoices');
    await registerAppPermission(operator, { key, description: 'Delete invoices' });
    const org = await createTestOrganization(database.handle);
    await createRole(org, { key: 'billing-clerk', name: 'Billing clerk', permissions: [key] });

    const refused = await refusal(unregisterAppPermission(operator, { key }));
    expect(refused.code).toBe('conflict');
    expect(refused.message).toContain(`${org.organization.slug}/billing-clerk`);
    expect(refused.details).toEqual({ roles: [{ organization: org.organization.slug, role: 'billing-clerk' }] });

    await updateRole(org, 'billing-clerk', { permissions: [] });
    expect(await unregisterAppPermission(operator, { key })).toEqual({ key, description: 'Delete invoices', source: 'app' });
    expect((await listPermissions(operator)).map((p) => p.key)).not.toContain(key);
    expect(await refusal(unregisterAppPermission(operator, { key }))).toMatchObject({ code: 'not_found' });
    // A role cannot be given a permission that is not in the catalogue (any more).
    expect(await refusal(updateRole(org, 'billing-clerk', { permissions: [key] }))).toMatchObject({ code: 'invalid_input', details: { unknown: [key] } });
  });

  it.runIf(testDatabaseKind === 'postgres')('lets no role be made of a permission being unregistered at the same moment, nor the reverse', async () => {
    const operator = contextFor(database.handle);
    const org = await createTestOrganization(database.handle);
    const settled = (promise: Promise<unknown>) => Promise.race([promise.then(() => true, () => true), new Promise((resolve) => setTimeout(() => resolve(false), 300))]);

    // A role being created with the permission, not yet committed: the unregistration waits for it, then sees it.
    const first = appKey('race');
    await registerAppPermission(operator, { key: first, description: 'Race' });
    const creating = await holdTransaction(database.current.env.DATABASE_URL!, async (tx) => {
      await createRole({ ...org, db: tx }, { key: 'racer', name: 'Racer', permissions: [first] });
    });
    const unregistering = refusal(unregisterAppPermission(operator, { key: first }));
    expect(await settled(unregistering)).toBe(false);
    await creating.commit();
    expect(await unregistering).toMatchObject({ code: 'conflict', details: { roles: [{ organization: org.organization.slug, role: 'racer' }] } });

    // An unregistration not yet committed: the role waits for it, then finds the permission gone.
    const second = appKey('race');
    await registerAppPermission(operator, { key: second, description: 'Race again' });
    const removing = await holdTransaction(database.current.env.DATABASE_URL!, async (tx) => {
      await unregisterAppPermission({ ...operator, db: tx }, { key: second });
    });
    const creatingRole = refusal(createRole(org, { key: 'late', name: 'Late', permissions: [second] }));
    expect(await settled(creatingRole)).toBe(false);
    await removing.commit();
    expect(await creatingRole).toMatchObject({ code: 'invalid_input', details: { unknown: [second] } });
  });
});

describe(`roles on ${testDatabaseKind}`, () => {
  it('lists built-in roles resolved over the whole catalogue, and custom ones, with how many hold each', async () => {
    const key = appKey('reports');
    await registerAppPermission(contextFor(database.handle), { key, description: 'Delete reports' });
    const org = await createTestOrganization(database.handle);
    await actingMember(org, 'admin');
    await actingMember(org, 'viewer');
    await actingMember(org, 'viewer');
    await createRole(org, { key: 'support', name: 'Support', permissions: [key, 'members.manage'] });

    const roles = await listRoles(org);
    expect(roles.map((r) => [r.key, r.builtin, r.members])).toEqual([
      ['owner', true, 0],
      ['admin', true, 1],
      ['member', true, 0],
      ['viewer', true, 2],
      ['support', false, 0],
    ]);
    const byKey = Object.fromEntries(roles.map((r) => [r.key, r.permissions]));
    const catalogue = (await listPermissions(org)).map((p) => p.key);
    expect(byKey.owner).toEqual(catalogue);
    expect(byKey.admin).toEqual(catalogue.filter((p) => p !== 'billing.manage'));
    expect(byKey.admin).toContain(key);
    expect(byKey.member).toEqual(['profile.edit']);
    expect(byKey.viewer).toEqual([]);
    // Stored and shown in catalogue order: Roster's first.
    expect(byKey.support).toEqual(['members.manage', key]);
  });

  it('creates, updates and deletes custom roles with clear refusals, auditing each change', async () => {
    const org = await createTestOrganization(database.handle);
    const created = await createRole(org, { key: 'agent', name: ' Agent ', description: 'Front line', permissions: ['teams.manage', 'teams.manage'] });
    expect(created).toMatchObject({ key: 'agent', name: 'Agent', description: 'Front line', builtin: false, permissions: ['teams.manage'], members: 0 });

    const refusals: [() => Promise<unknown>, string, Record<string, unknown>?][] = [
      [() => createRole(org, { key: 'agent', name: 'Again', permissions: [] }), 'conflict'],
      [() => createRole(org, { key: 'admin', name: 'Admin 2', permissions: [] }), 'invalid_input', { field: 'key' }],
      [() => createRole(org, { key: 'Agent2', name: 'Caps', permissions: [] }), 'invalid_input', { field: 'key' }],
      [() => createRole(org, { key: 'cashier', name: 'Cashier', permissions: ['billing.manage'] }), 'invalid_input', { field: 'permissions' }],
      [() => createRole(org, { key: 'ghost', name: 'Ghost', permissions: ['nothing.here'] }), 'invalid_input', { unknown: ['nothing.here'] }],
      [() => createRole(org, { key: 'blank', name: '  ', permissions: [] }), 'invalid_input', { field: 'name' }],
      [() => updateRole(org, 'owner', { name: 'Boss' }), 'precondition_failed'],
      [() => updateRole(org, 'nobody', { name: 'Nobody' }), 'not_found'],
      [() => deleteRole(org, 'member'), 'precondition_failed'],
    ];
    for (const [attempt, code, details] of refusals) {
      const error = await refusal(attempt());
      expect(error.code, error.message).toBe(code);
      if (details) expect(error.details).toMatchObject(details);
    }

    const updated = await updateRole(org, 'agent', { name: 'Support agent', permissions: ['teams.manage', 'members.manage'] });
    expect(updated).toMatchObject({ name: 'Support agent', description: 'Front line', permissions: ['members.manage', 'teams.manage'] });
    await updateRole(org, 'agent', { description: 'Front line' });

    const holder = await actingMember(org, 'agent');
    const inUse = await refusal(deleteRole(org, 'agent'));
    expect(inUse).toMatchObject({ code: 'conflict', details: { members: 1 } });
    expect(inUse.message).toContain('held by 1 member');
    await database.handle.db.delete(schema.members).where(eq(schema.members.id, holder.actor.id));
    expect(await deleteRole(org, 'agent')).toMatchObject({ key: 'agent' });
    expect((await listRoles(org)).map((r) => r.key)).toEqual(['owner', 'admin', 'member', 'viewer']);

    // One entry per change made; the refusals and the update that changed nothing wrote none.
    const audit = await auditOf(org, 'agent');
    expect(audit.map((a) => [a.action, a.before, a.after])).toEqual([
      ['role.created', null, { name: 'Agent', description: 'Front line', permissions: ['teams.manage'] }],
      ['role.updated', { name: 'Agent', permissions: ['teams.manage'] }, { name: 'Support agent', permissions: ['members.manage', 'teams.manage'] }],
      ['role.deleted', { name: 'Support agent', description: 'Front line', permissions: ['members.manage', 'teams.manage'] }, null],
    ]);
  });

  it('lets a member edit roles only with roles.assign, and grant only what they hold', async () => {
    const org = await createTestOrganization(database.handle);
    await createRole(org, { key: 'role-editor', name: 'Role editor', permissions: ['roles.assign', 'profile.edit'] });
    const editor = await actingMember(org, 'role-editor');
    const member = await actingMember(org, 'member');
    const admin = await actingMember(org, 'admin');

    expect(await refusal(createRole(member, { key: 'x', name: 'X', permissions: [] }))).toMatchObject({ code: 'forbidden', details: { permission: 'roles.assign' } });
    expect(await createRole(editor, { key: 'profile-only', name: 'Profile only', permissions: ['profile.edit'] })).toMatchObject({ key: 'profile-only' });
    // More than the editor holds, even on the role they hold themselves.
    expect(await refusal(createRole(editor, { key: 'wider', name: 'Wider', permissions: ['members.manage'] }))).toMatchObject({
      code: 'forbidden',
      details: { permissions: ['members.manage'] },
    });
    expect(await refusal(updateRole(editor, 'role-editor', { permissions: ['roles.assign', 'sso.manage'] }))).toMatchObject({ code: 'forbidden' });
    // An admin holds every permission but billing, so grants any of them.
    expect(await createRole(admin, { key: 'wider', name: 'Wider', permissions: ['members.manage', 'sso.manage'] })).toMatchObject({ key: 'wider' });

    // A member of another organization learns nothing of this one.
    const other = await actingMember(await createTestOrganization(database.handle), 'owner');
    const outside = { ...org, actor: other.actor };
    expect(await refusal(listRoles(outside))).toMatchObject({ code: 'not_found' });
    expect(await refusal(createRole(outside, { key: 'y', name: 'Y', permissions: [] }))).toMatchObject({ code: 'not_found' });
    expect((await listRoles(org)).map((r) => r.key)).toEqual(['owner', 'admin', 'member', 'viewer', 'profile-only', 'role-editor', 'wider']);
  });
});
