/**
 * The processes a run starts: Roster (`node bin/roster.js serve`), the baseline server, and the
 * `roster` CLI for setup. Each is started here and stopped here, by its own pid.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sendOnce } from './load.ts';
import type { Flags } from './measure.ts';
import type { TargetCheck } from './report.ts';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Variables Roster reads; the caller's values would change what is measured, so none is inherited. */
const ROSTER_VARIABLES = [
  'PORT',
  'HOST',
  'PUBLIC_URL',
  'LOG_LEVEL',
  'DATABASE_URL',
  'DATA_DIR',
  'ROSTER_SECRET',
  'MAX_BODY_BYTES',
  'SHUTDOWN_TIMEOUT_MS',
  'SCIM_RATE_LIMIT_PER_MINUTE',
  'SCIM_REQUEST_LOG_RETENTION_DAYS',
];

function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of ROSTER_VARIABLES) delete env[name];
  return { ...env, ...extra };
}

/**
 * A port that was free a moment ago. Roster logs its "listening" line only at LOG_LEVEL=info,
 * which would also log every request; picking the port first lets it run at warn.
 */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  await once(server, 'close');
  if (address === null || typeof address === 'string') throw new Error('could not find a free port');
  return address.port;
}

export interface Started {
  child: ChildProcess;
  origin: string;
  logFile: string;
}

export interface RosterSettings {
  databaseUrl: string;
  secret: string;
  rateLimitPerMinute: number;
  logFile: string;
  /** Extra node options, e.g. --cpu-prof to see where Roster's time goes. */
  nodeArgs?: string[];
}

/** Starts Roster on the run's database and resolves once /readyz answers 200. */
export async function startRoster(settings: RosterSettings): Promise<Started> {
  const port = await freePort();
  const log = createWriteStream(settings.logFile, { flags: 'a' });
  const child = spawn(process.execPath, [...(settings.nodeArgs ?? []), path.join(REPO_ROOT, 'bin/roster.js'), 'serve'], {
    cwd: REPO_ROOT,
    env: cleanEnv({
      DATABASE_URL: settings.databaseUrl,
      ROSTER_SECRET: settings.secret,
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      SCIM_RATE_LIMIT_PER_MINUTE: String(settings.rateLimitPerMinute),
    }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  const origin = `http://127.0.0.1:${port}`;
  await waitReady(child, origin, '/readyz', settings.logFile);
  return { child, origin, logFile: settings.logFile };
}

async function waitReady(child: ChildProcess, origin: string, probe: string, logFile: string): Promise<void> {
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`the server exited (${child.exitCode ?? child.signalCode}) before it was ready:\n${tail(logFile)}`);
    }
    try {
      const res = await sendOnce(origin, { method: 'GET', path: probe, expect: [200] }, 2000);
      if (res.status === 200) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`the server at ${origin} was not ready within 90 s:\n${tail(logFile)}`);
}

function tail(file: string): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-20).join('\n');
  } catch {
    return '(no log)';
  }
}

/** Starts bench/baseline-server.ts and resolves with its origin once it prints its port. */
export async function startBaseline(databaseUrl: string, directoryId: string, maxPipeline: number, logFile: string): Promise<Started> {
  // TypeScript through tsx, as the bench itself runs; once loaded it is plain JavaScript.
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(REPO_ROOT, 'bench/baseline-server.ts')], {
    cwd: REPO_ROOT,
    env: cleanEnv({
      BASELINE_DATABASE_URL: databaseUrl,
      BASELINE_DIRECTORY_ID: directoryId,
      BASELINE_MAX_PIPELINE: String(maxPipeline),
      PORT: '0',
    }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const log = createWriteStream(logFile, { flags: 'a' });
  child.stderr?.pipe(log);
  const port = await new Promise<number>((resolve, reject) => {
    let buffered = '';
    const timer = setTimeout(() => reject(new Error(`the baseline server did not start within 30 s:\n${tail(logFile)}`)), 30_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const line = buffered.split('\n').find((l) => l.startsWith('{"port"'));
      if (line) {
        clearTimeout(timer);
        resolve((JSON.parse(line) as { port: number }).port);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the baseline server exited (${code}):\n${tail(logFile)}`));
    });
  });
  return { child, origin: `http://127.0.0.1:${port}`, logFile };
}

/**
 * Why a server this run started is gone, or undefined while it runs. A server that dies during a
 * phase (a crash, or another user of a shared machine killing it) would otherwise show up only as
 * a burst of connection errors.
 */
export function exitReason(child: ChildProcess): string | undefined {
  if (child.signalCode !== null) return `killed by ${child.signalCode}`;
  if (child.exitCode !== null) return `exited with code ${child.exitCode}`;
  return undefined;
}

/** SIGTERM, then SIGKILL if the process has not exited after `graceMs`. */
export async function stopProcess(child: ChildProcess, graceMs = 15_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

/** Resident memory of a process in MiB, from /proc (Linux). */
export function rssMiB(pid: number): number | undefined {
  try {
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

let clockTicks: number | undefined;

/** Clock ticks per second of /proc/<pid>/stat times (USER_HZ, 100 on nearly every Linux). */
function ticksPerSecond(): number {
  if (clockTicks === undefined) {
    const out = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' });
    const n = Number(out.stdout?.trim());
    clockTicks = Number.isInteger(n) && n > 0 ? n : 100;
  }
  return clockTicks;
}

/**
 * CPU seconds (user + system) a process has used so far, from /proc (Linux); undefined when the
 * process is not on this machine or is gone.
 */
export function cpuSeconds(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name may contain spaces; the fields after its closing parenthesis do not.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    return Number.isFinite(utime) && Number.isFinite(stime) ? (utime + stime) / ticksPerSecond() : undefined;
  } catch {
    return undefined;
  }
}

/** Runs one `roster … --json` command against the run's database and returns its JSON output. */
export async function rosterCli(args: string[], env: { databaseUrl: string; secret: string; publicUrl: string }): Promise<unknown> {
  const child = spawn(process.execPath, [path.join(REPO_ROOT, 'bin/roster.js'), ...args, '--json'], {
    cwd: REPO_ROOT,
    env: cleanEnv({ DATABASE_URL: env.databaseUrl, ROSTER_SECRET: env.secret, PUBLIC_URL: env.publicUrl, LOG_LEVEL: 'warn' }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  const [code] = (await once(child, 'exit')) as [number | null];
  clearTimeout(timer);
  if (code !== 0) throw new Error(`roster ${args.join(' ')} failed (${code}): ${err.trim()}`);
  return JSON.parse(out) as unknown;
}

/** What a scenario that runs a Roster of its own is given (`--only=sso`, `--only=admin`). */
export interface OwnRosterRun {
  flags: Flags;
  /** The run's database. */
  databaseUrl: string;
  secret: string;
  workDir: string;
  /** What the run stops at its end or on Ctrl-C; the scenario's own Roster goes in here. */
  started: Started[];
  checks: TargetCheck[];
}

/** Starts the scenario's Roster (under --cpu-prof when asked), logging to `logName` in the work dir. */
export async function startOwnRoster(run: OwnRosterRun, logName: string): Promise<Started> {
  const roster = await startRoster({
    databaseUrl: run.databaseUrl,
    secret: run.secret,
    rateLimitPerMinute: run.flags.rateLimit,
    logFile: path.join(run.workDir, logName),
    nodeArgs: run.flags.cpuProf ? ['--cpu-prof', `--cpu-prof-dir=${run.workDir}`] : [],
  });
  run.started.push(roster);
  return roster;
}

/** Stops the scenario's Roster and takes it off the run's list. */
export async function stopOwnRoster(run: OwnRosterRun, roster: Started): Promise<void> {
  await stopProcess(roster.child).catch(() => {});
  const at = run.started.indexOf(roster);
  if (at >= 0) run.started.splice(at, 1);
}
