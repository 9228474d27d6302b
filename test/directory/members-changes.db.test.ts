/**
 * Member verbs below the API: a bulk deactivation of ten thousand members in a few statements,
 * two demotions racing for the last owner, last-seen updates at most every five minutes, and what
 * an app's token may read and never write.
 */
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { rowsOf, schema } from '../../src/db/index.ts';
import {
  bulkDeactivate,
  changeMemberRole,
  deactivateMember,
  emailKey,
  getMember,
  listMemberPage,
  lastSeenIsStale,
  touchLastSeen,
  type OrgContext,
} from '../../src/directory/index.ts';
import { isDomainError } from '../../src/errors.ts';
import { newId } from '../../src/ids.ts';
import { testDatabaseKind, useTestDatabase } from '../support/database.ts';
import { createTestOrganization } from '../support/factories.ts';

const database = useTestDatabase();

const count = async (query: ReturnType<typeof sql>) => rowsOf<{ n: number }>(await database.handle.db.execute(query))[0]?.n;

async function addMember(org: OrgContext, role = 'member'): Promise<string> {
  const id = newId();
  const email = `${role}-${id.slice(-12)}@example.com`;
  await database.handle.db.insert(schema.members).values({ id, organizationId: org.organization.id, email, emailKey: emailKey(email), role, source: 'admin' });
  return id;
}

describe(`member changes on ${testDatabaseKind}`, () => {
  it('deactivates 10,000 members at once: every session ended, every logout queued, every entry written', async () => {
    const org = await createTestOrganization(database.handle);
    const orgId = org.organization.id;
    const db = database.handle.db;
    // Made by the database itself: ten thousand members, each with an OP session and a console session.
    await db.execute(sql`
      insert into members (id, organization_id, email, email_key, role, source)
      select gen_random_uuid(), ${orgId}::uuid, 'bulk' || i || '@example.com', 'bulk' || i || '@example.com', 'member', 'scim'
      from generate_series(1, 10000) i`);
    await db.execute(sql`
      insert into oidc_provider_payloads (model, id, payload, account_id)
      select 'Session', 'bulk-' || m.id, '{}'::jsonb, m.id::text from members m where m.organization_id = ${orgId}::uuid`);
    await db.execute(sql`
      insert into console_sessions (id_hash, organization_id, member_id, expires_at)
      select 'bulk-' || m.id, m.organization_id, m.id, now() + interval '1 hour' from members m where m.organization_id = ${orgId}::uuid`);
    const apps = await count(sql`select count(*)::int as n from oidc_clients where backchannel_logout_uri is not null`);
    await db.insert(schema.oidcClients).values({
      clientId: `app_${newId()}`,
      name: 'Told',
      redirectUris: ['https://told.example.com/cb'],
      postLogoutRedirectUris: [],
      backchannelLogoutUri: 'https://told.example.com/logout',
      sealedSecret: 'v1.unused',
    });
    const ids = rowsOf<{ id: string }>(await db.execute(sql`select id from members where organization_id = ${orgId}::uuid`)).map((r) => r.id);
    expect(ids).toHaveLength(10_000);

    const done = await bulkDeactivate(org, { ids });
    expect(done.results.every((r) => r.result === 'changed')).toBe(true);
    expect(done.sessionsEnded).toBe(20_000);
    expect(done.logoutsQueued).toBe(10_000 * ((apps ?? 0) + 1));
    expect(await count(sql`select count(*)::int as n from members where organization_id = ${orgId}::uuid and status = 'deactivated'`)).toBe(10_000);
    expect(await count(sql`select count(*)::int as n from oidc_provider_payloads where id like 'bulk-%'`)).toBe(0);
    expect(await count(sql`select count(*)::int as n from console_sessions where organization_id = ${orgId}::uuid`)).toBe(0);
    expect(await count(sql`select count(*)::int as n from audit_log where organization_id = ${orgId}::uuid and action = 'member.deactivated'`)).toBe(10_000);
    expect(await count(sql`select count(*)::int as n from member_events where organization_id = ${orgId}::uuid and type = 'member.deactivated'`)).toBe(10_000);
  }, 120_000);

  it('lets only one of two racing demotions take the last other owner away', async () => {
    const org = await createTestOrganization(database.handle);
    const [first, second] = [await addMember(org, 'owner'), await addMember(org, 'owner')];
    const outcomes = await Promise.allSettled([changeMemberRole(org, first, 'admin'), changeMemberRole(org, second, 'admin')]);
    expect(outcomes.map((o) => o.status).sort()).toEqual(['fulfilled', 'rejected']);
    const refused = outcomes.find((o) => o.status === 'rejected') as PromiseRejectedResult;
    expect(isDomainError(refused.reason) && refused.reason.code).toBe('precondition_failed');
    expect(await count(sql`select count(*)::int as n from members where organization_id = ${org.organization.id} and role = 'owner' and status = 'active'`)).toBe(1);

    // The same race between a deactivation and a demotion.
    const third = await addMember(org, 'owner');
    const [remaining] = rowsOf<{ id: string }>(await database.handle.db.execute(sql`select id from members where organization_id = ${org.organization.id} and role = 'owner' and id <> ${third}`));
    const raced = await Promise.allSettled([deactivateMember(org, remaining!.id), changeMemberRole(org, third, 'viewer')]);
    expect(raced.map((o) => o.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect(await count(sql`select count(*)::int as n from members where organization_id = ${org.organization.id} and role = 'owner' and status = 'active'`)).toBe(1);
  });

  it('updates last seen at most every five minutes', async () => {
    const org = await createTestOrganization(database.handle);
    const id = await addMember(org);
    const t0 = new Date(Date.UTC(2030, 0, 1, 12, 0, 0));
    const at = (minutes: number) => new Date(t0.getTime() + minutes * 60_000);
    expect(await touchLastSeen(database.handle.db, org.organization.id, id, t0)).toBe(true);
    expect(await touchLastSeen(database.handle.db, org.organization.id, id, at(4.9))).toBe(false);
    expect((await getMember(org, id)).lastSeenAt).toEqual(t0);
    // What callers that already hold the row ask first, to spend no statement within the interval.
    expect([lastSeenIsStale(null, t0), lastSeenIsStale(t0, at(4.9)), lastSeenIsStale(t0, at(5))]).toEqual([true, false, true]);
    expect(await touchLastSeen(database.handle.db, org.organization.id, id, at(5.1))).toBe(true);
    expect((await getMember(org, id)).lastSeenAt).toEqual(at(5.1));
    // Another organization's id touches nothing.
    const other = await createTestOrganization(database.handle);
    expect(await touchLastSeen(database.handle.db, other.organization.id, id, at(60))).toBe(false);
  });

  it('lets an app read members with members:read, and change nothing', async () => {
    const org = await createTestOrganization(database.handle);
    const id = await addMember(org);
    const app = (scopes: string[]): OrgContext => ({ ...org, actor: { type: 'app', id: 'app_test', scopes: new Set(scopes) } });
    expect((await listMemberPage(app(['members:read']))).members.map((m) => m.id)).toEqual([id]);
    await expect(listMemberPage(app(['teams:read']))).rejects.toMatchObject({ code: 'forbidden' });
    await expect(deactivateMember(app(['members:read']), id)).rejects.toMatchObject({ code: 'forbidden' });
    await expect(changeMemberRole(app(['members:read']), id, 'admin')).rejects.toMatchObject({ code: 'forbidden' });
  });
});
