import { access } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { testDatabaseKind, useTestDatabase } from '../support/database.ts';
import { runCli, runCliJson, SPAWNS, startServe } from '../support/cli.ts';
import { uniqueSlug } from '../support/factories.ts';

// The spawned processes own the database (PGlite allows one process per data directory).
const database = useTestDatabase({ open: false });

const env = () => ({ ...database.env, PUBLIC_URL: 'https://id.example.com' });

describe(`roster CLI on ${testDatabaseKind}, no server running`, SPAWNS, () => {
  it('creates an organization and a directory with the promised JSON fields', async () => {
    const slug = uniqueSlug('acme');
    const org = await runCliJson(['org', 'create', '--slug', slug, '--name', 'Acme Inc'], env());
    expect(Object.keys(org).sort()).toEqual(['id', 'name', 'slug']);
    expect(org).toMatchObject({ slug, name: 'Acme Inc' });

    const dir = await runCliJson(['directory', 'create', '--org', slug, '--provider', 'okta'], env());
    expect(dir).toMatchObject({ organization: slug, provider: 'okta' });
    expect(Object.keys(dir)).toEqual(expect.arrayContaining(['id', 'organization', 'provider', 'scimBaseUrl', 'token']));
    expect(dir.scimBaseUrl).toBe(`https://id.example.com/scim/v2/${String(dir.id)}`);
    expect(dir.token).toMatch(/^rst_scim_/);

    const dirs = await runCliJson<Record<string, unknown>[]>(['directory', 'list', '--org', slug], env());
    expect(dirs).toEqual([expect.objectContaining({ id: dir.id, liveTokens: 1 })]);
    expect(JSON.stringify(dirs)).not.toContain(String(dir.token));

    const orgs = await runCliJson<Record<string, unknown>[]>(['org', 'list'], env());
    expect(orgs).toEqual(expect.arrayContaining([expect.objectContaining({ id: org.id, slug })]));
  });

  it('rotates and revokes directory tokens', async () => {
    const slug = uniqueSlug();
    await runCliJson(['org', 'create', '--slug', slug, '--name', 'Rotate'], env());
    const dir = await runCliJson(['directory', 'create', '--org', slug, '--provider', 'entra', '--name', 'Entra prod'], env());
    const second = await runCliJson(['directory', 'token', 'create', '--org', slug, '--directory', String(dir.id)], env());
    expect(second).toMatchObject({ directory: dir.id, token: expect.stringMatching(/^rst_scim_/) });
    const revoked = await runCliJson(
      ['directory', 'token', 'revoke', '--org', slug, '--directory', String(dir.id), '--token', String(dir.tokenId)],
      env(),
    );
    expect(revoked).toMatchObject({ id: dir.tokenId, revokedAt: expect.any(String) });
    const tokens = await runCliJson<{ id: string; revokedAt: string | null }[]>(
      ['directory', 'token', 'list', '--org', slug, '--directory', String(dir.id)],
      env(),
    );
    expect(tokens.map((t) => ({ id: t.id, live: t.revokedAt === null }))).toEqual([
      { id: dir.tokenId, live: false },
      { id: second.id, live: true },
    ]);
  });

  it('creates an operator API key as {id, key}', async () => {
    const key = await runCliJson(['api-key', 'create'], env());
    expect(key).toMatchObject({ id: expect.any(String), key: expect.stringMatching(/^rst_key_/) });
  });

  it('fails with one line and a non-zero exit code', async () => {
    const slug = uniqueSlug();
    await runCliJson(['org', 'create', '--slug', slug, '--name', 'Dup'], env());
    const dup = await runCli(['org', 'create', '--slug', slug, '--name', 'Dup'], env());
    expect(dup.code).toBe(1);
    expect(dup.stderr).toBe(`roster: an organization with slug "${slug}" already exists\n`);
    expect(dup.stdout).toBe('');

    const dupJson = await runCli(['org', 'create', '--slug', slug, '--name', 'Dup', '--json'], env());
    expect(dupJson.code).toBe(1);
    expect(JSON.parse(dupJson.stderr)).toEqual({
      error: { code: 'conflict', message: `an organization with slug "${slug}" already exists` },
    });

    const missingOrg = await runCli(['directory', 'create', '--org', 'nope-nope', '--provider', 'okta'], env());
    expect(missingOrg).toMatchObject({ code: 1, stderr: 'roster: no organization with slug "nope-nope"\n' });

    const badProvider = await runCli(['directory', 'create', '--org', slug, '--provider', 'ldap'], env());
    expect(badProvider.code).toBe(2);
    expect(badProvider.stderr.trim().split('\n')).toHaveLength(1);
    expect(badProvider.stderr).toMatch(/^roster: option '--provider <provider>' argument 'ldap' is invalid/);

    const badConfig = await runCli(['org', 'list'], { ...env(), PORT: 'x' });
    expect(badConfig).toMatchObject({ code: 1, stderr: 'roster: invalid configuration: PORT must be a whole number from 0 to 65535 (got "x")\n' });
  });
});

describe(`roster CLI on ${testDatabaseKind}, while roster serve runs`, SPAWNS, () => {
  it('works through the running server, and everything survives a restart', async () => {
    const server = await startServe(env());
    let stopped = false;
    try {
      const slug = uniqueSlug('live');
      const org = await runCliJson(['org', 'create', '--slug', slug, '--name', 'Live Inc'], env());
      const dir = await runCliJson(['directory', 'create', '--org', slug, '--provider', 'okta'], env());

      // The token the CLI printed opens the directory on the running server, over real HTTP.
      const scim = await fetch(`${server.url}/scim/v2/${String(dir.id)}/ServiceProviderConfig`, {
        headers: { Authorization: `Bearer ${String(dir.token)}` },
      });
      expect(scim.status).toBe(200);

      if (testDatabaseKind === 'pglite') {
        // The CLI must not have opened the files under the server: its commands went through the server.
        const controlCalls = server.logs.filter((l) => l.includes('/_roster/control/'));
        expect(controlCalls.length).toBeGreaterThanOrEqual(2);
        const second = await startServe(env()).then(
          async (s) => {
            await s.stop();
            return 'started';
          },
          (e: Error) => e.message,
        );
        expect(second).toMatch(/another Roster server \(pid \d+\) is already running on/);
      }

      expect(await server.stop()).toBe(0);
      stopped = true;
      if (testDatabaseKind === 'pglite') {
        await expect(access(path.join(database.env.DATA_DIR!, 'roster.lock'))).rejects.toThrow();
      }

      // No server now: the CLI reads the same data directly.
      const orgs = await runCliJson<{ id: string }[]>(['org', 'list'], env());
      expect(orgs.map((o) => o.id)).toContain(org.id);

      // And a restarted server still honours the token.
      const again = await startServe(env());
      try {
        const after = await fetch(`${again.url}/scim/v2/${String(dir.id)}/ServiceProviderConfig`, {
          headers: { Authorization: `Bearer ${String(dir.token)}` },
        });
        expect(after.status).toBe(200);
        expect((await fetch(`${again.url}/readyz`)).status).toBe(200);
      } finally {
        expect(await again.stop()).toBe(0);
      }
    } finally {
      if (!stopped) await server.stop();
    }
  });
});
