/**
 * `--only=admin`: the admin API on a large organization. An organization of 100,000 members (made
 * in SQL: what is measured is reading and changing them, not making them), then:
 *
 * - listing and searching at concurrency 8: first pages with a filter, searches by the start of
 *   an email or name, and deeper pages by cursor; target p99 ≤ 50 ms per page;
 * - a 10,000-row CSV invite through POST …/invitations/import, with its per-row results and
 *   10,000 emails queued; target ≤ 10 s;
 * - a bulk deactivate of 10,000 members who each hold an OpenID Provider session and a console
 *   session, all revoked in the same request; target ≤ 5 s.
 *
 * A Roster of its own on the run's database, set up through the CLI as an operator would.
 */
import { connect, type Sql } from './database.ts';
import { runLoad, sendOnce, type HttpRequest } from './load.ts';
import { mulberry32 } from './measure.ts';
import { rosterCli, startOwnRoster, stopOwnRoster, type OwnRosterRun, type Started } from './processes.ts';
import { heading, ms, printMeasurement, say } from './report.ts';

const MEMBERS = 100_000;
const TEAMS = 40;
const CONCURRENCY = 8;
const CSV_ROWS = 10_000;
const BULK = 10_000;
const ORG = 'admin-bench';

const TARGET_PAGE_P99_MS = 50;
const TARGET_CSV_S = 10;
const TARGET_BULK_S = 5;

const GIVEN = ['Ada', 'Alan', 'Grace', 'Linus', 'Barbara', 'Edsger', 'Margaret', 'Ken', 'Dennis', 'Frances', 'John', 'Radia', 'Tim', 'Donald', 'Hedy', 'Katherine'];
const FAMILY = ['Lovelace', 'Turing', 'Hopper', 'Torvalds', 'Liskov', 'Dijkstra', 'Hamilton', 'Thompson', 'Ritchie', 'Allen', 'McCarthy', 'Perlman', 'Berners-Lee', 'Knuth', 'Lamarr', 'Johnson'];

export async function adminScenario(run: OwnRosterRun): Promise<void> {
  heading(`Admin API: an organization of ${MEMBERS.toLocaleString('en-US')} members`);
  const roster = await startOwnRoster(run, 'roster-admin.log');
  const sql = connect(run.databaseUrl, 2);
  try {
    const cli = (args: string[]) => rosterCli(args, { databaseUrl: run.databaseUrl, secret: run.secret, publicUrl: roster.origin });
    const org = (await cli(['org', 'create', '--slug', ORG, '--name', 'Admin Bench Inc'])) as { id: string };
    const { key } = (await cli(['api-key', 'create', '--name', 'bench'])) as { key: string };
    const auth = { Authorization: `Bearer ${key}` };
    const seededIn = await seedMembers(sql, org.id);
    say(`${MEMBERS.toLocaleString('en-US')} members in ${TEAMS} teams seeded in SQL in ${(seededIn / 1000).toFixed(1)} s (VACUUM ANALYZE run after)`);

    await measureListing(run, roster, auth);
    await measureCsvInvite(run, roster, auth);
    await measureBulkDeactivate(run, roster, auth, sql, org.id);
  } finally {
    await sql.end({ timeout: 5 }).catch(() => {});
    await stopOwnRoster(run, roster);
  }
}

async function seedMembers(sql: Sql, organizationId: string): Promise<number> {
  const t0 = performance.now();
  const given = GIVEN.join(',');
  const family = FAMILY.join(',');
  await sql`
    insert into members (id, organization_id, email, email_key, email_verified, given_name, family_name, status, role, source, created_at, updated_at)
    select gen_random_uuid(), ${organizationId}, e, e, true, g, f,
           case when i % 50 = 0 then 'deactivated' else 'active' end,
           case when i = 1 then 'owner' when i % 100 = 0 then 'admin' when i % 10 = 0 then 'viewer' else 'member' end,
           'jit', now() - (i || ' minutes')::interval, now()
    from (
      select i, lower((string_to_array(${given}, ','))[1 + (i * 7) % ${GIVEN.length}] || '.' || (string_to_array(${family}, ','))[1 + (i * 13) % ${FAMILY.length}] || '.' || i || '@bench.example') as e,
             (string_to_array(${given}, ','))[1 + (i * 7) % ${GIVEN.length}] as g, (string_to_array(${family}, ','))[1 + (i * 13) % ${FAMILY.length}] as f
      from generate_series(1, ${MEMBERS}) as i
    ) s`;
  await sql`
    insert into teams (id, organization_id, name, name_key, created_at, updated_at)
    select gen_random_uuid(), ${organizationId}, 'Team ' || t, 'team ' || t, now(), now() from generate_series(1, ${TEAMS}) t`;
  // Everyone in one team, one member in five in a second.
  await sql`
    insert into team_members (organization_id, team_id, member_id, role)
    select m.organization_id, t.id, m.id, 'member'
    from (select id, organization_id, row_number() over (order by id) as n from members where organization_id = ${organizationId}) m
    join (select id, row_number() over (order by name) as n from teams where organization_id = ${organizationId}) t
      on t.n = 1 + m.n % ${TEAMS} or (m.n % 5 = 0 and t.n = 1 + (m.n / 5) % ${TEAMS})
    on conflict do nothing`;
  // A table that lives in a deployment is vacuumed by autovacuum (on for this run) long before its
  // lists are read; one made a second ago is not yet, so the seed does what autovacuum would.
  await sql`vacuum analyze members`;
  await sql`vacuum analyze team_members`;
  await sql`vacuum analyze teams`;
  return performance.now() - t0;
}

/** First pages with a filter, searches, and deeper pages by cursor, at concurrency 8. */
async function measureListing(run: OwnRosterRun, roster: Started, auth: Record<string, string>): Promise<void> {
  const base = `/api/v1/organizations/${ORG}/members`;
  // Cursors of deeper pages, collected by walking 200 pages (outside the measurement).
  const cursors: string[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < 200; page++) {
    const response = await sendOnce(roster.origin, { method: 'GET', path: `${base}?limit=50${cursor ? `&cursor=${cursor}` : ''}`, headers: auth, expect: [200] });
    cursor = (JSON.parse(response.body.toString()) as { nextCursor: string | null }).nextCursor;
    if (cursor === null) break;
    cursors.push(cursor);
  }
  const random = mulberry32(run.flags.seed);
  const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)]!;
  const prefixes = [...GIVEN, ...FAMILY].flatMap((name) => [name.slice(0, 2), name.slice(0, 4), name.toLowerCase()]);
  const filters = ['status=active', 'status=deactivated', 'role=admin', 'role=viewer', 'team=Team%207', 'source=jit', ''];
  const request = (): HttpRequest => {
    const r = random();
    if (r < 0.35) return { method: 'GET', path: `${base}?limit=50&${pick(filters)}`, headers: auth, expect: [200], kind: 'filtered first page' };
    if (r < 0.75) return { method: 'GET', path: `${base}?limit=50&q=${encodeURIComponent(pick(prefixes))}`, headers: auth, expect: [200], kind: 'search' };
    return { method: 'GET', path: `${base}?limit=50&cursor=${pick(cursors)}`, headers: auth, expect: [200], kind: 'page by cursor' };
  };
  heading(`Listing and searching members at concurrency ${CONCURRENCY} (${run.flags.warmupMs / 1000} s warm-up, ${run.flags.durationMs / 1000} s measured)`);
  const load = await runLoad({ origin: roster.origin, concurrency: CONCURRENCY, durationMs: run.flags.durationMs, warmupMs: run.flags.warmupMs, request });
  printMeasurement({ label: 'roster GET /members (filters, search, cursor pages)', load });
  run.checks.push({
    name: 'admin: member list/search p99, 100k members, c=8',
    target: `≤ ${TARGET_PAGE_P99_MS} ms`,
    measured: `${ms(load.latency.p99)} ms (p50 ${ms(load.latency.p50)} ms, ${load.errors} errors)`,
    pass: load.errors === 0 && load.latency.p99 <= TARGET_PAGE_P99_MS,
  });
}

async function measureCsvInvite(run: OwnRosterRun, roster: Started, auth: Record<string, string>): Promise<void> {
  heading(`CSV invite of ${CSV_ROWS.toLocaleString('en-US')} rows`);
  const rows = Array.from({ length: CSV_ROWS }, (_, i) => `invitee.${i + 1}@invited.bench.example,member,Team 1;Team 2`);
  const csv = `email,role,teams\n${rows.join('\n')}\n`;
  const t0 = performance.now();
  const response = await sendOnce(
    roster.origin,
    { method: 'POST', path: `/api/v1/organizations/${ORG}/invitations/import`, headers: { ...auth, 'Content-Type': 'text/csv' }, body: csv, expect: [200, 201] },
    120_000,
  );
  const seconds = (performance.now() - t0) / 1000;
  const body = JSON.parse(response.body.toString()) as { results?: { result: string }[] };
  const invited = body.results?.filter((r) => r.result === 'invited').length ?? 0;
  say(`HTTP ${response.status} in ${seconds.toFixed(2)} s: ${body.results?.length ?? 0} per-row results, ${invited} invited`);
  run.checks.push({
    name: `admin: CSV invite of ${CSV_ROWS.toLocaleString('en-US')} rows`,
    target: `≤ ${TARGET_CSV_S} s`,
    measured: `${seconds.toFixed(2)} s (${invited} invited)`,
    pass: invited === CSV_ROWS && seconds <= TARGET_CSV_S,
  });
}

async function measureBulkDeactivate(run: OwnRosterRun, roster: Started, auth: Record<string, string>, sql: Sql, organizationId: string): Promise<void> {
  heading(`Bulk deactivate of ${BULK.toLocaleString('en-US')} members, each with an OP session and a console session`);
  const ids = (await sql<{ id: string }[]>`
    select id from members where organization_id = ${organizationId} and status = 'active' and role = 'member' order by created_at limit ${BULK}`).map((r) => r.id);
  await sql`
    insert into oidc_provider_payloads (model, id, payload, account_id, expires_at)
    select 'Session', 'bench-' || m, '{}'::jsonb, m::text, now() + interval '1 day' from unnest(${sql.array(ids)}::uuid[]) m`;
  await sql`
    insert into console_sessions (id_hash, organization_id, member_id, expires_at)
    select 'bench-' || m, ${organizationId}, m, now() + interval '1 day' from unnest(${sql.array(ids)}::uuid[]) m`;
  const t0 = performance.now();
  const response = await sendOnce(
    roster.origin,
    { method: 'POST', path: `/api/v1/organizations/${ORG}/members/bulk/deactivate`, headers: { ...auth, 'Content-Type': 'application/json' }, body: JSON.stringify({ ids }), expect: [200] },
    120_000,
  );
  const seconds = (performance.now() - t0) / 1000;
  const body = JSON.parse(response.body.toString()) as { results?: { result: string }[]; sessionsEnded?: number };
  const changed = body.results?.filter((r) => r.result === 'changed').length ?? 0;
  const [left] = await sql<{ n: number }[]>`
    select (select count(*) from oidc_provider_payloads where account_id = any(${sql.array(ids)}))::int
         + (select count(*) from console_sessions where member_id = any(${sql.array(ids)}::uuid[]))::int as n`;
  say(`HTTP ${response.status} in ${seconds.toFixed(2)} s: ${changed} deactivated, ${body.sessionsEnded ?? 0} sessions ended, ${left?.n ?? '?'} sessions left`);
  run.checks.push({
    name: `admin: bulk deactivate of ${BULK.toLocaleString('en-US')} members, sessions revoked`,
    target: `≤ ${TARGET_BULK_S} s`,
    measured: `${seconds.toFixed(2)} s (${changed} deactivated, ${left?.n ?? '?'} sessions left)`,
    pass: changed === BULK && left?.n === 0 && seconds <= TARGET_BULK_S,
  });
}
