import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { rowsOf, type DatabaseHandle } from '../../src/db/index.ts';
import { createDirectory } from '../../src/directory/index.ts';
import { buildTestApp, TEST_PUBLIC_URL } from '../support/app.ts';
import { runCli, runCliJson } from '../support/cli.ts';
import { testDatabaseKind, useTestDatabase, withDatabaseOf } from '../support/database.ts';
import { rowsOfDirectory } from '../support/directory-seed.ts';
import { createTestOrganization } from '../support/factories.ts';
import { clientFor } from '../support/scim-client.ts';

// The spawned processes own the database while they run (PGlite allows one process per data
// directory), so the test opens it itself only between them, and closes it before the next.
const database = useTestDatabase({ open: false });

const env = () => ({ ...database.env, PUBLIC_URL: 'https://id.example.com' });

const withDatabase = <T>(work: (handle: DatabaseHandle) => Promise<T>) => withDatabaseOf(database.env, work);

interface ListedDirectory {
  id: string;
  lastRequestAt: string | null;
}

describe(`roster directory delete and list on ${testDatabaseKind}`, () => {
  // Three spawned commands and two openings of the database in process: slow on the embedded one.
  const slow = { timeout: 120_000 };
  it('deletes a directory with what it holds, and lists the others with their last request time', slow, async () => {
    // Set up in process rather than by more spawned commands: the commands under test are below.
    const setup = await withDatabase(async (handle) => {
      const org = await createTestOrganization(handle);
      const doomed = await createDirectory(org, { provider: 'okta' });
      const kept = await createDirectory(org, { provider: 'entra' });
      const { app } = buildTestApp(handle);
      const doomedScim = clientFor(app, `${TEST_PUBLIC_URL}/scim/v2/${doomed.directory.id}`, doomed.token.token);
      const alice = await doomedScim.createUser('alice@example.com');
      await doomedScim.createGroup('Sales', [alice.id]);
      const keptScim = clientFor(app, `${TEST_PUBLIC_URL}/scim/v2/${kept.directory.id}`, kept.token.token);
      expect((await keptScim.send('GET', '/Users')).status).toBe(200);
      return { slug: org.organization.slug, doomed, kept };
    });
    const doomedId = setup.doomed.directory.id;

    const deleted = await runCliJson(['directory', 'delete', '--org', setup.slug, doomedId], env());
    expect(deleted).toEqual({ id: doomedId, deleted: true, users: 1, groups: 1, tokens: 1 });

    const again = await runCli(['directory', 'delete', '--org', setup.slug, doomedId], env());
    expect(again).toMatchObject({ code: 1, stdout: '', stderr: `roster: no directory "${doomedId}" in organization "${setup.slug}"\n` });

    const listed = await runCliJson<ListedDirectory[]>(['directory', 'list', '--org', setup.slug], env());
    expect(listed).toEqual([expect.objectContaining({ id: setup.kept.directory.id, lastRequestAt: expect.stringMatching(/Z$/) })]);

    await withDatabase(async (handle) => {
      const { app } = buildTestApp(handle);
      const doomedScim = clientFor(app, `${TEST_PUBLIC_URL}/scim/v2/${doomedId}`, setup.doomed.token.token);
      expect((await doomedScim.send('GET', '/Users')).status).toBe(401);
      const remaining = await rowsOfDirectory(handle.db, doomedId, [setup.doomed.token.id]);
      expect(Object.entries(remaining).filter(([, n]) => n > 0)).toEqual([]);
      const audit = rowsOf<{ actor_type: string; actor_id: string; details: unknown }>(
        await handle.db.execute(
          sql`select actor_type, actor_id, details from audit_log where action = 'directory.deleted' and target_id = ${doomedId}`,
        ),
      );
      expect(audit).toEqual([{ actor_type: 'operator', actor_id: 'cli', details: { name: 'Okta', users: 1, groups: 1, tokens: 1 } }]);
    });
  });
});
