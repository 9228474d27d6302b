/**
 * Teams in the domain: unique names whatever their case, pages and prefix search, bulk additions
 * answered per item, team admins limited to their own team, and one member event and audit entry
 * per member whose teams changed, written with the change (and none for a refused change).
 */
import { and, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { schema } from '../../src/db/index.ts';
import {
  addTeamMembers,
  createRole,
  createTeam,
  deleteTeam,
  emailKey,
  getTeam,
  listTeams,
  memberActor,
  memberTokenClaims,
  registerAppPermission,
  removeTeamMember,
  setTeamMemberRole,
  updateTeam,
  type OrgContext,
} from '../../src/directory/index.ts';
import { DomainError } from '../../src/errors.ts';
import { newId } from '../../src/ids.ts';
import { testDatabaseKind, useTestDatabase } from '../support/database.ts';
import { contextFor, createTestOrganization } from '../support/factories.ts';

const database = useTestDatabase();

async function newMember(org: OrgContext, role = 'member', email = `${role}-${newId().slice(-8)}@example.com`) {
  const id = newId();
  await database.handle.db.insert(schema.members).values({ id, organizationId: org.organization.id, email, emailKey: emailKey(email), role, source: 'admin' });
  return { id, email };
}

/** ctx acting as that member, loaded as the admin API loads them (their team admin rights included). */
async function as(org: OrgContext, memberId: string): Promise<OrgContext> {
  return { ...org, actor: (await memberActor(database.handle.db, org.organization.id, memberId))! };
}

async function refusal(promise: Promise<unknown>): Promise<DomainError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DomainError);
  return error as DomainError;
}

async function eventsOf(org: OrgContext) {
  return database.handle.db
    .select()
    .from(schema.memberEvents)
    .where(and(eq(schema.memberEvents.organizationId, org.organization.id), eq(schema.memberEvents.type, 'member.teams_changed')))
    .orderBy(schema.memberEvents.id);
}

async function auditActions(org: OrgContext) {
  const rows = await database.handle.db
    .select()
    .from(schema.auditLog)
    .where(eq(schema.auditLog.organizationId, org.organization.id))
    .orderBy(schema.auditLog.id);
  return rows.filter((r) => r.action.startsWith('team.')).map((r) => [r.action, r.targetId, r.before, r.after]);
}

describe(`teams on ${testDatabaseKind}`, () => {
  it('keeps names unique ignoring case, and pages and searches them by name', async () => {
    const org = await createTestOrganization(database.handle);
    const created = await createTeam(org, { name: ' Tier 2 ', description: 'Escalations' });
    expect(created).toMatchObject({ name: 'Tier 2', description: 'Escalations', memberCount: 0 });
    expect(await refusal(createTeam(org, { name: 'TIER 2' }))).toMatchObject({ code: 'conflict', details: { field: 'name' } });
    expect(await refusal(createTeam(org, { name: '' }))).toMatchObject({ code: 'invalid_input', details: { field: 'name' } });
    // Another organization may have its own Tier 2.
    await createTeam(await createTestOrganization(database.handle), { name: 'Tier 2' });

    for (const name of ['Tier 1', 'tier 3', 'Billing', 'Tier_x', 'Tiers%']) await createTeam(org, { name });
    const first = await listTeams(org, { limit: 2 });
    expect(first.teams.map((t) => t.name)).toEqual(['Billing', 'Tier 1']);
    const second = await listTeams(org, { limit: 2, after: first.next });
    expect(second.teams.map((t) => t.name)).toEqual(['Tier 2', 'tier 3']);
    const third = await listTeams(org, { limit: 2, after: second.next });
    expect(third.teams.map((t) => t.name)).toEqual(['Tier_x', 'Tiers%']);
    expect(third.next).toBeUndefined();
    expect((await listTeams(org, { prefix: 'TIER ' })).teams.map((t) => t.name)).toEqual(['Tier 1', 'Tier 2', 'tier 3']);
    // LIKE's wildcards are letters like any other in a prefix.
    expect((await listTeams(org, { prefix: 'tier_' })).teams.map((t) => t.name)).toEqual(['Tier_x']);
    expect((await listTeams(org, { prefix: 'tiers%' })).teams.map((t) => t.name)).toEqual(['Tiers%']);

    expect(await refusal(updateTeam(org, 'tier 1', { name: 'tier 2' }))).toMatchObject({ code: 'conflict' });
    expect(await updateTeam(org, 'tier 1', { name: 'Tier One', description: null })).toMatchObject({ name: 'Tier One', description: null });
    expect((await getTeam(org, created.id)).name).toBe('Tier 2');
    expect((await getTeam(org, 'tier one')).name).toBe('Tier One');
    expect(await refusal(getTeam(org, newId()))).toMatchObject({ code: 'not_found' });
  });

  it('adds members in bulk with a result per item, and records each change with it', async () => {
    const org = await createTestOrganization(database.handle);
    const team = await createTeam(org, { name: 'Support' });
    const ada = await newMember(org, 'member', 'ada@example.com');
    const bob = await newMember(org);
    const stranger = await newMember(await createTestOrganization(database.handle));

    const first = await addTeamMembers(org, team.id, [{ member: ada.id }]);
    expect(first).toEqual([{ member: ada.id, id: ada.id, status: 'added', role: 'member' }]);
    const results = await addTeamMembers(org, 'support', [
      { member: 'ADA@example.com' },
      { member: bob.id, role: 'admin' },
      { member: stranger.id },
      { member: 'nobody@example.com' },
      { member: bob.email },
    ]);
    expect(results).toEqual([
      { member: 'ADA@example.com', id: ada.id, status: 'already', role: 'member' },
      { member: bob.id, id: bob.id, status: 'added', role: 'admin' },
      { member: stranger.id, id: null, status: 'not_found', role: null },
      { member: 'nobody@example.com', id: null, status: 'not_found', role: null },
      { member: bob.email, id: bob.id, status: 'already', role: 'admin' },
    ]);
    const shown = await getTeam(org, team.id);
    expect(shown.memberCount).toBe(2);
    expect(shown.members.map((m) => [m.id, m.teamRole])).toEqual([
      [ada.id, 'member'],
      [bob.id, 'admin'],
    ]);

    expect(await setTeamMemberRole(org, team.id, ada.email, 'admin')).toMatchObject({ memberId: ada.id, role: 'admin' });
    expect(await removeTeamMember(org, team.id, bob.id)).toMatchObject({ memberId: bob.id, role: 'admin' });
    expect(await refusal(removeTeamMember(org, team.id, bob.id))).toMatchObject({ code: 'not_found' });
    await deleteTeam(org, team.id);
    expect(await refusal(getTeam(org, team.id))).toMatchObject({ code: 'not_found' });

    expect((await eventsOf(org)).map((e) => [e.memberId, e.data])).toEqual([
      [ada.id, { added: ['Support'], removed: [] }],
      [bob.id, { added: ['Support'], removed: [] }],
      [ada.id, { added: [], removed: [], roleChanged: { team: 'Support', from: 'member', to: 'admin' } }],
      [bob.id, { added: [], removed: ['Support'] }],
      [ada.id, { added: [], removed: ['Support'] }],
    ]);
    expect(await auditActions(org)).toEqual([
      ['team.created', team.id, null, { name: 'Support', description: null }],
      ['team.member_added', ada.id, null, { team: 'Support', teamRole: 'member' }],
      ['team.member_added', bob.id, null, { team: 'Support', teamRole: 'admin' }],
      ['team.member_role_changed', ada.id, { team: 'Support', teamRole: 'member' }, { team: 'Support', teamRole: 'admin' }],
      ['team.member_removed', bob.id, { team: 'Support', teamRole: 'admin' }, null],
      ['team.deleted', team.id, { name: 'Support', description: null }, null],
      ['team.member_removed', ada.id, { team: 'Support', teamRole: 'admin' }, null],
    ]);
  });

  it("lets a team's admin manage that team only, and not choose its admins", async () => {
    const org = await createTestOrganization(database.handle);
    const mine = await createTeam(org, { name: 'Mine' });
    const theirs = await createTeam(org, { name: 'Theirs' });
    const lead = await newMember(org);
    const peer = await newMember(org);
    const otherAdmin = await newMember(org);
    await addTeamMembers(org, mine.id, [{ member: lead.id, role: 'admin' }, { member: otherAdmin.id, role: 'admin' }]);
    const ctx = await as(org, lead.id);
    const before = await eventsOf(org);

    expect(await addTeamMembers(ctx, mine.id, [{ member: peer.id }])).toMatchObject([{ status: 'added' }]);
    expect(await updateTeam(ctx, mine.id, { description: 'Our team' })).toMatchObject({ description: 'Our team' });
    expect(await removeTeamMember(ctx, mine.id, peer.id)).toMatchObject({ memberId: peer.id });

    const refused = [
      () => addTeamMembers(ctx, theirs.id, [{ member: peer.id }]),
      () => updateTeam(ctx, theirs.id, { description: 'Taken over' }),
      () => addTeamMembers(ctx, mine.id, [{ member: peer.id, role: 'admin' }]),
      () => setTeamMemberRole(ctx, mine.id, otherAdmin.id, 'member'),
      () => removeTeamMember(ctx, mine.id, otherAdmin.id),
      () => deleteTeam(ctx, mine.id),
      () => createTeam(ctx, { name: 'New' }),
    ];
    // One at a time: each is refused on its own, not by a lock another one holds.
    for (const attempt of refused) expect(await refusal(attempt())).toMatchObject({ code: 'forbidden' });
    // Refused changes wrote nothing: only the add and the removal above are new.
    expect((await eventsOf(org)).slice(before.length).map((e) => e.data)).toEqual([
      { added: ['Mine'], removed: [] },
      { added: [], removed: ['Mine'] },
    ]);
    expect((await getTeam(org, theirs.id)).members).toEqual([]);
    // Leaving one's own team is allowed.
    expect(await removeTeamMember(ctx, mine.id, lead.id)).toMatchObject({ memberId: lead.id, role: 'admin' });

    // A member of another organization finds nothing here.
    const otherOrg = await createTestOrganization(database.handle);
    const outsider = await as(otherOrg, (await newMember(otherOrg, 'owner')).id);
    const elsewhere = { ...org, actor: outsider.actor };
    expect(await refusal(listTeams(elsewhere))).toMatchObject({ code: 'not_found' });
    expect(await refusal(addTeamMembers(elsewhere, mine.id, [{ member: peer.id }]))).toMatchObject({ code: 'not_found' });
  });

  it("puts the member's role, its permissions and their teams in the token claims", async () => {
    const org = await createTestOrganization(database.handle);
    const key = `tickets-${newId().slice(-6)}.close`;
    await registerAppPermission(contextFor(database.handle), { key, description: 'Close tickets' });
    await createRole(org, { key: 'agent', name: 'Agent', permissions: [key, 'profile.edit'] });
    const owner = await newMember(org, 'owner');
    const agent = await newMember(org, 'agent');
    const red = await createTeam(org, { name: 'red' });
    const blue = await createTeam(org, { name: 'Blue' });
    await addTeamMembers(org, red.id, [{ member: agent.id, role: 'admin' }]);
    await addTeamMembers(org, blue.id, [{ member: agent.id }]);

    const ownerClaims = await memberTokenClaims(database.handle.db, owner.id);
    expect(ownerClaims).toMatchObject({ role: 'owner', teams: [] });
    expect(ownerClaims?.permissions).toEqual(expect.arrayContaining(['billing.manage', 'members.manage', key]));
    expect(ownerClaims).not.toHaveProperty('team_roles');

    const agentClaims = await memberTokenClaims(database.handle.db, agent.id);
    expect(agentClaims).toMatchObject({ role: 'agent', permissions: ['profile.edit', key], teams: ['Blue', 'red'], team_roles: { red: 'admin' } });
  });
});
