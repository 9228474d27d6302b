/**
 * What every scenario shares: the run's flags and context, one measured phase (load, database
 * counters and every process's CPU around it), and the checks that turn figures into PASS/FAIL.
 */
import { counterDelta, readCounters, type DbCounters, type Sql } from './database.ts';
import { mergeLoads, runLoad, type HttpResponse, type LoadOptions, type LoadResult } from './load.ts';
import { cpuSeconds } from './processes.ts';
import { ms, printMeasurement, rate, ratio, type Measurement, type TargetCheck } from './report.ts';
import type { BaselineSeed, DirectoryTarget } from './seed.ts';

export interface Flags {
  durationMs: number;
  warmupMs: number;
  concurrency: number;
  users: number;
  entraUsers: number;
  groups: number;
  seedConcurrency: number;
  membersPerPatch: number;
  bigMembers: number;
  bigRepeats: number;
  scale: boolean;
  scaleUsers: number;
  scaleConcurrency: number;
  soakMinutes: number | undefined;
  keep: boolean;
  rateLimit: number;
  baselinePipeline: number;
  cpuProf: boolean;
  seed: number;
  /** Slices a compared pair of phases alternates in (measureAlternating). */
  slices: number;
}

/** A server under load: where to send requests, and which process to charge CPU to. */
export interface Endpoint {
  origin: string;
  pid: number;
  /** Why the server is gone, or undefined while it runs. */
  gone: () => string | undefined;
}

export interface BenchContext {
  flags: Flags;
  roster: Endpoint;
  baselineServer: Endpoint;
  baseline: BaselineSeed;
  okta: DirectoryTarget;
  entra: DirectoryTarget;
  /** The run's database, for counters and verification. */
  sql: Sql;
  random: () => number;
  checks: TargetCheck[];
  /** Tags fresh userNames so that repeated phases never collide. */
  freshTag: () => string;
}

/** A small, seeded generator: runs pick the same "random" users in the same order. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const pick = <T>(ctx: BenchContext, items: readonly T[]): T => items[Math.floor(ctx.random() * items.length)]!;

type PhaseOptions = Omit<LoadOptions, 'origin' | 'concurrency' | 'durationMs'> & Partial<Pick<LoadOptions, 'concurrency' | 'durationMs'>>;

/** The PostgreSQL backends serving the run's database, with the CPU each has used so far. */
async function backendCpu(sql: Sql): Promise<Map<number, number>> {
  const rows = await sql<{ pid: number }[]>`
    select pid from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()`;
  const result = new Map<number, number>();
  for (const { pid } of rows) {
    const cpu = cpuSeconds(pid);
    if (cpu !== undefined) result.set(pid, cpu);
  }
  return result;
}

interface CpuSnapshot {
  server: number | undefined;
  backends: Map<number, number>;
  generator: number;
}

async function cpuSnapshot(ctx: BenchContext, server: Endpoint): Promise<CpuSnapshot> {
  const usage = process.cpuUsage();
  return { server: cpuSeconds(server.pid), backends: await backendCpu(ctx.sql), generator: (usage.user + usage.system) / 1e6 };
}

/**
 * CPU each side spent during a phase. Backends that appeared during it count in full; a backend
 * that is gone at the end is not counted (PostgreSQL is then reported as a lower bound).
 */
function cpuDelta(before: CpuSnapshot, after: CpuSnapshot): Measurement['cpu'] {
  let postgres = 0;
  for (const [pid, end] of after.backends) postgres += end - (before.backends.get(pid) ?? 0);
  return {
    server: before.server === undefined || after.server === undefined ? undefined : after.server - before.server,
    postgres: after.backends.size === 0 ? undefined : postgres,
    generator: after.generator - before.generator,
  };
}

/** One measured phase, with the database's counters and every process's CPU around it. */
export async function measure(ctx: BenchContext, label: string, server: Endpoint, options: PhaseOptions): Promise<Measurement> {
  const m = await measureQuietly(ctx, label, server, options);
  printMeasurement(m);
  return m;
}

async function measureQuietly(ctx: BenchContext, label: string, server: Endpoint, options: PhaseOptions): Promise<Measurement> {
  const before = await readCounters(ctx.sql);
  const cpuBefore = await cpuSnapshot(ctx, server);
  const load = await runLoad({
    origin: server.origin,
    concurrency: ctx.flags.concurrency,
    durationMs: ctx.flags.durationMs,
    warmupMs: ctx.flags.warmupMs,
    ...options,
  });
  const gone = server.gone();
  if (gone !== undefined) throw new Error(`the server under test (pid ${server.pid}) ${gone} during "${label}"`);
  const cpuAfter = await cpuSnapshot(ctx, server);
  const after = await readCounters(ctx.sql);
  return { label, load, db: counterDelta(before, after), cpu: cpuDelta(cpuBefore, cpuAfter), wallMs: load.totalMs };
}

/** A phase of a compared pair: what measure takes. */
export interface Side {
  label: string;
  server: Endpoint;
  options: PhaseOptions;
}

/** Warm-up of every slice after the first: the load generator's connections are new in each. */
const SLICE_WARMUP_MS = 500;

/**
 * Measures a baseline and Roster in alternating slices (`--slices`, each a share of `--duration`)
 * instead of one after the other, and reports each side's slices together. This machine's speed
 * drifts by more than some margins within a minute; alternating puts both sides through the same
 * drift, so their ratio keeps only what differs between them. Request indexes run on across a
 * side's slices, so fresh names stay fresh.
 */
export async function measureAlternating(ctx: BenchContext, first: Side, second: Side): Promise<[Measurement, Measurement]> {
  const slices = ctx.flags.slices;
  const durationMs = Math.max(1000, Math.round(ctx.flags.durationMs / slices));
  const parts: [Measurement[], Measurement[]] = [[], []];
  const issued = [0, 0];
  for (let slice = 0; slice < slices; slice++) {
    // Which side goes first alternates too, so neither always follows the other's load.
    const order = slice % 2 === 0 ? ([0, 1] as const) : ([1, 0] as const);
    for (const which of order) {
      const side = which === 0 ? first : second;
      const offset = issued[which]!;
      const { request, check } = side.options;
      const m = await measureQuietly(ctx, side.label, side.server, {
        ...side.options,
        durationMs,
        warmupMs: slice === 0 ? ctx.flags.warmupMs : Math.min(SLICE_WARMUP_MS, ctx.flags.warmupMs),
        request: (i) => request(offset + i),
        ...(check ? { check: (i: number, res: HttpResponse, measured: boolean) => check(offset + i, res, measured) } : {}),
      });
      issued[which] = offset + m.load.sent;
      parts[which].push(m);
    }
  }
  const merged = parts.map((ms) => mergeMeasurements(ms)) as [Measurement, Measurement];
  for (const m of merged) printMeasurement(m);
  return merged;
}

function mergeMeasurements(parts: readonly Measurement[]): Measurement {
  const sum = (pick: (m: Measurement) => number | undefined): number | undefined =>
    parts.some((m) => pick(m) === undefined) ? undefined : parts.reduce((total, m) => total + pick(m)!, 0);
  const db: DbCounters | undefined = parts.every((m) => m.db)
    ? {
        commits: sum((m) => m.db?.commits)!,
        inserted: sum((m) => m.db?.inserted)!,
        updated: sum((m) => m.db?.updated)!,
        deleted: sum((m) => m.db?.deleted)!,
        fetched: sum((m) => m.db?.fetched)!,
      }
    : undefined;
  const load: LoadResult = mergeLoads(parts.map((m) => m.load));
  return {
    label: `${parts[0]!.label}${parts.length > 1 ? ` [${parts.length} slices]` : ''}`,
    load,
    db,
    cpu: parts.every((m) => m.cpu)
      ? { server: sum((m) => m.cpu?.server), postgres: sum((m) => m.cpu?.postgres), generator: sum((m) => m.cpu?.generator)! }
      : undefined,
    wallMs: sum((m) => m.wallMs),
  };
}

export const json = (res: HttpResponse) => JSON.parse(res.body.toString('utf8')) as Record<string, unknown>;

export const exactlyOne = (_i: number, res: HttpResponse) => {
  const total = json(res).totalResults;
  return total === 1 ? undefined : `totalResults ${String(total)}, expected 1`;
};

export function ratioCheck(name: string, roster: Measurement, baseline: Measurement, minRatio: number): TargetCheck {
  const r = roster.load.rps / baseline.load.rps;
  return {
    name,
    target: `≥ ${minRatio}× baseline req/s`,
    measured: `${ratio(r)} (${rate(roster.load.rps)} vs ${rate(baseline.load.rps)} req/s)${roster.load.errors ? `, ${roster.load.errors} errors` : ''}`,
    pass: r >= minRatio && roster.load.errors === 0,
  };
}

/**
 * A p99 bound set for one concurrency: latency grows with the requests in flight, so a run at
 * another concurrency reports the figure but judges nothing (n/a).
 */
export function p99Check(name: string, m: Measurement, maxMs: number, atConcurrency: number, concurrency: number): TargetCheck {
  const p99 = m.load.latency.p99;
  const comparable = concurrency === atConcurrency;
  return {
    name,
    target: `p99 ≤ ${maxMs} ms at c=${atConcurrency}`,
    measured: `${ms(p99)} ms${comparable ? '' : ` at c=${concurrency}`}`,
    pass: comparable ? p99 <= maxMs : undefined,
  };
}

/** Okta encodes a filter's spaces as "+" (scim-examples/okta/03). */
export const oktaFilter = (filter: string) => encodeURIComponent(filter).replace(/%20/g, '+');
