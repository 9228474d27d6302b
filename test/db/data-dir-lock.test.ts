import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { lockFilePath, tryAcquireDataDirLock } from '../../src/db/data-dir-lock.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'roster-lock-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A pid that certainly belonged to a process that has exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  return Number(child.stdout.toString());
}

describe('data directory lock', () => {
  it('is exclusive, readable only by its owner, and gone once released', async () => {
    const first = await tryAcquireDataDirLock(dir, 'cli');
    expect(first.acquired).toBe(true);
    expect((await stat(lockFilePath(dir))).mode & 0o777).toBe(0o600);
    const second = await tryAcquireDataDirLock(dir, 'server');
    expect(second).toEqual({ acquired: false, holder: { pid: process.pid, role: 'cli' } });
    if (first.acquired) await first.lock.release();
    await expect(stat(lockFilePath(dir))).rejects.toThrow();
  });

  it('tells the CLI where a ready server listens', async () => {
    const attempt = await tryAcquireDataDirLock(dir, 'server');
    if (!attempt.acquired) throw new Error('expected the lock');
    const lockFile = async () => JSON.parse(await readFile(lockFilePath(dir), 'utf8')) as unknown;
    expect(await lockFile()).toEqual({ pid: process.pid, role: 'server' });
    await attempt.lock.update({ role: 'server', control: { url: 'http://127.0.0.1:1234', token: 't' } });
    expect(await lockFile()).toEqual({ pid: process.pid, role: 'server', control: { url: 'http://127.0.0.1:1234', token: 't' } });
    expect((await stat(lockFilePath(dir))).mode & 0o777).toBe(0o600);
    await attempt.lock.release();
  });

  it('takes over a lock left by a process that died', async () => {
    await writeFile(lockFilePath(dir), JSON.stringify({ pid: deadPid(), role: 'server', control: { url: 'x', token: 'y' } }));
    const attempt = await tryAcquireDataDirLock(dir, 'cli');
    expect(attempt.acquired).toBe(true);
    expect(JSON.parse(await readFile(lockFilePath(dir), 'utf8'))).toEqual({ pid: process.pid, role: 'cli' });
  });

  it('waits on a torn lock file while it is fresh, and takes it over once stale', async () => {
    await writeFile(lockFilePath(dir), '{"pid":');
    expect((await tryAcquireDataDirLock(dir, 'cli')).acquired).toBe(false);
    const old = new Date(Date.now() - 60_000);
    await utimes(lockFilePath(dir), old, old);
    expect((await tryAcquireDataDirLock(dir, 'cli')).acquired).toBe(true);
  });

  it('never removes a lock that another process took in the meantime', async () => {
    const first = await tryAcquireDataDirLock(dir, 'server');
    if (!first.acquired) throw new Error('expected the lock');
    await writeFile(lockFilePath(dir), JSON.stringify({ pid: 1, role: 'cli' }));
    await first.lock.release();
    expect(JSON.parse(await readFile(lockFilePath(dir), 'utf8'))).toEqual({ pid: 1, role: 'cli' });
  });
});
