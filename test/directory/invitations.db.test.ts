import { and, count, eq, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { schema, type Database } from '../../src/db/index.ts';
import {
  emailKey,
  hashInvitationToken,
  importInvitations,
  inviteMembers,
  listPendingInvitations,
  markMailsSent,
  memberActor,
  openMailBody,
  resendInvitation,
  revokeInvitation,
  seatUsage,
  type OrgContext,
} from '../../src/directory/index.ts';
import { newId } from '../../src/ids.ts';
import { SecretBox } from '../../src/secrets/index.ts';
import { testDatabaseKind, useTestDatabase } from '../support/database.ts';
import { createTestOrganization } from '../support/factories.ts';

const database = useTestDatabase();
const box = SecretBox.fromSecrets('invitation-test-secret-invitation-test-0123');
const PUBLIC_URL = 'https://id.example.com';
const delivery = { box, publicUrl: PUBLIC_URL };
const DAY = 24 * 3600_000;

/** An organization whose clock the test moves (`clock.now`), as an operator. */
async function organization(options: { seats?: number; ttlHours?: number } = {}) {
  const base = await createTestOrganization(database.handle);
  const clock = { now: new Date('2026-03-02T09:00:00.000Z') };
  if (options.seats !== undefined || options.ttlHours !== undefined) {
    await database.handle.db
      .update(schema.organizations)
      .set({ ...(options.seats === undefined ? {} : { seatLimit: options.seats }), ...(options.ttlHours === undefined ? {} : { invitationTtlHours: options.ttlHours }) })
      .where(eq(schema.organizations.id, base.organization.id));
  }
  const org: OrgContext = { ...base, clock: () => clock.now };
  return { org, clock };
}

/** An active member of `org` with `role`, and the context they act in. */
async function actingMember(org: OrgContext, role: string, displayName: string | null = null): Promise<OrgContext> {
  const id = newId();
  const email = `${role}-${id.slice(-6)}@example.com`;
  await database.handle.db.insert(schema.members).values({ id, organizationId: org.organization.id, email, emailKey: emailKey(email), role, source: 'admin', displayName });
  const actor = await memberActor(database.handle.db, org.organization.id, id);
  if (!actor) throw new Error('member actor not loaded');
  return { ...org, actor };
}

async function team(org: OrgContext, name: string): Promise<string> {
  const id = newId();
  await database.handle.db.insert(schema.teams).values({ id, organizationId: org.organization.id, name, nameKey: name.trim().toLowerCase() });
  return id;
}

/** How many rows of what an invitation writes exist for the organization. */
async function written(db: Database, org: OrgContext) {
  const orgId = org.organization.id;
  const n = async (table: typeof schema.members | typeof schema.invitations | typeof schema.auditLog | typeof schema.memberEvents | typeof schema.mailOutbox) => {
    const [row] = await db.select({ n: count() }).from(table).where(eq(table.organizationId, orgId));
    return row?.n ?? 0;
  };
  return {
    members: await n(schema.members),
    invitations: await n(schema.invitations),
    audit: await n(schema.auditLog),
    events: await n(schema.memberEvents),
    mails: await n(schema.mailOutbox),
  };
}

async function outboxOf(org: OrgContext) {
  const rows = await database.handle.db.select().from(schema.mailOutbox).where(eq(schema.mailOutbox.organizationId, org.organization.id));
  return rows.map((row) => ({ ...row, body: openMailBody(box, row.id, row.bodySealed) }));
}

const tokenIn = (text: string) => /\/invitations\/([A-Za-z0-9_-]{43})(?:\s|$)/.exec(text)?.[1];

describe(`inviting members on ${testDatabaseKind}`, () => {
  it('writes the invited member, the invitation, teams, audit, event and the sealed email in one go', async () => {
    const { org, clock } = await organization();
    const tier2 = await team(org, 'Tier 2');
    const admin = await actingMember(org, 'admin', 'Grace Hopper');
    const [invited, ...rest] = await inviteMembers(admin, { ...delivery, emails: [' Ada@Example.com '], role: 'Admin', teams: ['tier 2'] });
    expect(rest).toEqual([]);
    const expiresAt = new Date(clock.now.getTime() + 7 * DAY);
    expect(invited).toEqual({ id: expect.any(String), email: 'Ada@Example.com', status: 'invited', role: 'admin', teams: ['Tier 2'], expiresAt });

    const db = database.handle.db;
    const [member] = await db.select().from(schema.members).where(eq(schema.members.id, invited!.id));
    expect(member).toMatchObject({ email: 'Ada@Example.com', emailKey: 'ada@example.com', status: 'invited', source: 'invitation', role: 'admin' });
    const [invitation] = await db.select().from(schema.invitations).where(eq(schema.invitations.memberId, invited!.id));
    expect(invitation).toMatchObject({ expiresAt, sentCount: 1, lastSentAt: clock.now, invitedByType: 'member', invitedById: admin.actor.id });
    expect(await db.select({ teamId: schema.teamMembers.teamId, role: schema.teamMembers.role }).from(schema.teamMembers).where(eq(schema.teamMembers.memberId, invited!.id))).toEqual([
      { teamId: tier2, role: 'member' },
    ]);

    const [audit] = await db.select().from(schema.auditLog).where(and(eq(schema.auditLog.targetId, invited!.id), eq(schema.auditLog.action, 'member.invited')));
    expect(audit).toMatchObject({ actorType: 'member', actorId: admin.actor.id, before: null, after: { email: 'Ada@Example.com', status: 'invited', role: 'admin', teams: ['Tier 2'], expiresAt: expiresAt.toISOString() } });
    const events = await db.select().from(schema.memberEvents).where(eq(schema.memberEvents.memberId, invited!.id));
    expect(events).toEqual([expect.objectContaining({ type: 'member.invited', actorType: 'member', data: { email: 'Ada@Example.com', role: 'admin', teams: ['Tier 2'], expiresAt: expiresAt.toISOString() } })]);

    const [mail, ...others] = await outboxOf(org);
    expect(others).toEqual([]);
    expect(mail).toMatchObject({ kind: 'invitation', toAddress: 'Ada@Example.com', subject: `Grace Hopper (${admin.actor.type === 'member' ? admin.actor.email : ''}) invited you to join Org ${org.organization.slug}`, sentAt: null });
    // Sealed at rest: neither the link nor the text is readable in the row.
    expect(mail!.bodySealed).toMatch(/^v1\./);
    expect(mail!.bodySealed).not.toContain('invitations');
    expect(mail!.body.text).toContain(`to join Org ${org.organization.slug} as Admin in the team Tier 2.`);
    expect(mail!.body.text).toContain('expires on Mon, 09 Mar 2026 09:00 UTC');
    const token = tokenIn(mail!.body.text);
    expect(token).toBeDefined();
    expect(mail!.body.text).toContain(`Accept the invitation: ${PUBLIC_URL}/invitations/${token}`);
    expect(mail!.body.html).toContain(`href="${PUBLIC_URL}/invitations/${token}"`);
    expect(hashInvitationToken(token!)).toBe(invitation!.tokenHash);
    // Only the hash is stored.
    expect(JSON.stringify(await db.select().from(schema.invitations).where(eq(schema.invitations.memberId, invited!.id)))).not.toContain(token);
  });

  it('invites several addresses at once, each with its own link', async () => {
    const { org } = await organization();
    const invited = await inviteMembers(org, { ...delivery, emails: ['a@example.com', 'b@example.com', 'c@example.com'] });
    expect(invited.map((m) => [m.email, m.role, m.teams])).toEqual([
      ['a@example.com', 'member', []],
      ['b@example.com', 'member', []],
      ['c@example.com', 'member', []],
    ]);
    const mails = await outboxOf(org);
    expect(mails.map((m) => m.toAddress).sort()).toEqual(['a@example.com', 'b@example.com', 'c@example.com']);
    // An operator is named by no one: the email says who is invited, not by whom.
    expect(mails[0]!.subject).toBe(`You are invited to join Org ${org.organization.slug}`);
    const hashes = await database.handle.db.select({ hash: schema.invitations.tokenHash }).from(schema.invitations).where(eq(schema.invitations.organizationId, org.organization.id));
    expect(new Set(hashes.map((h) => h.hash))).toEqual(new Set(mails.map((m) => hashInvitationToken(tokenIn(m.body.text)!))));
  });

  it('refuses the whole request, writing nothing, for any bad address, role, team or existing member', async () => {
    const { org } = await organization();
    await team(org, 'Support');
    const [ada] = await inviteMembers(org, { ...delivery, emails: ['ada@example.com'] });
    const before = await written(database.handle.db, org);
    const refusals: [Parameters<typeof inviteMembers>[1], object][] = [
      [{ ...delivery, emails: ['ok@example.com', 'not an address'] }, { code: 'invalid_input', message: '"not an address" is not an email address (expected e.g. ada@example.com)', details: { field: 'emails', email: 'not an address' } }],
      [{ ...delivery, emails: ['x@example.com', 'X@example.com'] }, { code: 'invalid_input', message: 'X@example.com is listed twice' }],
      [{ ...delivery, emails: [] }, { code: 'invalid_input', details: { field: 'emails' } }],
      [{ ...delivery, emails: ['x@example.com'], role: 'boss' }, { code: 'invalid_input', message: 'no role "boss" in this organization (roles: admin, member, owner, viewer)' }],
      [{ ...delivery, emails: ['x@example.com'], teams: ['Support', 'Tier 3'] }, { code: 'invalid_input', message: 'no team "Tier 3" in this organization; create it first or leave it out', details: { field: 'teams', team: 'Tier 3' } }],
      [
        { ...delivery, emails: ['x@example.com', 'ADA@example.com'] },
        { code: 'conflict', message: `nothing was invited: ADA@example.com is already invited (member ${ada!.id}): resend that invitation instead`, details: { members: [{ email: 'ADA@example.com', id: ada!.id, status: 'invited' }] } },
      ],
    ];
    for (const [input, error] of refusals) await expect(inviteMembers(org, input)).rejects.toMatchObject(error);
    expect(await written(database.handle.db, org)).toEqual(before);
  });

  it('lets members.manage invite, owners alone invite owners, and roles.assign give other roles', async () => {
    const { org } = await organization();
    await database.handle.db.insert(schema.roles).values({ id: newId(), organizationId: org.organization.id, key: 'recruiter', name: 'Recruiter', permissions: ['members.manage'] });
    const before = await written(database.handle.db, org);
    await expect(inviteMembers(await actingMember(org, 'viewer'), { ...delivery, emails: ['v@example.com'] })).rejects.toMatchObject({
      code: 'forbidden',
      message: 'inviting members needs the "members.manage" permission, which role "viewer" does not grant',
    });
    await expect(inviteMembers(await actingMember(org, 'member'), { ...delivery, emails: ['m@example.com'] })).rejects.toMatchObject({ code: 'forbidden' });
    const admin = await actingMember(org, 'admin');
    await expect(inviteMembers(admin, { ...delivery, emails: ['o@example.com'], role: 'owner' })).rejects.toMatchObject({
      code: 'forbidden',
      message: 'only an owner may invite someone as owner',
    });
    const recruiter = await actingMember(org, 'recruiter');
    await expect(inviteMembers(recruiter, { ...delivery, emails: ['r@example.com'], role: 'admin' })).rejects.toMatchObject({
      code: 'forbidden',
      message: 'inviting someone as "admin" needs the "roles.assign" permission, which role "recruiter" does not grant',
    });
    // Refusals wrote nothing (the acting members themselves are 4 rows).
    expect(await written(database.handle.db, org)).toEqual({ ...before, members: before.members + 4 });

    expect(await inviteMembers(recruiter, { ...delivery, emails: ['r@example.com'], role: 'viewer' })).toHaveLength(1);
    expect(await inviteMembers(admin, { ...delivery, emails: ['a2@example.com'], role: 'admin' })).toHaveLength(1);
    expect(await inviteMembers(await actingMember(org, 'owner'), { ...delivery, emails: ['o@example.com'], role: 'owner' })).toHaveLength(1);
    expect(await inviteMembers(org, { ...delivery, emails: ['o2@example.com'], role: 'owner' })).toHaveLength(1);
  });

  it('refuses a member acting on another organization as if it did not exist', async () => {
    const { org: mine } = await organization();
    const { org: theirs } = await organization();
    const owner = await actingMember(mine, 'owner');
    const intruder: OrgContext = { ...theirs, actor: owner.actor };
    const [target] = await inviteMembers(theirs, { ...delivery, emails: ['t@example.com'] });
    await expect(inviteMembers(intruder, { ...delivery, emails: ['x@example.com'] })).rejects.toMatchObject({ code: 'not_found', message: 'no such organization' });
    await expect(listPendingInvitations(intruder, { limit: 10 })).rejects.toMatchObject({ code: 'not_found' });
    await expect(resendInvitation(intruder, { ...delivery, memberId: target!.id })).rejects.toMatchObject({ code: 'not_found' });
    await expect(revokeInvitation(intruder, { memberId: target!.id })).rejects.toMatchObject({ code: 'not_found' });
    await expect(importInvitations(intruder, { ...delivery, csv: 'email\nx@example.com\n' })).rejects.toMatchObject({ code: 'not_found' });
    // Their own organization's verbs do not reach the other's member either.
    await expect(revokeInvitation(owner, { memberId: target!.id })).rejects.toMatchObject({ code: 'not_found' });
    expect((await listPendingInvitations(theirs, { limit: 10 })).items.map((i) => i.id)).toEqual([target!.id]);
  });
});

describe(`seats and expiry of invitations on ${testDatabaseKind}`, () => {
  it('takes a seat while the invitation lives and frees it when it expires, is revoked or refused', async () => {
    const { org, clock } = await organization({ seats: 3 });
    await actingMember(org, 'owner');
    const [first, second] = await inviteMembers(org, { ...delivery, emails: ['one@example.com', 'two@example.com'] });
    expect(await seatUsage(org)).toEqual({ limit: 3, used: 3 });

    const before = await written(database.handle.db, org);
    await expect(inviteMembers(org, { ...delivery, emails: ['three@example.com'] })).rejects.toMatchObject({
      code: 'limit_exceeded',
      details: { limit: 3, used: 3, requested: 1 },
    });
    expect(await written(database.handle.db, org)).toEqual(before);

    // Revoking frees a seat at once.
    expect(await revokeInvitation(org, { memberId: second!.id })).toEqual({ id: second!.id, email: 'two@example.com' });
    expect(await seatUsage(org)).toEqual({ limit: 3, used: 2 });
    const [third] = await inviteMembers(org, { ...delivery, emails: ['three@example.com'] });

    // Seven days on, both invitations have expired: listed so, and no longer holding seats.
    clock.now = new Date(clock.now.getTime() + 7 * DAY);
    const page = await listPendingInvitations(org, { limit: 10 });
    expect(page.items.map((i) => [i.email, i.expired])).toEqual([
      ['three@example.com', true],
      ['one@example.com', true],
    ]);
    expect(await seatUsage(org)).toEqual({ limit: 3, used: 1 });
    const [four, five] = await inviteMembers(org, { ...delivery, emails: ['four@example.com', 'five@example.com'] });
    expect(four!.expiresAt).toEqual(new Date(clock.now.getTime() + 7 * DAY));

    // Reviving an expired invitation needs a seat again.
    await expect(resendInvitation(org, { ...delivery, memberId: first!.id })).rejects.toMatchObject({ code: 'limit_exceeded', details: { limit: 3, used: 3 } });
    await revokeInvitation(org, { memberId: five!.id });
    const revived = await resendInvitation(org, { ...delivery, memberId: first!.id });
    expect(revived).toMatchObject({ id: first!.id, expired: false, sentCount: 2, expiresAt: new Date(clock.now.getTime() + 7 * DAY), lastSentAt: clock.now });
    expect(await seatUsage(org)).toEqual({ limit: 3, used: 3 });
    expect(third).toBeDefined();
  });

  it('follows the organization invitation lifetime', async () => {
    const { org, clock } = await organization({ ttlHours: 48 });
    const [m] = await inviteMembers(org, { ...delivery, emails: ['ttl@example.com'] });
    expect(m!.expiresAt).toEqual(new Date(clock.now.getTime() + 48 * 3600_000));
    clock.now = new Date(clock.now.getTime() + 48 * 3600_000 - 1);
    expect((await listPendingInvitations(org, { limit: 1 })).items[0]!.expired).toBe(false);
    clock.now = new Date(clock.now.getTime() + 1);
    expect((await listPendingInvitations(org, { limit: 1 })).items[0]!.expired).toBe(true);
  });
});

describe(`pending invitations: list, resend, revoke on ${testDatabaseKind}`, () => {
  it('lists newest first, page by page, with what each invitation is at', async () => {
    const { org, clock } = await organization();
    const support = await team(org, 'Support');
    expect(support).toBeDefined();
    const admin = await actingMember(org, 'admin');
    const invited = [];
    for (const email of ['p1@example.com', 'p2@example.com', 'p3@example.com']) {
      invited.push(...(await inviteMembers(admin, { ...delivery, emails: [email], teams: ['Support'] })));
    }
    const viewer = await actingMember(org, 'viewer');
    const first = await listPendingInvitations(viewer, { limit: 2 });
    expect(first.items.map((i) => i.email)).toEqual(['p3@example.com', 'p2@example.com']);
    expect(first.items[0]).toEqual({
      id: invited[2]!.id,
      email: 'p3@example.com',
      status: 'invited',
      role: 'member',
      teams: ['Support'],
      expiresAt: new Date(clock.now.getTime() + 7 * DAY),
      expired: false,
      sentCount: 1,
      lastSentAt: clock.now,
      invitedBy: { type: 'member', id: admin.actor.id },
      createdAt: expect.any(Date),
    });
    expect(first.next).toBe(invited[1]!.id);
    const second = await listPendingInvitations(viewer, { limit: 2, after: first.next });
    expect(second).toEqual({ items: [expect.objectContaining({ email: 'p1@example.com' })], next: undefined });
    await expect(listPendingInvitations(org, { limit: 0 })).rejects.toMatchObject({ code: 'invalid_input' });
    await expect(listPendingInvitations(org, { limit: 5, after: 'nope' })).rejects.toMatchObject({ code: 'invalid_input', details: { field: 'cursor' } });
  });

  it('resends with a new link that kills the old one, a new expiry, and an audit entry', async () => {
    const { org, clock } = await organization();
    const [m] = await inviteMembers(org, { ...delivery, emails: ['again@example.com'] });
    const hashOf = async () => (await database.handle.db.select().from(schema.invitations).where(eq(schema.invitations.memberId, m!.id)))[0]!.tokenHash;
    const oldHash = await hashOf();
    clock.now = new Date(clock.now.getTime() + 2 * DAY);
    const resent = await resendInvitation(org, { ...delivery, memberId: m!.id.toUpperCase() });
    expect(resent).toMatchObject({ id: m!.id, sentCount: 2, expiresAt: new Date(clock.now.getTime() + 7 * DAY), expired: false });
    const newHash = await hashOf();
    expect(newHash).not.toBe(oldHash);
    const [count] = await database.handle.db.select({ n: sql<number>`count(*)::int` }).from(schema.invitations).where(eq(schema.invitations.tokenHash, oldHash));
    expect(count!.n).toBe(0);

    // The first email had not left yet: it is withdrawn, and only the new link goes out.
    const [only, ...others] = await outboxOf(org);
    expect(others).toEqual([]);
    expect(hashInvitationToken(tokenIn(only!.body.text) ?? '')).toBe(newHash);
    expect(only!.body.text).toContain('It replaces the link of any earlier invitation email, which no longer works.');
    // An email that has left stays in the outbox beside the next one.
    await markMailsSent(database.handle.db, [only!.id], 'log', clock.now);
    await resendInvitation(org, { ...delivery, memberId: m!.id });
    expect((await outboxOf(org)).map((mail) => [mail.id === only!.id, mail.sentVia])).toEqual(expect.arrayContaining([[true, 'log'], [false, null]]));
    expect(await outboxOf(org)).toHaveLength(2);
    const [audit] = await database.handle.db.select().from(schema.auditLog).where(and(eq(schema.auditLog.targetId, m!.id), eq(schema.auditLog.action, 'member.invitation_resent'))).orderBy(schema.auditLog.id);
    expect(audit).toMatchObject({ before: { sentCount: 1, expiresAt: m!.expiresAt.toISOString() }, after: { sentCount: 2, expiresAt: resent.expiresAt.toISOString() } });
  });

  it('revokes by removing the invited member, with an audit entry and a member.removed event', async () => {
    const { org } = await organization();
    await team(org, 'Ops');
    const [m] = await inviteMembers(org, { ...delivery, emails: ['gone@example.com'], teams: ['Ops'], role: 'viewer' });
    expect(await outboxOf(org)).toHaveLength(1);
    await revokeInvitation(org, { memberId: m!.id });
    const db = database.handle.db;
    // The invitation email had not left: it never will.
    expect(await outboxOf(org)).toEqual([]);
    expect(await db.select().from(schema.members).where(eq(schema.members.id, m!.id))).toEqual([]);
    expect(await db.select().from(schema.invitations).where(eq(schema.invitations.memberId, m!.id))).toEqual([]);
    expect(await db.select().from(schema.teamMembers).where(eq(schema.teamMembers.memberId, m!.id))).toEqual([]);
    const [audit] = await db.select().from(schema.auditLog).where(and(eq(schema.auditLog.targetId, m!.id), eq(schema.auditLog.action, 'member.removed')));
    expect(audit).toMatchObject({ details: { reason: 'invitation_revoked' }, before: { email: 'gone@example.com', status: 'invited', role: 'viewer', teams: ['Ops'] }, after: null });
    const events = await db.select({ type: schema.memberEvents.type, data: schema.memberEvents.data }).from(schema.memberEvents).where(eq(schema.memberEvents.memberId, m!.id)).orderBy(schema.memberEvents.id);
    expect(events).toEqual([
      { type: 'member.invited', data: expect.any(Object) },
      { type: 'member.removed', data: { reason: 'invitation_revoked', email: 'gone@example.com' } },
    ]);
    await expect(revokeInvitation(org, { memberId: m!.id })).rejects.toMatchObject({ code: 'not_found' });
    await expect(revokeInvitation(org, { memberId: 'not-a-uuid' })).rejects.toMatchObject({ code: 'not_found' });
  });

  it('acts only on members still invited, and only with members.manage', async () => {
    const { org } = await organization();
    const active = await actingMember(org, 'admin');
    const before = await written(database.handle.db, org);
    for (const attempt of [revokeInvitation(org, { memberId: active.actor.id }), resendInvitation(org, { ...delivery, memberId: active.actor.id })]) {
      await expect(attempt).rejects.toMatchObject({ code: 'conflict', message: `member ${active.actor.id} is active, not invited: there is no pending invitation to act on` });
    }
    const [m] = await inviteMembers(org, { ...delivery, emails: ['kept@example.com'] });
    const viewer = await actingMember(org, 'viewer');
    await expect(revokeInvitation(viewer, { memberId: m!.id })).rejects.toMatchObject({ code: 'forbidden' });
    await expect(resendInvitation(viewer, { ...delivery, memberId: m!.id })).rejects.toMatchObject({ code: 'forbidden' });
    const after = await written(database.handle.db, org);
    // The invitation and the viewer, nothing from the refusals.
    expect(after).toEqual({ members: before.members + 2, invitations: 1, audit: before.audit + 1, events: before.events + 1, mails: 1 });
  });
});
