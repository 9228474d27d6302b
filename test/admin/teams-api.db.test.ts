/**
 * Teams over the admin API, as each kind of caller: teams.manage creates and deletes teams, a
 * team's admin manages that team and no other, names are unique ignoring case, bulk additions
 * answer per member, a member of another organization finds nothing, and every change of a
 * member's teams writes its event and audit entry with it (a refused one writes neither).
 */
import { and, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { schema } from '../../src/db/index.ts';
import type { OrgContext } from '../../src/directory/index.ts';
import { newId } from '../../src/ids.ts';
import { call, memberCaller, operatorCaller } from '../support/admin-api.ts';
import { buildTestApp } from '../support/app.ts';
import { testDatabaseKind, useTestDatabase } from '../support/database.ts';
import { createTestOrganization } from '../support/factories.ts';

const database = useTestDatabase();

type Problem = { status: number; code: string; detail: string; [extension: string]: unknown };
interface TeamBody {
  id: string;
  name: string;
  description: string | null;
  memberCount: number;
  createdAt: string;
  updatedAt: string;
}
interface TeamDetailBody extends TeamBody {
  members: { id: string; email: string; name: string | null; status: string; role: string; addedAt: string }[];
}
type Addition = { member: string; id: string | null; status: string; role: string | null };

async function teamEvents(org: OrgContext) {
  const rows = await database.handle.db
    .select()
    .from(schema.memberEvents)
    .where(and(eq(schema.memberEvents.organizationId, org.organization.id), eq(schema.memberEvents.type, 'member.teams_changed')))
    .orderBy(schema.memberEvents.id);
  return rows.map((e) => ({ memberId: e.memberId, data: e.data, actor: `${e.actorType}:${e.actorId}` }));
}

async function teamAudit(org: OrgContext) {
  const rows = await database.handle.db.select().from(schema.auditLog).where(eq(schema.auditLog.organizationId, org.organization.id)).orderBy(schema.auditLog.id);
  return rows.filter((r) => r.action.startsWith('team.')).map((r) => ({ action: r.action, target: r.targetId, before: r.before, after: r.after }));
}

describe(`teams over the admin API on ${testDatabaseKind}`, () => {
  it('creates teams with names unique ignoring case, and lists, pages and searches them', async () => {
    const { app } = buildTestApp(database.handle);
    const org = await createTestOrganization(database.handle);
    const slug = org.organization.slug;
    const admin = await memberCaller(database.handle, org, 'admin');
    const member = await memberCaller(database.handle, org, 'member');

    const created = await call<TeamBody>(app, admin, 'POST', `/organizations/${slug}/teams`, { name: 'Tier 2', description: 'Escalations' });
    expect(created.status).toBe(201);
    expect(Object.keys(created.body).sort()).toEqual(['createdAt', 'description', 'id', 'memberCount', 'name', 'updatedAt']);
    expect(created.body).toMatchObject({ name: 'Tier 2', description: 'Escalations', memberCount: 0 });
    const duplicate = await call<Problem>(app, admin, 'POST', `/organizations/${slug}/teams`, { name: '  tier 2 ' });
    expect(duplicate).toMatchObject({ status: 409, body: { code: 'conflict', field: 'name' } });
    expect(duplicate.body.detail).toContain('ignoring case');
    const byMember = await call<Problem>(app, member, 'POST', `/organizations/${slug}/teams`, { name: 'Rogue' });
    expect(byMember).toMatchObject({ status: 403, body: { permission: 'teams.manage' } });
    expect((await call<Problem>(app, admin, 'POST', `/organizations/${slug}/teams`, { name: '' })).status).toBe(400);

    for (const name of ['Tier 1', 'Billing', 'tier 3']) expect((await call(app, admin, 'POST', `/organizations/${slug}/teams`, { name })).status).toBe(201);
    await call(app, admin, 'POST', `/organizations/${slug}/teams/${created.body.id}/members`, { members: [member.id, admin.id] });

    const first = await call<{ data: TeamBody[]; nextCursor: string | null }>(app, member, 'GET', `/organizations/${slug}/teams?limit=3`);
    expect(first.status).toBe(200);
    expect(first.body.data.map((t) => [t.name, t.memberCount])).toEqual([
      ['Billing', 0],
      ['Tier 1', 0],
      ['Tier 2', 2],
    ]);
    const second = await call<{ data: TeamBody[]; nextCursor: string | null }>(app, member, 'GET', `/organizations/${slug}/teams?limit=3&cursor=${first.body.nextCursor}`);
    expect(second.body).toEqual({ data: [expect.objectContaining({ name: 'tier 3' })], nextCursor: null });
    const searched = await call<{ data: TeamBody[] }>(app, member, 'GET', `/organizations/${slug}/teams?q=TIER`);
    expect(searched.body.data.map((t) => t.name)).toEqual(['Tier 1', 'Tier 2', 'tier 3']);
    expect((await call<Problem>(app, member, 'GET', `/organizations/${slug}/teams?cursor=bogus`)).body).toMatchObject({ status: 400, field: 'cursor' });

    const shown = await call<TeamDetailBody>(app, member, 'GET', `/organizations/${slug}/teams/${created.body.id}`);
    // By email: admin-… before member-….
    expect(shown.body.members.map((m) => [m.id, m.email, m.role])).toEqual([
      [admin.id, admin.email, 'member'],
      [member.id, member.email, 'member'],
    ]);
    expect((await call(app, member, 'GET', `/organizations/${slug}/teams/${newId()}`)).status).toBe(404);
  });

  it('adds members in bulk with a result per item, and writes an event and an audit entry per member changed', async () => {
    const { app } = buildTestApp(database.handle);
    const operator = await operatorCaller(database.handle);
    const org = await createTestOrganization(database.handle);
    const slug = org.organization.slug;
    const ada = await memberCaller(database.handle, org, 'member', `ada-${newId().slice(-6)}@example.com`);
    const bob = await memberCaller(database.handle, org, 'member');
    const foreign = await memberCaller(database.handle, await createTestOrganization(database.handle), 'member');
    const team = (await call<TeamBody>(app, operator, 'POST', `/organizations/${slug}/teams`, { name: 'Support' })).body;

    const single = await call<{ results: Addition[] }>(app, operator, 'POST', `/organizations/${slug}/teams/${team.id}/members`, { member: ada.email.toUpperCase(), role: 'admin' });
    expect(single).toMatchObject({ status: 200, body: { results: [{ member: ada.email.toUpperCase(), id: ada.id, status: 'added', role: 'admin' }] } });
    const bulk = await call<{ results: Addition[] }>(app, operator, 'POST', `/organizations/${slug}/teams/${team.id}/members`, {
      members: [ada.id, bob.id, foreign.id, 'nobody@example.com'],
    });
    expect(bulk.body.results).toEqual([
      { member: ada.id, id: ada.id, status: 'already', role: 'admin' },
      { member: bob.id, id: bob.id, status: 'added', role: 'member' },
      { member: foreign.id, id: null, status: 'not_found', role: null },
      { member: 'nobody@example.com', id: null, status: 'not_found', role: null },
    ]);
    const both = await call<Problem>(app, operator, 'POST', `/organizations/${slug}/teams/${team.id}/members`, { member: bob.id, members: [bob.id] });
    expect(both.status).toBe(400);
    const badRole = await call<Problem>(app, operator, 'POST', `/organizations/${slug}/teams/${team.id}/members`, { member: bob.id, role: 'owner' });
    expect(badRole.status).toBe(400);

    expect(await call(app, operator, 'PATCH', `/organizations/${slug}/teams/${team.id}/members/${bob.id}`, { role: 'admin' })).toMatchObject({
      status: 200,
      body: { teamId: team.id, team: 'Support', memberId: bob.id, role: 'admin' },
    });
    expect((await call(app, operator, 'DELETE', `/organizations/${slug}/teams/${team.id}/members/${ada.email}`)).body).toMatchObject({ memberId: ada.id, role: 'admin' });
    expect((await call<Problem>(app, operator, 'DELETE', `/organizations/${slug}/teams/${team.id}/members/${ada.id}`)).status).toBe(404);
    expect((await call<TeamBody>(app, operator, 'DELETE', `/organizations/${slug}/teams/${team.id}`)).body).toMatchObject({ id: team.id, name: 'Support' });

    const operatorId = (await teamEvents(org))[0]!.actor;
    expect(operatorId).toMatch(/^api_key:/);
    expect(await teamEvents(org)).toEqual([
      { memberId: ada.id, data: { added: ['Support'], removed: [] }, actor: operatorId },
      { memberId: bob.id, data: { added: ['Support'], removed: [] }, actor: operatorId },
      { memberId: bob.id, data: { added: [], removed: [], roleChanged: { team: 'Support', from: 'member', to: 'admin' } }, actor: operatorId },
      { memberId: ada.id, data: { added: [], removed: ['Support'] }, actor: operatorId },
      { memberId: bob.id, data: { added: [], removed: ['Support'] }, actor: operatorId },
    ]);
    expect((await teamAudit(org)).map((a) => [a.action, a.target])).toEqual([
      ['team.created', team.id],
      ['team.member_added', ada.id],
      ['team.member_added', bob.id],
      ['team.member_role_changed', bob.id],
      ['team.member_removed', ada.id],
      ['team.deleted', team.id],
      ['team.member_removed', bob.id],
    ]);
  });

  it("lets a team's admin manage their own team and not another, nor choose its admins", async () => {
    const { app } = buildTestApp(database.handle);
    const operator = await operatorCaller(database.handle);
    const org = await createTestOrganization(database.handle);
    const slug = org.organization.slug;
    const lead = await memberCaller(database.handle, org, 'member');
    const peer = await memberCaller(database.handle, org, 'member');
    const mine = (await call<TeamBody>(app, operator, 'POST', `/organizations/${slug}/teams`, { name: 'Mine' })).body;
    const theirs = (await call<TeamBody>(app, operator, 'POST', `/organizations/${slug}/teams`, { name: 'Theirs' })).body;
    await call(app, operator, 'POST', `/organizations/${slug}/teams/${mine.id}/members`, { member: lead.id, role: 'admin' });
    const eventsBefore = (await teamEvents(org)).length;
    const auditBefore = (await teamAudit(org)).length;

    const refusals: [string, string, unknown][] = [
      ['POST', `/organizations/${slug}/teams/${theirs.id}/members`, { member: peer.id }],
      ['PATCH', `/organizations/${slug}/teams/${theirs.id}`, { description: 'Taken over' }],
      ['DELETE', `/organizations/${slug}/teams/${theirs.id}`, undefined],
      ['POST', `/organizations/${slug}/teams/${mine.id}/members`, { members: [peer.id], role: 'admin' }],
      ['DELETE', `/organizations/${slug}/teams/${mine.id}`, undefined],
      ['POST', `/organizations/${slug}/teams`, { name: 'Another' }],
    ];
    for (const [method, path, body] of refusals) {
      const refused = await call<Problem>(app, lead, method, path, body);
      expect(refused.status, `${method} ${path}`).toBe(403);
      expect(refused.body.permission, `${method} ${path}`).toBe('teams.manage');
    }
    // Nothing refused left a trace.
    expect(await teamEvents(org)).toHaveLength(eventsBefore);
    expect(await teamAudit(org)).toHaveLength(auditBefore);

    const added = await call<{ results: Addition[] }>(app, lead, 'POST', `/organizations/${slug}/teams/${mine.id}/members`, { member: peer.email });
    expect(added.body.results).toEqual([{ member: peer.email, id: peer.id, status: 'added', role: 'member' }]);
    expect((await call<Problem>(app, lead, 'PATCH', `/organizations/${slug}/teams/${mine.id}/members/${peer.id}`, { role: 'admin' })).status).toBe(403);
    expect(await call(app, lead, 'PATCH', `/organizations/${slug}/teams/${mine.id}`, { name: 'Ours', description: 'Run by lead' })).toMatchObject({
      status: 200,
      body: { name: 'Ours', description: 'Run by lead', memberCount: 2 },
    });
    expect((await call(app, lead, 'DELETE', `/organizations/${slug}/teams/${mine.id}/members/${peer.id}`)).status).toBe(200);
    const events = (await teamEvents(org)).slice(eventsBefore);
    expect(events).toEqual([
      { memberId: peer.id, data: { added: ['Mine'], removed: [] }, actor: `member:${lead.id}` },
      { memberId: peer.id, data: { added: [], removed: ['Ours'] }, actor: `member:${lead.id}` },
    ]);
    // The team lost its admin once the operator takes the role away: the same calls are then refused.
    await call(app, operator, 'PATCH', `/organizations/${slug}/teams/${mine.id}/members/${lead.id}`, { role: 'member' });
    expect((await call<Problem>(app, lead, 'POST', `/organizations/${slug}/teams/${mine.id}/members`, { member: peer.id })).status).toBe(403);
  });

  it('answers a member of another organization as if the organization did not exist, and keeps teams to their organization', async () => {
    const { app } = buildTestApp(database.handle);
    const operator = await operatorCaller(database.handle);
    const org = await createTestOrganization(database.handle);
    const other = await createTestOrganization(database.handle);
    const slug = org.organization.slug;
    const team = (await call<TeamBody>(app, operator, 'POST', `/organizations/${slug}/teams`, { name: 'Private' })).body;
    const outsider = await memberCaller(database.handle, other, 'owner');
    for (const [method, path, body] of [
      ['GET', `/organizations/${slug}/teams`, undefined],
      ['GET', `/organizations/${slug}/teams/${team.id}`, undefined],
      ['POST', `/organizations/${slug}/teams`, { name: 'Spies' }],
      ['POST', `/organizations/${slug}/teams/${team.id}/members`, { member: outsider.id }],
      ['DELETE', `/organizations/${slug}/teams/${team.id}`, undefined],
    ] as const) {
      const answer = await call<Problem>(app, outsider, method, path, body);
      expect(answer.status, `${method} ${path}`).toBe(404);
      expect(answer.body.detail).toBe('no such organization');
    }
    // A team is found only under its own organization, even by an operator.
    expect((await call<Problem>(app, operator, 'GET', `/organizations/${other.organization.slug}/teams/${team.id}`)).status).toBe(404);
    expect((await call<Problem>(app, operator, 'DELETE', `/organizations/${other.organization.slug}/teams/${team.id}`)).status).toBe(404);
    expect((await call<TeamDetailBody>(app, operator, 'GET', `/organizations/${slug}/teams/${team.id}`)).body.members).toEqual([]);
  });
});
