/**
 * The audit log over the admin API: filters by actor, action, target and time that combine, pages
 * that neither repeat nor skip, CSV export, who may read it; and the member event feed in order.
 */
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { schema } from '../../src/db/index.ts';
import { recordMemberEvents } from '../../src/directory/index.ts';
import { newId } from '../../src/ids.ts';
import { call, memberCaller, operatorCaller } from '../support/admin-api.ts';
import { buildTestApp } from '../support/app.ts';
import { testDatabaseKind, useTestDatabase } from '../support/database.ts';
import { createTestOrganization } from '../support/factories.ts';

const database = useTestDatabase();

interface Entry {
  id: string;
  time: string;
  actor: { type: string; id: string };
  action: string;
  target: { type: string; id: string };
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
}
type Page = { data: Entry[]; nextCursor: string | null };

/** An organization with a known history: 30 entries one minute apart, from two actors. */
async function seeded() {
  const org = await createTestOrganization(database.handle);
  const alice = newId();
  const bob = newId();
  const start = Date.UTC(2026, 0, 1);
  const rows = Array.from({ length: 30 }, (_, i) => ({
    id: newId(),
    organizationId: org.organization.id,
    actorType: i % 3 === 0 ? 'api_key' : 'member',
    actorId: i % 3 === 0 ? 'key-1' : i % 2 === 0 ? alice : bob,
    action: i % 2 === 0 ? 'member.role_changed' : 'team.created',
    targetType: i % 2 === 0 ? 'member' : 'team',
    targetId: i % 2 === 0 ? bob : `team-${i}`,
    details: {},
    before: i % 2 === 0 ? { role: 'member' } : null,
    after: i % 2 === 0 ? { role: 'admin' } : { name: `Team ${i}` },
    createdAt: new Date(start + i * 60_000),
  }));
  await database.handle.db.insert(schema.auditLog).values(rows);
  return { org, slug: org.organization.slug, alice, bob, rows, start };
}

describe(`audit log API on ${testDatabaseKind}`, () => {
  it('filters by actor, action (or family), target and time, and the filters combine', async () => {
    const { app } = buildTestApp(database.handle);
    const operator = await operatorCaller(database.handle);
    const { slug, alice, bob, rows, start } = await seeded();
    const get = async (query: string) => (await call<Page>(app, operator, 'GET', `/organizations/${slug}/audit-log?limit=100&${query}`)).body.data;

    // Ignore the organization's own creation entry: count only the seeded ones.
    const seededIds = new Set(rows.map((r) => r.id));
    const all = (await get('')).filter((e) => seededIds.has(e.id));
    expect(all).toHaveLength(30);
    expect(all.map((e) => e.time)).toEqual([...all.map((e) => e.time)].sort().reverse());

    expect((await get(`actor=${alice}`)).every((e) => e.actor.id === alice)).toBe(true);
    expect(await get(`actor=${alice}`)).toHaveLength(rows.filter((r) => r.actorId === alice).length);
    expect(await get('action=team.created')).toHaveLength(15);
    expect(await get('action=member.*')).toHaveLength(15);
    expect((await get(`target=${bob}`)).every((e) => e.target.id === bob && e.before?.role === 'member' && e.after?.role === 'admin')).toBe(true);
    const since = new Date(start + 10 * 60_000).toISOString();
    const until = new Date(start + 20 * 60_000).toISOString();
    expect(await get(`since=${since}&until=${until}`)).toHaveLength(10);
    const combined = await get(`since=${since}&until=${until}&action=member.role_changed&actorType=member`);
    expect(combined.map((e) => e.id).sort()).toEqual(
      rows
        .filter((r, i) => i >= 10 && i < 20 && r.action === 'member.role_changed' && r.actorType === 'member')
        .map((r) => r.id)
        .sort(),
    );

    const bad = await call(app, operator, 'GET', `/organizations/${slug}/audit-log?since=yesterday`);
    expect(bad).toMatchObject({ status: 400, body: { code: 'invalid_input', field: 'since' } });
    expect((await call(app, operator, 'GET', `/organizations/${slug}/audit-log?action=DROP TABLE`)).status).toBe(400);
    expect((await call(app, operator, 'GET', `/organizations/${slug}/audit-log?cursor=bm9wZQ`)).status).toBe(400);
  });

  it('pages newest first with a cursor, neither repeating nor skipping an entry', async () => {
    const { app } = buildTestApp(database.handle);
    const operator = await operatorCaller(database.handle);
    const { slug, rows } = await seeded();
    const seen: string[] = [];
    let cursor: string | null = '';
    while (cursor !== null) {
      const page: Page = (await call<Page>(app, operator, 'GET', `/organizations/${slug}/audit-log?limit=7${cursor ? `&cursor=${cursor}` : ''}`)).body;
      expect(page.data.length).toBeLessThanOrEqual(7);
      seen.push(...page.data.map((e) => e.id));
      cursor = page.nextCursor;
    }
    expect(new Set(seen).size).toBe(seen.length);
    for (const row of rows) expect(seen).toContain(row.id);
  });

  it('exports the filtered log as CSV', async () => {
    const { app } = buildTestApp(database.handle);
    const operator = await operatorCaller(database.handle);
    const { slug, bob } = await seeded();
    const response = await app.request(`/api/v1/organizations/${slug}/audit-log/export?target=${bob}`, { headers: operator.headers });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(response.headers.get('content-disposition')).toBe(`attachment; filename="audit-${slug}.csv"`);
    const records = parse(await response.text(), { columns: true }) as Record<string, string>[];
    expect(records).toHaveLength(15);
    expect(records[0]).toMatchObject({ actor_type: expect.any(String), action: 'member.role_changed', target_type: 'member', target_id: bob });
    expect(JSON.parse(records[0]!.before!)).toEqual({ role: 'member' });
    expect(JSON.parse(records[0]!.after!)).toEqual({ role: 'admin' });
  });

  it('is read by owners and admins (audit.view); not by members, viewers or other organizations', async () => {
    const { app } = buildTestApp(database.handle);
    const { org, slug } = await seeded();
    const other = await createTestOrganization(database.handle);
    for (const [role, status] of [['owner', 200], ['admin', 200], ['member', 403], ['viewer', 403]] as const) {
      const caller = await memberCaller(database.handle, org, role);
      const response = await call(app, caller, 'GET', `/organizations/${slug}/audit-log`);
      expect(response.status, role).toBe(status);
      if (status === 403) expect(response.body).toMatchObject({ code: 'forbidden', permission: 'audit.view' });
      expect((await app.request(`/api/v1/organizations/${slug}/audit-log/export`, { headers: caller.headers })).status, role).toBe(status);
    }
    const outsider = await memberCaller(database.handle, other, 'owner');
    expect((await call(app, outsider, 'GET', `/organizations/${slug}/audit-log`)).status).toBe(404);
  });

  it('serves the member event feed in order, from a position on', async () => {
    const { app } = buildTestApp(database.handle);
    const org = await createTestOrganization(database.handle);
    const viewer = await memberCaller(database.handle, org, 'viewer');
    const memberId = newId();
    const types = ['member.invited', 'member.joined', 'member.role_changed', 'member.deactivated', 'member.reactivated'] as const;
    for (const type of types) await recordMemberEvents(database.handle.db, org, [{ type, memberId, data: { n: type } }]);

    type Feed = { data: { id: string; type: string; memberId: string; actor: { type: string } }[] };
    const first = await call<Feed>(app, viewer, 'GET', `/organizations/${org.organization.slug}/member-events?limit=2`);
    expect(first.status).toBe(200);
    expect(first.body.data.map((e) => e.type)).toEqual(types.slice(0, 2));
    expect(first.body.data[0]).toMatchObject({ memberId, actor: { type: 'operator' } });
    const rest = await call<Feed>(app, viewer, 'GET', `/organizations/${org.organization.slug}/member-events?after=${first.body.data[1]!.id}`);
    expect(rest.body.data.map((e) => e.type)).toEqual(types.slice(2));
    expect((await call(app, viewer, 'GET', `/organizations/${org.organization.slug}/member-events?after=x`)).status).toBe(400);
  });
});
