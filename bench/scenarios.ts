/**
 * The scenarios measured on every run. Each one that has a baseline takes turns with Roster, so
 * that both see the same machine at (nearly) the same moments: on a shared, noisy host the ratio is
 * the figure to trust, more than either throughput alone. The ratio targets are regression guards:
 * every SCIM request does work the bare baseline does not (a token check, a counted request, a
 * request-log entry, SCIM parsing and representation), so they sit well below 1.
 */

/** Roster ÷ baseline throughput below which a read (lookup, read by id) has regressed. */
const READ_RATIO = 0.35;
/** The same for a write (create, deactivation). */
const WRITE_RATIO = 0.3;
/** Writes' p99 latency bound, at the default concurrency it was set for. */
const WRITE_P99_MS = 100;
const WRITE_P99_CONCURRENCY = 32;
import { sendOnce, type HttpRequest } from './load.ts';
import {
  exactlyOne,
  measure,
  measureAlternating,
  oktaFilter,
  p99Check,
  pick,
  ratioCheck,
  type BenchContext,
  type Side,
} from './measure.ts';
import { heading, ms, printComparison, rate, say, type Measurement } from './report.ts';
import {
  addMembersBody,
  createEmptyGroup,
  getUserRequest,
  identity,
  idpHeaders,
  oktaUserBody,
  PATCH_URN,
  RESERVED_FOR_GROUPS,
  storedDocument,
  type SeededUser,
} from './seed.ts';

/** Okta's and Entra's lookup by userName, as they send it before every create. */
export function rosterLookupSide(ctx: BenchContext): Side {
  return {
    label: 'roster GET /Users?filter=userName eq (Okta + Entra shapes)',
    server: ctx.roster,
    options: {
      request: (i: number): HttpRequest => {
        // Half as Okta sends it (spaces as "+", startIndex/count; okta/03), half as Entra (entra/05).
        if (i % 2 === 0) {
          const u = pick(ctx, ctx.okta.users);
          return {
            method: 'GET',
            path: `${ctx.okta.base}/Users?filter=${oktaFilter(`userName eq "${u.userName}"`)}&startIndex=1&count=100`,
            headers: idpHeaders('okta', ctx.okta.token, false),
            expect: [200],
          };
        }
        const u = pick(ctx, ctx.entra.users);
        return {
          method: 'GET',
          path: `${ctx.entra.base}/Users?filter=${encodeURIComponent(`userName eq "${u.userName}"`)}`,
          headers: idpHeaders('entra', ctx.entra.token, false),
          expect: [200],
        };
      },
      check: exactlyOne,
    },
  };
}

/** Okta's and Entra's lookup by userName before every create, against the baseline's unique-index select. */
export async function lookupScenario(ctx: BenchContext): Promise<void> {
  heading('Lookup by userName (GET /Users?filter=userName eq "…")');
  const baseSide: Side = {
    label: 'baseline GET /by-name (unique lower(user_name) index)',
    server: ctx.baselineServer,
    options: {
      request: () => ({ method: 'GET', path: `/by-name?userName=${encodeURIComponent(pick(ctx, ctx.baseline.userNames))}`, expect: [200] }),
      check: exactlyOne,
    },
  };
  const [base, roster] = await measureAlternating(ctx, baseSide, rosterLookupSide(ctx));
  printComparison(roster, base);
  ctx.checks.push(ratioCheck('lookup userName eq', roster, base, READ_RATIO));
}

/** GET /Users/{id} of a random Okta user. */
export function rosterGetSide(ctx: BenchContext): Side {
  return { label: 'roster GET /Users/{id}', server: ctx.roster, options: { request: () => getUserRequest(ctx.okta, pick(ctx, ctx.okta.users).id) } };
}

/** GET /Users/{id} against the baseline's primary-key select. */
export async function getScenario(ctx: BenchContext): Promise<void> {
  heading('Read one user (GET /Users/{id})');
  const [base, roster] = await measureAlternating(
    ctx,
    {
      label: 'baseline GET /pk/:id (primary key)',
      server: ctx.baselineServer,
      options: { request: () => ({ method: 'GET', path: `/pk/${pick(ctx, ctx.baseline.ids)}`, expect: [200] }) },
    },
    rosterGetSide(ctx),
  );
  printComparison(roster, base);
  ctx.checks.push(ratioCheck('get user by id', roster, base, READ_RATIO));
}

/** The floor of every write: one autocommitted single-row INSERT … RETURNING id. */
export function baselineInsert(ctx: BenchContext): Side {
  const tag = ctx.freshTag();
  return {
    label: 'baseline POST /insert (one-row insert, returning id)',
    server: ctx.baselineServer,
    options: {
      request: (i: number) => {
        const id = identity(tag, i);
        return {
          method: 'POST',
          path: '/insert',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ userName: id.userName, document: storedDocument(id) }),
          expect: [201],
        };
      },
    },
  };
}

/** Okta's create, password included, with userNames no run has used. */
export function rosterCreateSide(ctx: BenchContext): Side {
  const tag = ctx.freshTag();
  return {
    label: 'roster POST /Users (Okta, with password)',
    server: ctx.roster,
    options: {
      request: (i: number) => ({
        method: 'POST',
        path: `${ctx.okta.base}/Users`,
        headers: idpHeaders('okta', ctx.okta.token, true),
        body: JSON.stringify(oktaUserBody(identity(tag, i))),
        expect: [201],
      }),
    },
  };
}

function writeChecks(ctx: BenchContext, name: string, roster: Measurement, base: Measurement): void {
  printComparison(roster, base);
  ctx.checks.push(ratioCheck(name, roster, base, WRITE_RATIO), p99Check(name, roster, WRITE_P99_MS, WRITE_P99_CONCURRENCY, ctx.flags.concurrency));
}

/** Okta's create with fresh userNames, and the two IdPs' deactivations, each against a fresh baseline insert. */
export async function writeScenarios(ctx: BenchContext, which: { create: boolean; patch: boolean }): Promise<void> {
  if (which.create) {
    heading('Create (POST /Users, Okta shape with password, fresh userNames)');
    const [base, roster] = await measureAlternating(ctx, baselineInsert(ctx), rosterCreateSide(ctx));
    writeChecks(ctx, 'create user (POST)', roster, base);
  }
  if (which.patch) {
    heading('Deactivate (PATCH /Users/{id})');
    const deactivation = async (name: string, idp: 'okta' | 'entra', operation: Record<string, unknown>) => {
      const target = ctx[idp];
      const [base, roster] = await measureAlternating(ctx, baselineInsert(ctx), {
        label: `roster PATCH ${idp === 'okta' ? 'Okta' : 'Entra'} ${JSON.stringify(operation)}`,
        server: ctx.roster,
        options: {
          request: () => ({
            method: 'PATCH',
            path: `${target.base}/Users/${pick(ctx, target.users).id}`,
            headers: idpHeaders(idp, target.token, true),
            body: JSON.stringify({ schemas: [PATCH_URN], Operations: [operation] }),
            expect: [200],
          }),
        },
      });
      writeChecks(ctx, name, roster, base);
    };
    await deactivation('deactivate (PATCH, Okta)', 'okta', { op: 'replace', value: { active: false } });
    await deactivation('deactivate (PATCH, Entra)', 'entra', { op: 'Replace', path: 'active', value: 'False' });
  }
}

async function memberRows(ctx: BenchContext, directoryId: string, groupId?: string): Promise<number> {
  const [row] =
    groupId === undefined
      ? await ctx.sql<{ n: string }[]>`select count(*)::text as n from directory_group_members where directory_id = ${directoryId}`
      : await ctx.sql<{ n: string }[]>`
          select count(*)::text as n from directory_group_members where directory_id = ${directoryId} and group_id = ${groupId}`;
  return Number(row?.n ?? 0);
}

/**
 * Entra's "Add" PATCHes of `membersPerPatch` members each. Every (group, user) pair is sent once,
 * so the rows in directory_group_members must grow by exactly the members the 204s acknowledged.
 * The PATCHes go round the groups, or with `oneGroupAtATime` to one group until it has every
 * unreserved user, then to the next.
 */
async function membershipRun(
  ctx: BenchContext,
  label: string,
  groupIds: readonly string[],
  warmupMs: number,
  oneGroupAtATime = false,
): Promise<void> {
  const k = ctx.flags.membersPerPatch;
  const pool: readonly SeededUser[] = ctx.entra.users.slice(RESERVED_FOR_GROUPS);
  const g = groupIds.length;
  if (pool.length < k || g === 0) {
    say(`  skipped: ${pool.length} unreserved Entra users and ${g} groups are not enough for ${k}-member batches`);
    return;
  }
  const chunks = Math.floor(pool.length / k);
  const sizeOf = new Map<number, number>();
  let acknowledged = 0;
  let measuredMembers = 0;
  const before = await memberRows(ctx, ctx.entra.id);
  const m = await measure(ctx, label, ctx.roster, {
    warmupMs,
    request: (i) => {
      const group = oneGroupAtATime ? Math.floor(i / chunks) : i % g;
      const chunk = oneGroupAtATime ? i % chunks : Math.floor(i / g);
      if (chunk >= chunks || group >= g) return undefined;
      // Group `group` gets the chunk-th slice of the pool, rotated per group: no pair repeats.
      const members = Array.from({ length: k }, (_, j) => pool[(chunk * k + j + group * k) % pool.length]!);
      sizeOf.set(i, members.length);
      return {
        method: 'PATCH',
        path: `${ctx.entra.base}/Groups/${groupIds[group]}`,
        headers: idpHeaders('entra', ctx.entra.token, true),
        body: JSON.stringify(addMembersBody('entra', members)),
        expect: [204],
      };
    },
    check: (i, _res, measured) => {
      const n = sizeOf.get(i) ?? 0;
      sizeOf.delete(i);
      acknowledged += n;
      if (measured) measuredMembers += n;
      return undefined;
    },
  });
  const after = await memberRows(ctx, ctx.entra.id);
  const written = after - before;
  const perSecond = m.load.elapsedMs === 0 ? 0 : (measuredMembers * 1000) / m.load.elapsedMs;
  const verified = written === acknowledged;
  say(
    `${'  → members written'.padEnd(58)} ${rate(perSecond).padStart(8)} members/s over ${(m.load.elapsedMs / 1000).toFixed(1)} s   verify: ${written.toLocaleString('en-US')} rows for ${acknowledged.toLocaleString('en-US')} acknowledged ${verified ? 'OK' : 'MISMATCH'}`,
  );
  ctx.checks.push({
    name: `group members, ${label.includes('one group') ? 'one group' : `${g} groups`}`,
    target: '≥ 20,000 members/s, all written',
    measured: `${rate(perSecond)} members/s, ${verified ? 'verified' : `MISMATCH ${written} rows vs ${acknowledged} sent`}${m.load.errors ? `, ${m.load.errors} errors` : ''}`,
    pass: perSecond >= 20_000 && verified && m.load.errors === 0,
  });
}

/** About how long one group takes to receive every unreserved Entra user (40,000 seeded, 20,000 members/s). */
const ONE_GROUP_FILL_MS = 1_500;

export async function membershipScenarios(ctx: BenchContext): Promise<void> {
  const k = ctx.flags.membersPerPatch;
  heading(`Group membership (Entra "Add" PATCHes of ${k} members)`);
  await membershipRun(ctx, `roster PATCH /Groups Add ×${k}, spread over ${ctx.entra.groupIds.length} groups`, ctx.entra.groupIds, ctx.flags.warmupMs);
  // One group can take each unreserved user once only, which lasts about two seconds: the PATCHes
  // fill one group with all of them, then the next, so that the run lasts the scenario's duration
  // with every PATCH in flight aimed at the same group but for a moment at each switch. It runs
  // warm from the variant above and spends none of them on a warm-up.
  const groups = Math.max(1, Math.ceil(ctx.flags.durationMs / ONE_GROUP_FILL_MS));
  const singles: string[] = [];
  for (let i = 0; i < groups; i++) singles.push(await createEmptyGroup(ctx.roster.origin, ctx.entra, `one-group variant ${ctx.freshTag()}`));
  await membershipRun(ctx, `roster PATCH /Groups Add ×${k}, all to one group at a time`, singles, 0, true);
}

/** One PATCH adding `bigMembers` members to a new group, timed end to end, repeated. */
export async function bigPatchScenario(ctx: BenchContext): Promise<void> {
  const n = ctx.flags.bigMembers;
  heading(`One PATCH adding ${n.toLocaleString('en-US')} members to a new group`);
  const pool = ctx.entra.users.slice(RESERVED_FOR_GROUPS);
  if (pool.length < n) {
    say(`  skipped: only ${pool.length} unreserved Entra users (raise --entra-users)`);
    return;
  }
  const times: number[] = [];
  let allWritten = true;
  for (let r = 0; r < ctx.flags.bigRepeats; r++) {
    const groupId = await createEmptyGroup(ctx.roster.origin, ctx.entra, `big group ${ctx.freshTag()}`);
    const members = pool.slice((r * 997) % (pool.length - n + 1)).slice(0, n);
    const body = JSON.stringify(addMembersBody('entra', members));
    const t0 = performance.now();
    const res = await sendOnce(ctx.roster.origin, {
      method: 'PATCH',
      path: `${ctx.entra.base}/Groups/${groupId}`,
      headers: idpHeaders('entra', ctx.entra.token, true),
      body,
      expect: [204],
    });
    const elapsed = performance.now() - t0;
    const written = await memberRows(ctx, ctx.entra.id, groupId);
    const ok = res.status === 204 && written === n;
    allWritten &&= ok;
    times.push(elapsed);
    say(
      `  run ${r + 1}: ${ms(elapsed).padStart(7)} ms   status ${res.status}   body ${(body.length / 1024).toFixed(0)} KiB   rows ${written.toLocaleString('en-US')} ${ok ? 'OK' : 'MISMATCH'}${res.status === 204 ? '' : `  ${res.body.toString().slice(0, 200)}`}`,
    );
  }
  const sorted = [...times].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)] ?? 0;
  ctx.checks.push({
    name: `PATCH +${n.toLocaleString('en-US')} members`,
    target: '≤ 1.2 s (median), all written',
    measured: `median ${ms(median)} ms of ${times.map((t) => ms(t)).join(', ')} ms${allWritten ? '' : ', NOT all written'}`,
    pass: median <= 1200 && allWritten,
  });
}
