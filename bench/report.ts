/**
 * What a run prints: one line per measurement as it finishes (so a long run shows progress), and
 * at the end the table of targets with PASS or FAIL. Missing a target is a result, not an error.
 */
import type { DbCounters } from './database.ts';
import type { LoadResult } from './load.ts';

export interface Measurement {
  /** What was measured, e.g. "roster GET /Users?filter=userName eq". */
  label: string;
  load: LoadResult;
  /** Database work during the measured phase and its warm-up. */
  db?: DbCounters | undefined;
  /** CPU seconds during the measured phase and its warm-up; undefined where /proc could not tell. */
  cpu?: { server: number | undefined; postgres: number | undefined; generator: number } | undefined;
  /** Wall time the db and cpu figures cover. */
  wallMs?: number | undefined;
}

export interface TargetCheck {
  name: string;
  target: string;
  measured: string;
  /** undefined: measured in conditions the target was not set for (printed n/a). */
  pass: boolean | undefined;
}

const out = (line: string) => process.stdout.write(`${line}\n`);

export const say = out;

export function heading(title: string): void {
  out('');
  out(`== ${title}`);
}

export const ms = (value: number) => (value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value.toFixed(2));
export const rate = (value: number) => (value >= 100 ? Math.round(value).toLocaleString('en-US') : value.toFixed(1));
export const ratio = (value: number) => (Number.isFinite(value) ? `${value.toFixed(2)}×` : 'n/a');

function dbPerRequest(m: Measurement): string {
  if (!m.db) return '';
  const n = Math.max(1, m.load.sent);
  const per = (v: number) => (v / n).toFixed(v / n >= 10 ? 0 : 2);
  return `  db/req: commits ${per(m.db.commits)}, ins ${per(m.db.inserted)}, upd ${per(m.db.updated)}, fetched ${per(m.db.fetched)}`;
}

/**
 * Where a request's time goes: CPU per request in the server process, in the PostgreSQL backends
 * and in the load generator, and how busy each was. With every core shared, the side that uses
 * the most CPU per request is the one that sets the throughput.
 */
function cpuPerRequest(m: Measurement): string {
  if (!m.cpu || !m.wallMs) return '';
  const n = Math.max(1, m.load.sent);
  const wallS = m.wallMs / 1000;
  const part = (name: string, seconds: number | undefined) =>
    seconds === undefined ? `${name} ?` : `${name} ${((seconds * 1000) / n).toFixed(3)} ms (${((seconds / wallS) * 100).toFixed(0)}%)`;
  return `  cpu/req: ${part('server', m.cpu.server)}, ${part('postgres', m.cpu.postgres)}, ${part('load gen', m.cpu.generator)}`;
}

/** One measurement: throughput, latency, and what went wrong if anything did. */
export function printMeasurement(m: Measurement): void {
  const { load } = m;
  out(
    `${m.label.padEnd(58)} ${rate(load.rps).padStart(8)} req/s   p50 ${ms(load.latency.p50).padStart(6)} ms   p99 ${ms(load.latency.p99).padStart(6)} ms   n=${load.requests}${load.errors ? `   ERRORS ${load.errors}` : ''}`,
  );
  const db = dbPerRequest(m);
  if (db) out(`${''.padEnd(58)}${db}`);
  const cpu = cpuPerRequest(m);
  if (cpu) out(`${''.padEnd(58)}${cpu}`);
  for (const sample of load.errorSamples) out(`${''.padEnd(6)}error: ${sample}`);
}

/** Roster against the baseline: the ratio of throughputs and of p99 latencies. */
export function printComparison(roster: Measurement, baseline: Measurement, against = 'baseline'): void {
  const r = roster.load.rps / baseline.load.rps;
  const p = roster.load.latency.p99 / baseline.load.latency.p99;
  out(`${`  → roster ÷ ${against}`.padEnd(58)} ${ratio(r).padStart(8)} req/s   p99 ${ratio(p)} of ${against}`);
}

export function printTargets(checks: readonly TargetCheck[]): void {
  heading('Targets');
  if (checks.length === 0) {
    out('(none among the scenarios run)');
    return;
  }
  const nameWidth = Math.max(10, ...checks.map((c) => c.name.length));
  const targetWidth = Math.max(10, ...checks.map((c) => c.target.length));
  out(`${'scenario'.padEnd(nameWidth)}  ${'target'.padEnd(targetWidth)}  result  measured`);
  for (const c of checks) {
    const result = c.pass === undefined ? 'n/a' : c.pass ? 'PASS' : 'FAIL';
    out(`${c.name.padEnd(nameWidth)}  ${c.target.padEnd(targetWidth)}  ${result.padEnd(6)}  ${c.measured}`);
  }
  const judged = checks.filter((c) => c.pass !== undefined);
  const passed = judged.filter((c) => c.pass).length;
  const unjudged = checks.length - judged.length;
  out('');
  out(`${passed} of ${judged.length} targets met${unjudged > 0 ? ` (${unjudged} not judged: n/a)` : ''}.`);
}
