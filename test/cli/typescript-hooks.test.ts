import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const REGISTER = path.resolve(import.meta.dirname, '../../bin/typescript-register.js');
const dir = mkdtempSync(path.join(tmpdir(), 'roster-hooks-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function run(source: string) {
  const file = path.join(dir, `probe-${Math.random().toString(36).slice(2)}.ts`);
  writeFileSync(file, source);
  const result = spawnSync(process.execPath, ['--import', REGISTER, file], { encoding: 'utf8' });
  return { file, ...result };
}

describe('the TypeScript hooks the roster command loads its sources with', () => {
  it('runs TypeScript without wrapping named closures in name-keeping calls', () => {
    const { stdout, stderr, status } = run(`
      interface Shape { n: number }
      export function outer(shape: Shape): () => number { const inner = (): number => shape.n; return inner; }
      console.log(JSON.stringify({ value: outer({ n: 7 })(), wrapped: outer.toString().includes('__name'), name: outer({ n: 1 }).name }));
    `);
    expect(stderr).toBe('');
    expect(status).toBe(0);
    expect(JSON.parse(stdout)).toEqual({ value: 7, wrapped: false, name: 'inner' });
  });

  it('reports errors at their line in the .ts file', () => {
    const { file, stderr, status } = run(`type Unused = string;\n\nthrow new Error('from line three');\n`);
    expect(status).not.toBe(0);
    expect(stderr).toContain(`${file}:3`);
  });
});
