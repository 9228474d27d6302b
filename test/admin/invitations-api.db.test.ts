import { count, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { schema } from '../../src/db/index.ts';
import { hashInvitationToken, openMailBody, type OrgContext } from '../../src/directory/index.ts';
import { newId } from '../../src/ids.ts';
import { SecretBox } from '../../src/secrets/index.ts';
import { call, memberCaller, operatorCaller, type Caller } from '../support/admin-api.ts';
import { buildTestApp, TEST_PUBLIC_URL, TEST_SECRET } from '../support/app.ts';
import { testDatabaseKind, useTestDatabase } from '../support/database.ts';
import { createTestOrganization } from '../support/factories.ts';

const database = useTestDatabase();
const DAY = 24 * 3600_000;

/** The app with a clock the test moves, an organization, and an operator. */
async function setup(options: { seats?: number } = {}) {
  const clock = { now: new Date('2026-05-04T08:30:00.000Z') };
  const { app } = buildTestApp(database.handle, {}, undefined, { clock: () => clock.now });
  const org = await createTestOrganization(database.handle);
  if (options.seats !== undefined) await database.handle.db.update(schema.organizations).set({ seatLimit: options.seats }).where(eq(schema.organizations.id, org.organization.id));
  const operator = await operatorCaller(database.handle);
  const base = `/organizations/${org.organization.slug}/invitations`;
  return { app, org, clock, operator, base };
}

type Invited = { id: string; email: string; status: string; role: string; teams: string[]; expiresAt: string };
type Pending = Invited & { expired: boolean; sentCount: number; lastSentAt: string; invitedBy: { type: string; id: string }; createdAt: string };

async function changesOf(org: OrgContext) {
  const n = async (table: typeof schema.members | typeof schema.auditLog | typeof schema.memberEvents | typeof schema.mailOutbox) =>
    (await database.handle.db.select({ n: count() }).from(table).where(eq(table.organizationId, org.organization.id)))[0]!.n;
  return { members: await n(schema.members), audit: await n(schema.auditLog), events: await n(schema.memberEvents), mails: await n(schema.mailOutbox) };
}

async function tokenHashOf(memberId: string): Promise<string | undefined> {
  const [row] = await database.handle.db.select({ hash: schema.invitations.tokenHash }).from(schema.invitations).where(eq(schema.invitations.memberId, memberId));
  return row?.hash;
}

describe(`invitations over the admin API on ${testDatabaseKind}`, () => {
  it('invites, lists, resends and revokes, answering the documented JSON', async () => {
    const { app, org, clock, operator, base } = await setup();
    await database.handle.db.insert(schema.teams).values({ id: newId(), organizationId: org.organization.id, name: 'Tier 2', nameKey: 'tier 2' });

    const created = await call<{ data: Invited[] }>(app, operator, 'POST', base, { emails: ['ada@acme.test', 'grace@acme.test'], role: 'admin', teams: ['Tier 2'] });
    expect(created.status).toBe(201);
    const expiresAt = new Date(clock.now.getTime() + 7 * DAY).toISOString();
    expect(created.body.data).toEqual([
      { id: expect.any(String), email: 'ada@acme.test', status: 'invited', role: 'admin', teams: ['Tier 2'], expiresAt },
      { id: expect.any(String), email: 'grace@acme.test', status: 'invited', role: 'admin', teams: ['Tier 2'], expiresAt },
    ]);
    expect(Object.keys(created.body.data[0]!)).toEqual(['id', 'email', 'status', 'role', 'teams', 'expiresAt']);
    const [ada, grace] = created.body.data;

    // Pages newest first, with an opaque cursor.
    const first = await call<{ data: Pending[]; nextCursor: string | null }>(app, operator, 'GET', `${base}?limit=1`);
    expect(first.status).toBe(200);
    expect(first.body.data).toEqual([
      {
        ...grace,
        expired: false,
        sentCount: 1,
        lastSentAt: clock.now.toISOString(),
        invitedBy: { type: 'api_key', id: expect.any(String) },
        createdAt: expect.any(String),
      },
    ]);
    const second = await call<{ data: Pending[]; nextCursor: string | null }>(app, operator, 'GET', `${base}?limit=1&cursor=${first.body.nextCursor}`);
    expect(second.body).toEqual({ data: [expect.objectContaining({ id: ada!.id })], nextCursor: null });
    const badCursor = await call(app, operator, 'GET', `${base}?cursor=bm9wZQ`);
    expect(badCursor).toMatchObject({ status: 400, body: { code: 'invalid_input', field: 'cursor' } });

    // Resending two days later: a new link and expiry; the old link's hash is gone.
    const oldHash = await tokenHashOf(ada!.id);
    clock.now = new Date(clock.now.getTime() + 2 * DAY);
    const resent = await call<Pending>(app, operator, 'POST', `${base}/${ada!.id}/resend`);
    expect(resent.status).toBe(200);
    expect(resent.body).toMatchObject({ id: ada!.id, sentCount: 2, expired: false, expiresAt: new Date(clock.now.getTime() + 7 * DAY).toISOString(), lastSentAt: clock.now.toISOString() });
    expect(await tokenHashOf(ada!.id)).not.toBe(oldHash);
    const [{ n: oldLinks }] = (await database.handle.db.select({ n: count() }).from(schema.invitations).where(eq(schema.invitations.tokenHash, oldHash!))) as [{ n: number }];
    expect(oldLinks).toBe(0);

    const revoked = await call(app, operator, 'DELETE', `${base}/${grace!.id}`);
    expect(revoked).toMatchObject({ status: 200, body: { id: grace!.id, email: 'grace@acme.test', revoked: true } });
    expect((await call(app, operator, 'DELETE', `${base}/${grace!.id}`)).status).toBe(404);
    expect((await call(app, operator, 'POST', `${base}/${newId()}/resend`)).status).toBe(404);
    expect((await call(app, operator, 'DELETE', `${base}/not-a-uuid`)).status).toBe(400);
    const listed = await call<{ data: Pending[] }>(app, operator, 'GET', base);
    expect(listed.body.data.map((i) => i.id)).toEqual([ada!.id]);
  });

  it('answers bad input with problem details naming what is wrong, and writes nothing', async () => {
    const { app, org, operator, base } = await setup();
    const before = await changesOf(org);
    const bad = await call(app, operator, 'POST', base, { emails: ['ada@acme.test', 'nope'] });
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toBe('application/problem+json');
    expect(bad.body).toMatchObject({ code: 'invalid_input', detail: '"nope" is not an email address (expected e.g. ada@example.com)', field: 'emails', email: 'nope' });
    expect(await call(app, operator, 'POST', base, { emails: [] })).toMatchObject({ status: 400, body: { code: 'invalid_input', errors: [{ field: 'emails' }] } });
    expect(await call(app, operator, 'POST', base, { emails: ['x@acme.test'], role: 'boss' })).toMatchObject({ status: 400, body: { detail: expect.stringMatching(/^no role "boss"/) } });
    expect(await call(app, operator, 'POST', base, { emails: ['x@acme.test'], teams: ['Ghosts'] })).toMatchObject({ status: 400, body: { team: 'Ghosts' } });
    expect(await changesOf(org)).toEqual(before);

    const [invited] = (await call<{ data: Invited[] }>(app, operator, 'POST', base, { emails: ['x@acme.test'] })).body.data;
    const again = await call(app, operator, 'POST', base, { emails: ['X@ACME.test'] });
    expect(again).toMatchObject({ status: 409, body: { code: 'conflict', detail: `nothing was invited: X@ACME.test is already invited (member ${invited!.id}): resend that invitation instead` } });
    const active = await memberCaller(database.handle, org, 'member');
    expect((await call(app, operator, 'POST', `${base}/${active.id}/resend`)).status).toBe(409);
    expect((await call(app, operator, 'DELETE', `${base}/${active.id}`)).status).toBe(409);
  });

  it('lets admins invite, not as owner, and viewers not at all; a member of another organization is not found', async () => {
    const { app, org, base } = await setup();
    const viewer = await memberCaller(database.handle, org, 'viewer');
    const admin = await memberCaller(database.handle, org, 'admin');
    const owner = await memberCaller(database.handle, org, 'owner');
    const before = await changesOf(org);

    const byViewer = await call(app, viewer, 'POST', base, { emails: ['v@acme.test'] });
    expect(byViewer).toMatchObject({ status: 403, body: { code: 'forbidden', permission: 'members.manage' } });
    const ownerByAdmin = await call(app, admin, 'POST', base, { emails: ['o@acme.test'], role: 'owner' });
    expect(ownerByAdmin).toMatchObject({ status: 403, body: { code: 'forbidden', detail: 'only an owner may invite someone as owner' } });
    expect(await changesOf(org)).toEqual(before);

    const byAdmin = await call<{ data: Invited[] }>(app, admin, 'POST', base, { emails: ['a@acme.test'], role: 'admin' });
    expect(byAdmin.status).toBe(201);
    expect((await call(app, owner, 'POST', base, { emails: ['o@acme.test'], role: 'owner' })).status).toBe(201);
    // The viewer reads the pending invitations but may not resend or revoke them.
    const listed = await call<{ data: Pending[] }>(app, viewer, 'GET', base);
    expect(listed.body.data.map((i) => [i.email, i.invitedBy.type])).toEqual([
      ['o@acme.test', 'member'],
      ['a@acme.test', 'member'],
    ]);
    expect((await call(app, viewer, 'POST', `${base}/${byAdmin.body.data[0]!.id}/resend`)).status).toBe(403);
    expect((await call(app, viewer, 'DELETE', `${base}/${byAdmin.body.data[0]!.id}`)).status).toBe(403);

    // An owner of another organization sees neither it nor its invitations.
    const other = await createTestOrganization(database.handle);
    const outsider = await memberCaller(database.handle, other, 'owner');
    for (const [method, path, body] of [
      ['GET', base, undefined],
      ['POST', base, { emails: ['x@acme.test'] }],
      ['POST', `${base}/${byAdmin.body.data[0]!.id}/resend`, undefined],
      ['DELETE', `${base}/${byAdmin.body.data[0]!.id}`, undefined],
    ] as const) {
      expect(await call(app, outsider, method, path, body), `${method} ${path}`).toMatchObject({ status: 404, body: { code: 'not_found' } });
    }
    const csv = await app.request(`/api/v1${base}/import`, { method: 'POST', headers: { ...outsider.headers, 'Content-Type': 'text/csv' }, body: 'email\nx@acme.test\n' });
    expect(csv.status).toBe(404);
  });

  it('refuses invitations beyond the seats with 429 and the limit; expiry and revocation free seats', async () => {
    const { app, org, clock, operator, base } = await setup({ seats: 2 });
    await memberCaller(database.handle, org, 'owner');
    const [first] = (await call<{ data: Invited[] }>(app, operator, 'POST', base, { emails: ['one@acme.test'] })).body.data;

    const before = await changesOf(org);
    const full = await call(app, operator, 'POST', base, { emails: ['two@acme.test'] });
    expect(full.status).toBe(429);
    expect(full.body).toMatchObject({ code: 'limit_exceeded', limit: 2, used: 2, requested: 1, detail: expect.stringContaining('2 of the organization\'s 2 seats are in use') });
    expect(await changesOf(org)).toEqual(before);

    // Seven days on the invitation has expired: listed so, and its seat is free.
    clock.now = new Date(clock.now.getTime() + 7 * DAY);
    const listed = await call<{ data: Pending[] }>(app, operator, 'GET', base);
    expect(listed.body.data).toEqual([expect.objectContaining({ id: first!.id, expired: true })]);
    const [second] = (await call<{ data: Invited[] }>(app, operator, 'POST', base, { emails: ['two@acme.test'] })).body.data;
    expect(second).toBeDefined();
    // Reviving the expired one needs a seat again.
    expect(await call(app, operator, 'POST', `${base}/${first!.id}/resend`)).toMatchObject({ status: 429, body: { limit: 2, used: 2 } });
    // Revoking frees one at once.
    expect((await call(app, operator, 'DELETE', `${base}/${second!.id}`)).status).toBe(200);
    expect(await call(app, operator, 'POST', `${base}/${first!.id}/resend`)).toMatchObject({ status: 200, body: { expired: false, sentCount: 2 } });
  });

  it('imports a CSV body row by row and refuses what is not a CSV upload', async () => {
    const { app, org, operator, base } = await setup({ seats: 3 });
    await database.handle.db.insert(schema.teams).values({ id: newId(), organizationId: org.organization.id, name: 'Ops', nameKey: 'ops' });
    const send = (body: string, contentType = 'text/csv; charset=utf-8', caller: Caller = operator) =>
      app.request(`/api/v1${base}/import`, { method: 'POST', headers: { ...caller.headers, 'Content-Type': contentType }, body });
    const csv = ['email,role,teams', 'a@acme.test,admin,Ops', 'bad address,,', 'A@acme.test,,', 'b@acme.test,ghost,', 'c@acme.test,,Nowhere', 'd@acme.test,viewer,', 'e@acme.test,,', 'f@acme.test,,'].join('\n');
    const response = await send(csv);
    expect(response.status).toBe(200);
    const { results } = (await response.json()) as { results: { row: number; email: string; result: string; detail: string; id?: string; expiresAt?: string }[] };
    expect(results.map((r) => [r.row, r.result])).toEqual([
      [2, 'invited'],
      [3, 'invalid_email'],
      [4, 'duplicate_in_file'],
      [5, 'unknown_role'],
      [6, 'unknown_team'],
      [7, 'invited'],
      [8, 'invited'],
      [9, 'over_seat_limit'],
    ]);
    expect(Object.keys(results[0]!)).toEqual(['row', 'email', 'result', 'detail', 'id', 'expiresAt']);
    expect(Object.keys(results[1]!)).toEqual(['row', 'email', 'result', 'detail']);
    const pending = await call<{ data: Pending[] }>(app, operator, 'GET', base);
    expect(pending.body.data.map((p) => p.email).sort()).toEqual(['a@acme.test', 'd@acme.test', 'e@acme.test']);

    const asJson = await send(JSON.stringify({ csv }), 'application/json');
    expect(asJson.status).toBe(400);
    expect(await asJson.json()).toMatchObject({ code: 'invalid_input', detail: 'send the file as the request body with Content-Type: text/csv (got application/json)' });
    const noHeader = await send('x@acme.test\n');
    expect(await noHeader.json()).toMatchObject({ code: 'invalid_input', detail: expect.stringMatching(/^unknown column "x@acme.test"/) });
    const viewer = await memberCaller(database.handle, org, 'viewer');
    expect((await send(csv, 'text/csv', viewer)).status).toBe(403);
  });

  it('emails each invited person a sealed link to their own invitation', async () => {
    const { app, org, operator, base } = await setup();
    const [invited] = (await call<{ data: Invited[] }>(app, operator, 'POST', base, { emails: ['link@acme.test'] })).body.data;
    const [mail] = await database.handle.db.select().from(schema.mailOutbox).where(eq(schema.mailOutbox.organizationId, org.organization.id));
    expect(mail).toMatchObject({ kind: 'invitation', toAddress: 'link@acme.test', subject: `You are invited to join Org ${org.organization.slug}`, sentAt: null });
    const body = openMailBody(SecretBox.fromSecrets(TEST_SECRET), mail!.id, mail!.bodySealed);
    const token = new RegExp(`${TEST_PUBLIC_URL}/invitations/([A-Za-z0-9_-]{43})`).exec(body.text)?.[1];
    expect(hashInvitationToken(token!)).toBe(await tokenHashOf(invited!.id));
  });
});
