/**
 * PGlite is a single-process database: two processes that open one data directory corrupt it. The
 * process that opens the directory holds `DATA_DIR/roster.lock`, created exclusively and naming its
 * pid. A server also writes where it listens and a control credential into it (mode 0600), so the
 * CLI can hand its work to the server instead of opening the files underneath it.
 */
import { mkdir, open, readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';

export interface LockInfo {
  pid: number;
  role: 'server' | 'cli';
  /** Set by a server once it listens: the loopback URL of its control endpoint and the credential. */
  control?: { url: string; token: string };
}

export type LockAttempt = { acquired: true; lock: DataDirLock } | { acquired: false; holder: LockInfo };

export interface DataDirLock {
  readonly file: string;
  update(info: Omit<LockInfo, 'pid'>): Promise<void>;
  release(): Promise<void>;
}

const LOCK_FILE = 'roster.lock';
/** A lock file that stays unreadable this long was left by a process that died while writing it. */
const TORN_LOCK_GRACE_MS = 5_000;

export function lockFilePath(dataDir: string): string {
  return path.join(dataDir, LOCK_FILE);
}

/** Tries once to take the lock; a lock left by a dead process is removed and taken over. */
export async function tryAcquireDataDirLock(dataDir: string, role: LockInfo['role']): Promise<LockAttempt> {
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const file = lockFilePath(dataDir);
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const handle = await open(file, 'wx', 0o600);
      try {
        await handle.writeFile(JSON.stringify({ pid: process.pid, role } satisfies LockInfo));
      } finally {
        await handle.close();
      }
      return { acquired: true, lock: heldLock(file) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = await readLock(file);
    if (holder === 'gone') continue;
    if (holder === 'torn') {
      if (!(await olderThan(file, TORN_LOCK_GRACE_MS))) return { acquired: false, holder: { pid: 0, role: 'cli' } };
      await removeIfUnchanged(file, undefined);
      continue;
    }
    if (isAlive(holder.pid)) return { acquired: false, holder };
    await removeIfUnchanged(file, holder.pid);
  }
  const holder = await readLock(file);
  return { acquired: false, holder: typeof holder === 'string' ? { pid: 0, role: 'cli' } : holder };
}


function heldLock(file: string): DataDirLock {
  let released = false;
  return {
    file,
    async update(info) {
      if (released) throw new Error('lock already released');
      // Rewritten in place: the file was created 0600 and keeps that mode.
      await writeFile(file, JSON.stringify({ pid: process.pid, ...info } satisfies LockInfo), { mode: 0o600 });
    },
    async release() {
      if (released) return;
      released = true;
      await removeIfUnchanged(file, process.pid);
    },
  };
}

async function readLock(file: string): Promise<LockInfo | 'gone' | 'torn'> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'gone';
    throw error;
  }
  try {
    const info = JSON.parse(text) as LockInfo;
    return Number.isInteger(info.pid) && info.pid > 0 ? info : 'torn';
  } catch {
    return 'torn';
  }
}

/** Removes the lock only if it still names the pid we decided about, so a fresh lock is never lost. */
async function removeIfUnchanged(file: string, pid: number | undefined): Promise<void> {
  const current = await readLock(file);
  if (current === 'gone') return;
  if (pid !== undefined && (current === 'torn' || current.pid !== pid)) return;
  await rm(file, { force: true });
}

function isAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function olderThan(file: string, ms: number): Promise<boolean> {
  try {
    return Date.now() - (await stat(file)).mtimeMs > ms;
  } catch {
    return true;
  }
}
