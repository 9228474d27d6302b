import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

// patches/postgres+*.patch is applied by `npm ci` (postinstall). Without it, a pipelining pool's
// busy queue piles up holes and throughput falls within minutes (porsager/postgres#747); the
// install fails when the patch no longer applies, and this says so if it was skipped.
describe('the postgres.js queue patch', () => {
  it('is applied to both builds of the installed driver', () => {
    const root = path.dirname(createRequire(import.meta.url).resolve('postgres'));
    const packageDir = root.slice(0, root.lastIndexOf(`${path.sep}postgres${path.sep}`) + `${path.sep}postgres`.length);
    for (const build of ['src/queue.js', 'cjs/src/queue.js']) {
      const source = readFileSync(path.join(packageDir, build), 'utf8');
      expect(source, build).toContain('xs.indexOf(x, index)');
      expect(source, build).toContain('xs = xs.slice(index)');
    }
  });
});
