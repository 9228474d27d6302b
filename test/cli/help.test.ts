import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { parseConfig } from '../../src/config.ts';
import { DIRECTORY_PROVIDERS } from '../../src/directory/index.ts';
import { DIRECTORY_PROVIDER_CHOICES, ENVIRONMENT } from '../../src/cli/help.ts';
import { BIN, runCli, SPAWNS } from '../support/cli.ts';

/** The CLI in this process, its output captured. */
async function cli(...args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(['node', 'roster', ...args], { out: (l) => out.push(l), err: (l) => err.push(l), env: {} });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

/** Every command below `roster`, found by reading the help as a user would. */
async function commandPaths(prefix: string[] = []): Promise<string[][]> {
  const { out } = await cli(...prefix, '--help');
  const section = out.split('Commands:\n')[1] ?? '';
  const names = [...section.matchAll(/^ {2}(\S+)/gm)].map((m) => m[1]!).filter((n) => n !== 'help');
  const paths: string[][] = [];
  for (const name of names) {
    const sub = [...prefix, name];
    const children = await commandPaths(sub);
    paths.push(...(children.length > 0 ? children : [sub]));
  }
  return paths;
}

describe('roster help', () => {
  it('opens with what works today and what does not yet', async () => {
    const { code, out } = await cli('--help');
    expect(code).toBe(0);
    expect(out).toContain('Works today: SCIM 2.0 directories for Okta and Microsoft Entra ID');
    expect(out).toContain('SSO through each organization');
    expect(out).toContain('members, roles, teams');
    expect(out).toMatch(/Not yet \(planned\): provisioning modes/);
  });

  it('gives every command an example of itself under its options', async () => {
    const paths = await commandPaths();
    expect(paths.map((p) => p.join(' '))).toEqual(expect.arrayContaining(['serve', 'org create', 'directory token create', 'directory delete']));
    for (const p of paths) {
      const { code, out } = await cli(...p, '--help');
      expect(code, p.join(' ')).toBe(0);
      expect(out, p.join(' ')).toMatch(new RegExp(`\\nExample:\\n {2}(\\S+=\\S+ )*roster ${p.join(' ')}( |$)`));
    }
  });

  it('lists, under serve, every environment variable the configuration reads, with its default', async () => {
    const read = new Set<string>();
    const spy = new Proxy({}, { get: (_t, key) => (typeof key === 'string' && /^[A-Z_]+$/.test(key) && read.add(key), undefined) });
    parseConfig(spy);
    expect(ENVIRONMENT.map((v) => v.name).sort()).toEqual([...read].sort());

    const { out } = await cli('serve', '--help');
    const defaults = parseConfig({});
    for (const v of ENVIRONMENT) expect(out).toContain(`${v.name}=${v.fallback}`);
    expect(out).toContain(`PORT=${defaults.port} `);
    expect(out).toContain(`SCIM_RATE_LIMIT_PER_MINUTE=${defaults.scimRateLimitPerMinute} `);
  });

  it('offers the providers the domain accepts', () => {
    // The CLI keeps its own copy so that its help need not load the domain.
    expect([...DIRECTORY_PROVIDER_CHOICES]).toEqual([...DIRECTORY_PROVIDERS]);
  });

  it('refuses --json on serve, whose logs are JSON lines already', async () => {
    const { code, err } = await cli('serve', '--json');
    expect(code).toBe(2);
    expect(err).toContain("unknown option '--json'");
  });
});

describe('the built roster command', SPAWNS, () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'roster-help-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('prints its version, and `roster help <command...>` shows that command at any depth', async () => {
    const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(await runCli(['--version'], {})).toMatchObject({ code: 0, stdout: `${version}\n` });
    const help = await runCli(['help', 'directory', 'token', 'create'], {});
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: roster directory token create \[options\]/);
    expect(help.stdout).toContain('--directory <id>');
  });

  it('loads neither the server nor a database driver nor the configuration to print its help', async () => {
    // A resolve hook records every module the process loads.
    const log = path.join(dir, 'modules.log');
    const hooks = `import { appendFileSync } from 'node:fs';
      export async function resolve(specifier, context, next) {
        const resolved = await next(specifier, context);
        appendFileSync(${JSON.stringify(log)}, resolved.url + '\\n');
        return resolved;
      }`;
    const register = `import { register } from 'node:module'; register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(hooks)}`)});`;
    const code = await new Promise<number | null>((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', `data:text/javascript,${encodeURIComponent(register)}`, BIN, '--help'], { stdio: 'ignore' });
      child.on('error', reject);
      child.on('close', resolve);
    });
    expect(code).toBe(0);
    const loaded = readFileSync(log, 'utf8');
    expect(loaded).toContain('/dist/cli/main.js');
    for (const heavy of ['/node_modules/postgres/', '/node_modules/@electric-sql/pglite/', '/node_modules/hono/', '/node_modules/drizzle-orm/', '/node_modules/zod/', '/dist/server.js', '/dist/config.js']) {
      expect(loaded, heavy).not.toContain(heavy);
    }
  });
});
