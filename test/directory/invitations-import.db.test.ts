import { count, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { schema } from '../../src/db/index.ts';
import { emailKey, hashInvitationToken, importInvitations, memberActor, openMailBody, parseInvitationCsv, type OrgContext } from '../../src/directory/index.ts';
import { newId } from '../../src/ids.ts';
import { SecretBox } from '../../src/secrets/index.ts';
import { testDatabaseKind, useTestDatabase } from '../support/database.ts';
import { createTestOrganization } from '../support/factories.ts';

const database = useTestDatabase();
const box = SecretBox.fromSecrets('invitation-test-secret-invitation-test-0123');
const delivery = { box, publicUrl: 'https://id.example.com' };

async function organization(seats?: number): Promise<OrgContext> {
  const org = await createTestOrganization(database.handle);
  if (seats !== undefined) await database.handle.db.update(schema.organizations).set({ seatLimit: seats }).where(eq(schema.organizations.id, org.organization.id));
  return org;
}

async function member(org: OrgContext, email: string, role: string, status: 'active' | 'deactivated' = 'active') {
  const id = newId();
  await database.handle.db.insert(schema.members).values({ id, organizationId: org.organization.id, email, emailKey: emailKey(email), role, source: 'admin', status });
  return id;
}

async function tally(org: OrgContext) {
  const n = async (table: typeof schema.invitations | typeof schema.auditLog | typeof schema.memberEvents | typeof schema.mailOutbox) =>
    (await database.handle.db.select({ n: count() }).from(table).where(eq(table.organizationId, org.organization.id)))[0]!.n;
  return { invitations: await n(schema.invitations), audit: await n(schema.auditLog), events: await n(schema.memberEvents), mails: await n(schema.mailOutbox) };
}

describe(`CSV invitation import on ${testDatabaseKind}`, () => {
  it('invites the valid rows and says of every other row why not, in file order', async () => {
    const org = await organization(5);
    await database.handle.db.insert(schema.teams).values([
      { id: newId(), organizationId: org.organization.id, name: 'Tier 2', nameKey: 'tier 2' },
      { id: newId(), organizationId: org.organization.id, name: 'Billing', nameKey: 'billing' },
    ]);
    const activeId = await member(org, 'taken@example.com', 'member');
    const adminId = await member(org, 'boss@example.com', 'admin');
    const admin = { ...org, actor: (await memberActor(database.handle.db, org.organization.id, adminId))! };
    const before = await tally(org);
    const csv = [
      'Email, Role ,teams',
      'ada@example.com,admin,Tier 2;billing',
      'not-an-address,member,',
      '',
      'ADA@example.com,,',
      'TAKEN@example.com,,',
      'grace@example.com,wizard,',
      'linus@example.com,owner,',
      'ken@example.com,member,Tier 2;Tier 9',
      '"dennis@example.com",Viewer,',
      'bjarne@example.com,,',
      'guido@example.com,,',
      'james@example.com,,',
    ].join('\r\n');

    const results = await importInvitations(admin, { ...delivery, csv });
    expect(results.map((r) => [r.row, r.email, r.result])).toEqual([
      [2, 'ada@example.com', 'invited'],
      [3, 'not-an-address', 'invalid_email'],
      [5, 'ADA@example.com', 'duplicate_in_file'],
      [6, 'TAKEN@example.com', 'already_member'],
      [7, 'grace@example.com', 'unknown_role'],
      [8, 'linus@example.com', 'forbidden_role'],
      [9, 'ken@example.com', 'unknown_team'],
      [10, 'dennis@example.com', 'invited'],
      [11, 'bjarne@example.com', 'invited'],
      [12, 'guido@example.com', 'over_seat_limit'],
      [13, 'james@example.com', 'over_seat_limit'],
    ]);
    const byRow = new Map(results.map((r) => [r.row, r]));
    expect(byRow.get(3)!.detail).toBe('"not-an-address" is not an email address (expected e.g. ada@example.com)');
    expect(byRow.get(5)!.detail).toBe('the same address as line 2, which is the one used');
    expect(byRow.get(6)!.detail).toBe(`already a member (member ${activeId})`);
    expect(byRow.get(7)!.detail).toBe('no role "wizard" in this organization (roles: admin, member, owner, viewer)');
    expect(byRow.get(8)!.detail).toBe('only an owner may invite someone as owner');
    expect(byRow.get(9)!.detail).toBe('no team "Tier 9" in this organization');
    expect(byRow.get(12)!.detail).toBe("no free seat left: 2 of the organization's 5 seats were in use and the 3 rows above took the rest");
    expect(byRow.get(2)).toEqual({ row: 2, email: 'ada@example.com', result: 'invited', detail: 'invitation sent', id: expect.any(String), expiresAt: expect.any(Date) });
    expect(byRow.get(3)).not.toHaveProperty('id');

    // Invited rows are members with their role and teams, each with one invitation, audit entry, event and email.
    const invited = results.filter((r) => r.result === 'invited');
    const rows = await database.handle.db.select().from(schema.members).where(eq(schema.members.organizationId, org.organization.id));
    const ada = rows.find((r) => r.id === byRow.get(2)!.id)!;
    expect(ada).toMatchObject({ status: 'invited', role: 'admin', source: 'invitation' });
    expect(rows.find((r) => r.id === byRow.get(10)!.id)).toMatchObject({ email: 'dennis@example.com', role: 'viewer' });
    const teams = await database.handle.db.select({ teamId: schema.teamMembers.teamId }).from(schema.teamMembers).where(eq(schema.teamMembers.memberId, ada.id));
    expect(teams).toHaveLength(2);
    expect(await tally(org)).toEqual({ invitations: 3, audit: before.audit + 3, events: before.events + 3, mails: 3 });

    // Each email's link opens its own invitation.
    const mails = await database.handle.db.select().from(schema.mailOutbox).where(eq(schema.mailOutbox.organizationId, org.organization.id));
    const hashes = new Set((await database.handle.db.select({ h: schema.invitations.tokenHash }).from(schema.invitations).where(eq(schema.invitations.organizationId, org.organization.id))).map((r) => r.h));
    for (const mail of mails) {
      const token = /\/invitations\/([A-Za-z0-9_-]{43})/.exec(openMailBody(box, mail.id, mail.bodySealed).text)?.[1];
      expect(hashes.has(hashInvitationToken(token!))).toBe(true);
    }
    expect(mails.map((m) => m.toAddress).sort()).toEqual(invited.map((r) => r.email).sort());

    // Importing again finds them all invited already.
    const again = await importInvitations(admin, { ...delivery, csv: 'email\nada@example.com\n' });
    expect(again).toEqual([{ row: 2, email: 'ada@example.com', result: 'already_member', detail: `already invited (member ${ada.id}): resend that invitation instead` }]);
  });

  it('refuses a file that is not one, as a whole and with a clear reason', async () => {
    const org = await organization();
    const cases: [string, RegExp][] = [
      ['', /^the file is empty: its first line must be the header "email,role,teams"$/],
      ['role,teams\nadmin,\n', /^the header has no "email" column/],
      ['email,name\na@example.com,Ada\n', /^unknown column "name" in the header; the columns are email, role, teams/],
      ['email,email\na@example.com,b@example.com\n', /^the column "email" appears twice/],
      ['email,role\n"a@example.com,admin\n', /^the file is not valid CSV: Quote Not Closed/],
      ['email,role\na@example.com,admin,Tier 2\n', /^line 2 has more cells than the header names \(email, role\); quote values that hold commas$/],
      [`email\n${Array.from({ length: 10_001 }, (_, i) => `u${i}@example.com`).join('\n')}\n`, /^the file has 10001 rows; at most 10000 are imported at once: split it$/],
    ];
    for (const [csv, message] of cases) {
      await expect(importInvitations(org, { ...delivery, csv }), csv.slice(0, 40)).rejects.toMatchObject({ code: 'invalid_input', message: expect.stringMatching(message) });
    }
    // Trailing empty cells (spreadsheet exports) and a header alone are fine.
    expect(parseInvitationCsv('email,role,teams,,\n')).toEqual([]);
    expect(parseInvitationCsv('\ufeffemail,role,teams\na@example.com,,,\n')).toEqual([{ line: 2, email: 'a@example.com', role: 'member', teams: [] }]);
    expect(await tally(org)).toMatchObject({ invitations: 0, mails: 0 });
  });

  it('needs members.manage', async () => {
    const org = await organization();
    const viewerId = await member(org, 'viewer@example.com', 'viewer');
    const viewer = { ...org, actor: (await memberActor(database.handle.db, org.organization.id, viewerId))! };
    await expect(importInvitations(viewer, { ...delivery, csv: 'email\na@example.com\n' })).rejects.toMatchObject({ code: 'forbidden' });
  });

  it('invites ten thousand rows, with their emails, in a few statements', { timeout: 120_000 }, async () => {
    const org = await organization();
    await database.handle.db.insert(schema.teams).values({ id: newId(), organizationId: org.organization.id, name: 'Everyone', nameKey: 'everyone' });
    const csv = `email,role,teams\n${Array.from({ length: 10_000 }, (_, i) => `person.${i}@bulk.example.com,member,Everyone`).join('\n')}\n`;
    const results = await importInvitations(org, { ...delivery, csv });
    expect(results).toHaveLength(10_000);
    expect(results.filter((r) => r.result !== 'invited')).toEqual([]);
    expect(await tally(org)).toEqual({ invitations: 10_000, audit: 10_001, events: 10_000, mails: 10_000 });
    const [members] = await database.handle.db.select({ n: count() }).from(schema.teamMembers).where(eq(schema.teamMembers.organizationId, org.organization.id));
    expect(members!.n).toBe(10_000);
  });
});
