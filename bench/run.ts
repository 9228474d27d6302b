/**
 * `npm run bench`: Roster measured against a bare Hono + postgres.js baseline, in the same run.
 * The method, the targets and past results: bench/README.md.
 *
 * A fresh database, with autovacuum on for the run (bench/autovacuum.ts); a bare Hono + postgres.js server (bench/baseline-server.ts) holding the same
 * users; Roster started fresh on the same database, an organization with an Okta and an Entra
 * directory, users and groups pushed through the SCIM API; then each scenario, baseline first,
 * and a table of targets. Exits non-zero only when the harness itself fails; a missed target is
 * a result. Everything stays on 127.0.0.1 and every phase is bounded in time and in count.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { autovacuumForRun, type AutovacuumForRun } from './autovacuum.ts';
import { connect, createDatabase, databaseUrl, dropDatabase, runDatabaseName, type Sql } from './database.ts';
import { exitReason, REPO_ROOT, rosterCli, startBaseline, startRoster, stopProcess, type Started } from './processes.ts';
import { heading, printMeasurement, printTargets, rate, say, type TargetCheck } from './report.ts';
import { scaleListScenario, soakScenario } from './long-scenarios.ts';
import { mulberry32, type BenchContext, type Flags } from './measure.ts';
import { bigPatchScenario, getScenario, lookupScenario, membershipScenarios, writeScenarios } from './scenarios.ts';
import { adminScenario } from './admin.ts';
import { ssoScenario } from './sso.ts';
import { bulkSeedUsers, seedBaseline, seedGroupsThroughApi, seedUsersThroughApi, type DirectoryTarget } from './seed.ts';

const STANDARD = ['lookup', 'get', 'create', 'patch', 'members', 'big'] as const;
const ALL = [...STANDARD, 'scale', 'soak', 'sso', 'admin'];

const USAGE = `usage: npm run bench -- [options]

  --duration=S          measured seconds per scenario (12)
  --warmup=S            warm-up seconds before each (3)
  --concurrency=N       requests in flight (32)
  --users=N             Okta users pushed through POST /Users (100000); the baseline gets the same
  --entra-users=N       Entra users pushed through POST /Users (40000); membership scenarios use them
  --groups=N            groups per directory, a few members each (1000)
  --seed-concurrency=N  concurrency of the seeding (32)
  --members-per-patch=N members per membership PATCH (50)
  --big-members=N       members of the single large PATCH (10000), --big-repeats=N times (3)
  --scale               also: 1,000,000 users copied into one directory, deep pages listed
  --scale-users=N       users for --scale (1000000), --scale-concurrency=N (8)
  --soak[=MIN]          also: an Okta-like mix for MIN minutes (10)
  --only=a,b            run only these of: ${ALL.join(', ')}
                        (sso: whole SAML and OIDC sign-ins at concurrency 8, on request only; alone, it seeds nothing)
                        (admin: member list/search on 100,000 members, a 10,000-row CSV invite and a
                        10,000-member bulk deactivate, on request only; alone, it seeds nothing else)
  --rate-limit=N        SCIM_RATE_LIMIT_PER_MINUTE for Roster (1000000: counted, never refused; 0: off)
  --baseline-pipeline=N postgres.js max_pipeline of the baseline (0; the library default is 100)
  --cpu-prof            run Roster under node --cpu-prof (profile written when it stops)
  --slices=N            baseline and Roster alternate in N slices of --duration each (4)
  --seed=N              seed of the random choices (1)
  --keep                keep the run's database (it is dropped by default)

  BENCH_DATABASE_URL    admin connection (postgres://postgres@127.0.0.1:5432/postgres)`;

class UsageError extends Error {}

function parseFlags(argv: string[]): Flags & { help: boolean; selected: Set<string> } {
  const raw = new Map<string, string | true>();
  for (const arg of argv) {
    const match = /^--([a-z-]+)(?:=(.*))?$/.exec(arg);
    if (!match) throw new UsageError(`unexpected argument "${arg}"`);
    raw.set(match[1]!, match[2] ?? true);
  }
  const known = new Set([
    'duration', 'warmup', 'concurrency', 'users', 'entra-users', 'groups', 'seed-concurrency', 'members-per-patch', 'big-members',
    'big-repeats', 'slices', 'baseline-pipeline', 'scale', 'scale-users', 'scale-concurrency', 'soak', 'only', 'rate-limit', 'cpu-prof', 'seed', 'keep', 'help',
  ]);
  for (const name of raw.keys()) if (!known.has(name)) throw new UsageError(`unknown option --${name}`);
  const int = (name: string, fallback: number, min: number, max: number) => {
    const value = raw.get(name);
    if (value === undefined) return fallback;
    const n = Number(value);
    if (value === true || !Number.isInteger(n) || n < min || n > max) throw new UsageError(`--${name} must be a whole number from ${min} to ${max}`);
    return n;
  };
  const bool = (name: string) => {
    const value = raw.get(name);
    if (value !== undefined && value !== true) throw new UsageError(`--${name} takes no value`);
    return value === true;
  };
  const soak = raw.get('soak');
  const soakMinutes = soak === undefined ? undefined : soak === true ? 10 : int('soak', 10, 1, 24 * 60);
  const scale = bool('scale');
  const only = raw.get('only');
  let selected: Set<string>;
  if (only === undefined) {
    selected = new Set<string>(STANDARD);
    if (scale) selected.add('scale');
    if (soakMinutes !== undefined) selected.add('soak');
  } else {
    if (only === true) throw new UsageError('--only needs a list, e.g. --only=lookup,get');
    selected = new Set(only.split(',').filter(Boolean));
    for (const name of selected) if (!ALL.includes(name)) throw new UsageError(`--only: unknown scenario "${name}" (one of ${ALL.join(', ')})`);
  }
  return {
    help: bool('help'),
    selected,
    durationMs: int('duration', 12, 1, 3600) * 1000,
    warmupMs: int('warmup', 3, 0, 600) * 1000,
    concurrency: int('concurrency', 32, 1, 1024),
    users: int('users', 100_000, 1, 10_000_000),
    entraUsers: int('entra-users', 40_000, 1, 10_000_000),
    groups: int('groups', 1000, 1, 1_000_000),
    seedConcurrency: int('seed-concurrency', 32, 1, 1024),
    membersPerPatch: int('members-per-patch', 50, 1, 20_000),
    bigMembers: int('big-members', 10_000, 1, 20_000),
    bigRepeats: int('big-repeats', 3, 1, 100),
    scale: selected.has('scale'),
    scaleUsers: int('scale-users', 1_000_000, 1000, 100_000_000),
    scaleConcurrency: int('scale-concurrency', 8, 1, 1024),
    soakMinutes: selected.has('soak') ? (soakMinutes ?? 10) : undefined,
    keep: bool('keep'),
    rateLimit: int('rate-limit', 1_000_000, 0, 1_000_000),
    baselinePipeline: int('baseline-pipeline', 0, 0, 1000),
    cpuProf: bool('cpu-prof'),
    seed: int('seed', 1, 0, 2 ** 31),
    slices: int('slices', 4, 1, 60),
  };
}

/** Which Roster was measured: the commit, and whether src/ had changes on top of it (read-only git). */
function describeCheckout(): string {
  const git = (...args: string[]) => spawnSync('git', args, { cwd: REPO_ROOT, encoding: 'utf8' });
  const head = git('rev-parse', '--short', 'HEAD');
  if (head.status !== 0) return '(not a git checkout)';
  const dirty = git('status', '--porcelain', '--', 'src', 'drizzle').stdout.trim() !== '';
  return `${head.stdout.trim()}${dirty ? ' + uncommitted changes in src/' : ''}`;
}

async function main(): Promise<number> {
  let flags: ReturnType<typeof parseFlags>;
  try {
    flags = parseFlags(process.argv.slice(2));
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`bench: ${error.message}\n${USAGE}\n`);
      return 2;
    }
    throw error;
  }
  if (flags.help) {
    say(USAGE);
    return 0;
  }

  const adminUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const dbName = runDatabaseName();
  const runUrl = databaseUrl(adminUrl, dbName);
  const workDir = await mkdtemp(path.join(os.tmpdir(), 'roster-bench-'));
  const secret = randomBytes(32).toString('base64url');
  const started: Started[] = [];
  let sql: Sql | undefined;
  let created = false;
  let autovacuum: AutovacuumForRun | undefined;

  const cleanup = async () => {
    for (const s of started.reverse()) await stopProcess(s.child).catch(() => {});
    started.length = 0;
    await sql?.end({ timeout: 5 }).catch(() => {});
    sql = undefined;
    if (created && !flags.keep) await dropDatabase(adminUrl, dbName).catch((e: Error) => say(`could not drop ${dbName}: ${e.message}`));
    if (created && flags.keep) say(`database kept: ${runUrl}`);
    created = false;
    // Last, so that nothing of the run is still writing when the server's setting comes back.
    const restored = await autovacuum?.restore().catch((e: Error) => `could not restore autovacuum: ${e.message} (check SHOW autovacuum)`);
    if (restored !== undefined) say(restored);
    autovacuum = undefined;
  };
  // Ctrl-C stops what this run started, drops its database and restores autovacuum, like a normal
  // end; a second Ctrl-C during that must not cut it short.
  let interrupted = false;
  const onSignal = () => {
    if (interrupted) {
      say('still stopping the servers, dropping the run database and restoring autovacuum…');
      return;
    }
    interrupted = true;
    say('\ninterrupted: stopping the servers, dropping the run database and restoring autovacuum');
    void cleanup().finally(() => process.exit(130));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  try {
    heading('Roster benchmark');
    const cpus = os.cpus();
    say(`date ${new Date().toISOString()}   node ${process.version}   ${cpus.length} cores (${cpus[0]?.model.trim() ?? '?'})   load ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
    say(`database ${dbName}   logs in ${workDir}   concurrency ${flags.concurrency}   ${flags.warmupMs / 1000} s warm-up + ${flags.durationMs / 1000} s per scenario`);
    say(`SCIM_RATE_LIMIT_PER_MINUTE=${flags.rateLimit} (${flags.rateLimit === 0 ? 'off' : 'counted on every request, high enough never to refuse'}); baseline max_pipeline ${flags.baselinePipeline}`);

    say(`roster ${describeCheckout()}`);

    autovacuum = await autovacuumForRun(adminUrl);
    say(autovacuum.note);
    await createDatabase(adminUrl, dbName);
    created = true;
    sql = connect(runUrl);
    const [version] = await sql<{ v: string }[]>`select current_setting('server_version') as v`;
    say(`PostgreSQL ${version?.v ?? '?'} at ${new URL(adminUrl).host}`);

    // SSO sign-ins and the admin API: a Roster of their own on the still empty database, before any SCIM seeding.
    const ownRosterChecks: TargetCheck[] = [];
    if (flags.selected.has('sso')) await ssoScenario({ flags, databaseUrl: runUrl, secret, workDir, started, checks: ownRosterChecks });
    if (flags.selected.has('admin')) await adminScenario({ flags, databaseUrl: runUrl, secret, workDir, started, checks: ownRosterChecks });
    if ([...flags.selected].every((name) => name === 'sso' || name === 'admin')) {
      printTargets(ownRosterChecks);
      say(autovacuum.note);
      return 0;
    }

    const roster = await startRoster({
      databaseUrl: runUrl,
      secret,
      rateLimitPerMinute: flags.rateLimit,
      logFile: path.join(workDir, 'roster.log'),
      nodeArgs: flags.cpuProf ? ['--cpu-prof', `--cpu-prof-dir=${workDir}`] : [],
    });
    started.push(roster);
    say(`Roster ${roster.origin} (pid ${roster.child.pid})`);

    heading('Seeding');
    let t0 = performance.now();
    const baselineSeed = await seedBaseline(sql, flags.users);
    say(`baseline: ${flags.users.toLocaleString('en-US')} rows copied in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    const baseline = await startBaseline(runUrl, baselineSeed.directoryId, flags.baselinePipeline, path.join(workDir, 'baseline.log'));
    started.push(baseline);

    const cli = { databaseUrl: runUrl, secret, publicUrl: roster.origin };
    await rosterCli(['org', 'create', '--slug', 'bench', '--name', 'Bench Inc'], cli);
    const directory = async (provider: 'okta' | 'entra', name: string): Promise<DirectoryTarget> => {
      const out = (await rosterCli(['directory', 'create', '--org', 'bench', '--provider', provider, '--name', name], cli)) as {
        id: string;
        token: string;
      };
      return { provider, id: out.id, token: out.token, base: `/scim/v2/${out.id}`, users: [], groupIds: [] };
    };
    const okta = await directory('okta', 'Okta');
    const entra = await directory('entra', 'Entra ID');

    const seedMaxMs = 60 * 60_000;
    for (const [dir, count] of [[okta, flags.users], [entra, flags.entraUsers]] as const) {
      const seeded = await seedUsersThroughApi(roster.origin, dir, {
        count,
        concurrency: flags.seedConcurrency,
        maxMs: seedMaxMs,
      });
      printMeasurement({ label: `roster POST /Users ${dir.provider} seed (${count.toLocaleString('en-US')} users)`, load: seeded.load });
      say(`  → ${rate(seeded.load.rps)} users/s; ${seeded.created.toLocaleString('en-US')} created in ${(seeded.load.elapsedMs / 1000).toFixed(1)} s`);
      const rosterGone = exitReason(roster.child);
      if (rosterGone !== undefined) throw new Error(`Roster (pid ${roster.child.pid}) ${rosterGone} while seeding; see ${roster.logFile}`);
      if (seeded.created === 0) throw new Error(`no ${dir.provider} user could be created; see the errors above and ${roster.logFile}`);
      const groups = await seedGroupsThroughApi(roster.origin, dir, { count: flags.groups, concurrency: flags.seedConcurrency, maxMs: seedMaxMs });
      printMeasurement({ label: `roster POST /Groups ${dir.provider} seed`, load: groups.creates });
      printMeasurement({ label: `roster PATCH /Groups ${dir.provider} seed (+members)`, load: groups.adds });
    }
    // Settled tables and fresh statistics for both, as autovacuum would leave them: otherwise
    // whichever scenario runs first pays for the visibility map and the planner's first guesses.
    t0 = performance.now();
    await sql`vacuum analyze`;
    say(`vacuum analyze: ${((performance.now() - t0) / 1000).toFixed(1)} s`);

    let tagCounter = 0;
    const ctx: BenchContext = {
      flags,
      roster: { origin: roster.origin, pid: roster.child.pid!, gone: () => exitReason(roster.child) },
      baselineServer: { origin: baseline.origin, pid: baseline.child.pid!, gone: () => exitReason(baseline.child) },
      baseline: baselineSeed,
      okta,
      entra,
      sql,
      random: mulberry32(flags.seed),
      checks: [],
      freshTag: () => `r${(tagCounter++).toString(36)}x`,
    };

    const on = (name: string) => flags.selected.has(name);
    if (on('lookup')) await lookupScenario(ctx);
    if (on('get')) await getScenario(ctx);
    if (on('create') || on('patch')) await writeScenarios(ctx, { create: on('create'), patch: on('patch') });
    if (on('members')) await membershipScenarios(ctx);
    if (on('big')) await bigPatchScenario(ctx);

    if (flags.scale) {
      heading(`Scale: ${flags.scaleUsers.toLocaleString('en-US')} users copied into one directory`);
      const scaleDir = await directory('okta', 'Okta (scale)');
      const [orgRow] = await sql<{ organization_id: string }[]>`select organization_id from directories where id = ${scaleDir.id}`;
      const [sample] = await sql<{ document: Record<string, unknown> }[]>`
        select document from directory_users where directory_id = ${okta.id} order by created_at limit 1`;
      if (!orgRow || !sample) throw new Error('no user created through the API to copy the document shape from');
      say(`document shape (from a user created through POST /Users): ${JSON.stringify(sample.document)}`);
      t0 = performance.now();
      let nextReport = 100_000;
      await bulkSeedUsers(sql, { organizationId: orgRow.organization_id, directoryId: scaleDir.id, template: sample.document }, flags.scaleUsers, (done) => {
        if (done >= nextReport) {
          say(`  ${done.toLocaleString('en-US')} rows streamed (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
          nextReport += 100_000;
        }
      });
      say(`copied ${flags.scaleUsers.toLocaleString('en-US')} users in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
      t0 = performance.now();
      await sql`vacuum analyze directory_users`;
      say(`vacuum analyze directory_users: ${((performance.now() - t0) / 1000).toFixed(1)} s`);
      await scaleListScenario(ctx, scaleDir, flags.scaleUsers);
    }

    if (flags.soakMinutes !== undefined) await soakScenario(ctx, flags.soakMinutes);

    printTargets([...ownRosterChecks, ...ctx.checks]);
    say(autovacuum.note);
    say(`(each throughput is measured with the load generator, Roster, the baseline and PostgreSQL sharing this machine's ${cpus.length} cores)`);
    return 0;
  } catch (error) {
    process.stderr.write(`bench: ${(error as Error).stack ?? String(error)}\n`);
    return 1;
  } finally {
    await cleanup();
    if (flags.cpuProf) say(`CPU profile of Roster in ${workDir} (open the .cpuprofile in Chrome DevTools)`);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

process.exitCode = await main();
