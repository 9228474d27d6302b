// Compiles src/ into dist/ (tsconfig.build.json), which is what the `roster` command and the
// package run. `node bin/build.js` builds when dist/ is missing or older than the sources (what
// `npm start` and the test suite's setup call); `--clean` always builds (`npm run build`, prepack).
//
// Several processes may ask at once (test workers, a second terminal): a lock directory makes them
// take turns, and the new build is written beside dist/ and swapped in whole, so a command that
// starts meanwhile loads either the old build or the new one, never half of each.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DIST = path.join(ROOT, 'dist');
const STAMP = path.join(DIST, '.built');
const LOCK = path.join(ROOT, '.dist-building');
/** What a build is made from: the sources (folders too, so a deleted file counts) and the settings. */
const INPUTS = ['src', 'tsconfig.json', 'tsconfig.build.json', 'package.json'];
/** A lock older than this was left by a build that died. */
const STALE_LOCK_MS = 5 * 60_000;

function newestInput() {
  let newest = 0;
  const visit = (file) => {
    const stat = statSync(file);
    newest = Math.max(newest, stat.mtimeMs);
    if (stat.isDirectory()) for (const name of readdirSync(file)) visit(path.join(file, name));
  };
  for (const input of INPUTS) visit(path.join(ROOT, input));
  return newest;
}

/** True when dist/ holds a complete build at least as new as every input. */
export function isFresh() {
  return existsSync(STAMP) && statSync(STAMP).mtimeMs >= newestInput();
}

function compile() {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const out = `${DIST}.next-${process.pid}`;
  rmSync(out, { recursive: true, force: true });
  // Types are checked by `npm run typecheck`; the build only emits, which takes a fraction of the time.
  const result = spawnSync(process.execPath, [tsc, '-p', path.join(ROOT, 'tsconfig.build.json'), '--noCheck', '--outDir', out], {
    cwd: ROOT,
    stdio: 'inherit',
  });
  if (result.status !== 0) {
    rmSync(out, { recursive: true, force: true });
    throw new Error(`the build failed (tsc exited with ${result.status ?? result.signal})`);
  }
  writeFileSync(path.join(out, '.built'), `${new Date().toISOString()}\n`);
  const old = `${DIST}.old-${process.pid}`;
  if (existsSync(DIST)) renameSync(DIST, old);
  renameSync(out, DIST);
  rmSync(old, { recursive: true, force: true });
}

function tryLock() {
  try {
    mkdirSync(LOCK);
    return true;
  } catch (error) {
    if (error.code !== 'EEXIST') throw error;
    if (Date.now() - statSync(LOCK).mtimeMs > STALE_LOCK_MS) rmSync(LOCK, { recursive: true, force: true });
    return false;
  }
}

/** Builds dist/ unless it is fresh (or always, with `force`); resolves to whether it built. */
export async function build({ force = false } = {}) {
  for (;;) {
    if (!force && isFresh()) return false;
    if (tryLock()) break;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  try {
    // Another process may have built while this one waited for the lock.
    if (!force && isFresh()) return false;
    compile();
    return true;
  } finally {
    rmSync(LOCK, { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    const built = await build({ force: process.argv.includes('--clean') });
    if (built && !process.argv.includes('--quiet')) process.stderr.write('roster: built dist/\n');
  } catch (error) {
    process.stderr.write(`roster: ${error.message}\n`);
    process.exitCode = 1;
  }
}
