/**
 * Runs the real `roster` executable as a separate process, as an operator would: the built one in
 * dist/ (package.json "bin"), which the suite's global setup (global-setup-build.ts) brings up to
 * date with the sources before any test runs.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const BIN = fileURLToPath(new URL('../../dist/cli/bin.js', import.meta.url));

/**
 * Test options for tests that spawn the CLI several times. Each command is a process that opens the
 * database (an embedded one takes a second idle, several on a busy machine): a test of ten
 * commands keeps a margin of several times its idle duration, for a machine twice as slow and busy.
 */
export const SPAWNS = { timeout: 180_000 } as const;

/** How long `roster serve` may take to listen: a migration on a busy machine included. */
const SERVE_START_MS = 90_000;

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

function childEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  // Only what a real operator's shell would hold: nothing of the test database selection leaks in.
  const { DATABASE_URL: _d, DATA_DIR: _a, ROSTER_SECRET: _s, PUBLIC_URL: _p, PORT: _o, ...rest } = process.env;
  return { ...rest, LOG_LEVEL: 'info', ...env };
}

export function runCli(args: string[], env: Record<string, string>): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: childEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

export async function runCliJson<T = Record<string, unknown>>(args: string[], env: Record<string, string>): Promise<T> {
  const result = await runCli([...args, '--json'], env);
  if (result.code !== 0) throw new Error(`roster ${args.join(' ')} failed (${result.code}): ${result.stderr}`);
  return JSON.parse(result.stdout) as T;
}

export interface ServerProcess {
  child: ChildProcess;
  /** Where it listens (from its "listening" log line). */
  url: string;
  logs: string[];
  /** Sends SIGTERM and resolves with the exit code. */
  stop(): Promise<number | null>;
  exited: Promise<number | null>;
}

/** Starts `roster serve` on a free port and waits for it to listen. */
export function startServe(env: Record<string, string>): Promise<ServerProcess> {
  const child = spawn(process.execPath, [BIN, 'serve'], {
    env: childEnv({ PORT: '0', ...env }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: string[] = [];
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    let buffer = '';
    const timer = setTimeout(() => reject(new Error(`roster serve did not start:\n${logs.join('\n')}`)), SERVE_START_MS);
    const onLine = (line: string) => {
      logs.push(line);
      try {
        const entry = JSON.parse(line) as { msg?: string; listen?: string };
        if (entry.msg === 'listening' && entry.listen) {
          clearTimeout(timer);
          resolve({
            child,
            url: entry.listen,
            logs,
            exited,
            stop: () => {
              child.kill('SIGTERM');
              return exited;
            },
          });
        }
      } catch {
        // Not every line is a log entry (stderr of the runtime, for one).
      }
    };
    const feed = (d: Buffer) => {
      buffer += d.toString();
      let i: number;
      while ((i = buffer.indexOf('\n')) >= 0) {
        onLine(buffer.slice(0, i));
        buffer = buffer.slice(i + 1);
      }
    };
    child.stdout!.on('data', feed);
    child.stderr!.on('data', feed);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`roster serve exited with ${code} before listening:\n${logs.join('\n')}`));
    });
  });
}

/**
 * stderr without oidc-provider's notice that it prefers Node.js 22 (printed on Node.js 20 when a
 * command loads the SSO module): what remains is the command's own output.
 */
export const ownLines = (stderr: string) => stderr.split('\n').filter((line) => line !== '' && !line.startsWith('oidc-provider WARNING:'));
