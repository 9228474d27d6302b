import { describe, expect, it } from 'vitest';
import { testDatabaseKind, useTestDatabase } from '../support/database.ts';
import { runCli, runCliJson, SPAWNS, startServe } from '../support/cli.ts';
import { uniqueSlug } from '../support/factories.ts';

// The spawned processes own the database (PGlite allows one process per data directory).
const database = useTestDatabase({ open: false });

const env = () => ({ ...database.env, PUBLIC_URL: 'https://id.example.com' });

interface Entry {
  id: string;
  method: string;
  path: string;
  filter: string | null;
  status: number;
  scimType: string | null;
  userAgent: string | null;
}

describe(`roster directory log on ${testDatabaseKind}`, SPAWNS, () => {
  it("shows a directory's SCIM requests, all or failed only, while serving and after a stop", async () => {
    const slug = uniqueSlug('log');
    await runCliJson(['org', 'create', '--slug', slug, '--name', 'Log Inc'], env());
    const dir = await runCliJson(['directory', 'create', '--org', slug, '--provider', 'okta'], env());
    const directoryId = String(dir.id);

    const server = await startServe(env());
    let stopped = false;
    try {
      const scim = (path: string) =>
        fetch(`${server.url}/scim/v2/${directoryId}${path}`, {
          headers: { Authorization: `Bearer ${String(dir.token)}`, 'User-Agent': 'Okta SCIM Client 1.0.0' },
        });
      expect((await scim('/ServiceProviderConfig')).status).toBe(200);
      expect((await scim(`/Users?filter=${encodeURIComponent('userName eq')}`)).status).toBe(400);
      // A mistyped token is not the directory's request (the log below never shows it); the
      // server's own log line says why it was refused.
      const wrongToken = await fetch(`${server.url}/scim/v2/${directoryId}/Users`, { headers: { Authorization: 'Bearer rst_scim_mistyped' } });
      expect(wrongToken.status).toBe(401);
      await expect
        .poll(() => server.logs.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>).find((e) => e.msg === 'request' && e.status === 401), { timeout: 20_000 })
        .toMatchObject({ path: `/scim/v2/${directoryId}/Users`, reason: 'token unknown, revoked or issued for another directory' });
      // Visible through the running server once the writer's interval has passed.
      await expect
        .poll(async () => (await runCliJson<Entry[]>(['directory', 'log', '--directory', directoryId], env())).length, {
          timeout: 20_000,
          interval: 200,
        })
        .toBe(2);

      // Written on shutdown at the latest: nothing is lost when the server stops.
      expect((await scim('/Nothing')).status).toBe(404);
      expect(await server.stop()).toBe(0);
      stopped = true;
    } finally {
      if (!stopped) await server.stop();
    }

    const all = await runCliJson<Entry[]>(['directory', 'log', '--directory', directoryId], env());
    expect(all.map((e) => [e.method, e.path, e.status, e.scimType, e.filter])).toEqual([
      ['GET', '/Nothing', 404, null, null],
      ['GET', '/Users', 400, 'invalidFilter', 'userName eq'],
      ['GET', '/ServiceProviderConfig', 200, null, null],
    ]);
    expect(Object.keys(all[0]!).sort()).toEqual(
      ['durationMs', 'filter', 'id', 'method', 'path', 'requestBody', 'requestId', 'resourceId', 'resourceType', 'scimType', 'status', 'time', 'userAgent'].sort(),
    );
    expect(all[2]!.userAgent).toBe('Okta SCIM Client 1.0.0');

    const failed = await runCliJson<Entry[]>(['directory', 'log', '--org', slug, '--directory', directoryId, '--failed', '--limit', '1'], env());
    expect(failed.map((e) => e.path)).toEqual(['/Nothing']);
    const olderFailed = await runCliJson<Entry[]>(
      ['directory', 'log', '--directory', directoryId, '--failed', '--before', failed[0]!.id],
      env(),
    );
    expect(olderFailed.map((e) => e.path)).toEqual(['/Users']);

    // Both failed requests fit on one page: no next page is offered.
    const text = await runCli(['directory', 'log', '--directory', directoryId, '--failed'], env());
    expect(text.code).toBe(0);
    const lines = text.stdout.trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^\d{4}-\d{2}-\d{2}T\S+Z {2}GET +404 .*\/Nothing/);
    expect(lines[1]).toMatch(/GET +400 invalidFilter .*\/Users {2}filter="userName eq"/);

    // A full page is followed by a next page only when older failed requests exist.
    const firstPage = await runCli(['directory', 'log', '--directory', directoryId, '--failed', '--limit', '1'], env());
    expect(firstPage.stdout.trim().split('\n')).toEqual([expect.stringMatching(/\/Nothing/), `older requests: --before ${all[0]!.id}`]);
    const lastPage = await runCli(['directory', 'log', '--directory', directoryId, '--failed', '--limit', '1', '--before', all[0]!.id], env());
    expect(lastPage.stdout.trim().split('\n')).toEqual([expect.stringMatching(/\/Users/)]);
  });

  it('fails with one line for an unknown directory or a bad limit', async () => {
    const unknown = await runCli(['directory', 'log', '--directory', '0190d0a4-0000-7000-8000-0000000000ff'], env());
    expect(unknown).toMatchObject({ code: 1, stderr: 'roster: no directory "0190d0a4-0000-7000-8000-0000000000ff"\n' });

    const badLimit = await runCli(['directory', 'log', '--directory', 'x', '--limit', 'many'], env());
    expect(badLimit.code).toBe(2);
    expect(badLimit.stderr).toMatch(/^roster: option '--limit <n>' argument 'many' is invalid/);

    const tooMany = await runCli(['directory', 'log', '--directory', '0190d0a4-0000-7000-8000-0000000000ff', '--limit', '5000', '--json'], env());
    expect(tooMany.code).toBe(1);
    expect(JSON.parse(tooMany.stderr)).toMatchObject({ error: { code: 'invalid_input', message: expect.stringMatching(/^limit: /) } });
  });
});
