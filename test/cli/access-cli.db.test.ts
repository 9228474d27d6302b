/**
 * `roster permission|role|team` as an operator runs them: an app permission registered, a custom
 * role made with it, a team made and filled by email with a team admin, and the refusals printed
 * as one line. On the embedded database the commands go through a running server, as they would
 * beside a live one. Afterwards the member's token claims show the role, its permissions and the team.
 */
import { describe, expect, it } from 'vitest';
import { createOrganization, emailKey, memberTokenClaims } from '../../src/directory/index.ts';
import { schema } from '../../src/db/index.ts';
import { newId } from '../../src/ids.ts';
import { ownLines, runCli, runCliJson, SPAWNS, startServe, type ServerProcess } from '../support/cli.ts';
import { testDatabaseKind, useTestDatabase, withDatabaseOf } from '../support/database.ts';
import { testActor, uniqueSlug } from '../support/factories.ts';

// The spawned processes own the database while they run (PGlite allows one process per data directory).
const database = useTestDatabase({ open: false });
const env = () => ({ ...database.env, PUBLIC_URL: 'https://id.example.com' });

describe(`roster permission, role and team on ${testDatabaseKind}`, SPAWNS, () => {
  it('registers a permission, makes a role of it, and fills a team by email', async () => {
    const slug = uniqueSlug('access');
    const ada = { id: newId(), email: `ada-${slug}@example.com` };
    const permission = `tickets-${slug.slice(-6)}.delete`;
    await withDatabaseOf(database.env, async (handle) => {
      const org = await createOrganization({ db: handle.db, actor: testActor }, { slug, name: 'Access Inc' });
      await handle.db.insert(schema.members).values({ ...ada, organizationId: org.id, emailKey: emailKey(ada.email), role: 'member', source: 'admin' });
    });

    const server: ServerProcess | undefined = testDatabaseKind === 'pglite' ? await startServe(env()) : undefined;
    try {
      const registered = await runCliJson(['permission', 'register', permission, '--description', 'Delete tickets'], env());
      expect(registered).toEqual({ key: permission, description: 'Delete tickets', source: 'app', created: true });

      const role = await runCliJson(
        ['role', 'create', '--org', slug, '--key', 'agent', '--name', 'Agent', '--permission', permission, '--permission', 'teams.manage'],
        env(),
      );
      expect(role).toMatchObject({ key: 'agent', name: 'Agent', builtin: false, permissions: ['teams.manage', permission], members: 0 });
      expect(Object.keys(role)).toEqual(['key', 'name', 'description', 'builtin', 'permissions', 'members', 'createdAt', 'updatedAt']);
      await runCliJson(['member', 'set-role', ada.id, '--org', slug, '--role', 'agent'], env());

      const team = await runCliJson(['team', 'create', '--org', slug, '--name', 'Tier 2'], env());
      expect(team).toMatchObject({ name: 'Tier 2', description: null, memberCount: 0 });
      const added = await runCliJson(['team', 'add', '--org', slug, '--team', 'tier 2', '--member', ada.email, '--member', 'nobody@example.com', '--role', 'admin'], env());
      expect(added).toEqual([
        { member: ada.email, id: ada.id, status: 'added', role: 'admin' },
        { member: 'nobody@example.com', id: null, status: 'not_found', role: null },
      ]);

      const shown = await runCli(['team', 'show', 'Tier 2', '--org', slug], env());
      expect(shown.code).toBe(0);
      expect(shown.stdout).toMatch(/^name\s+Tier 2$/m);
      expect(shown.stdout).toMatch(new RegExp(`^${ada.id}\\s+${ada.email}\\s+-\\s+active\\s+admin\\s`, 'm'));

      const billing = await runCli(['role', 'create', '--org', slug, '--key', 'cashier', '--name', 'Cashier', '--permission', 'billing.manage'], env());
      expect(billing).toMatchObject({ code: 1, stdout: '' });
      expect(ownLines(billing.stderr)).toEqual(['roster: custom roles cannot hold "billing.manage": only owners change seats and billing']);
      const inUse = await runCli(['permission', 'unregister', permission, '--json'], env());
      expect(inUse.code).toBe(1);
      expect(JSON.parse(ownLines(inUse.stderr)[0]!)).toEqual({
        error: { code: 'conflict', message: `"${permission}" is still granted by custom role ${slug}/agent; remove it from them first` },
      });
    } finally {
      if (server) expect(await server.stop()).toBe(0);
    }

    // What the app will see in the member's next ID token.
    await withDatabaseOf(database.env, async (handle) => {
      const claims = await memberTokenClaims(handle.db, ada.id);
      expect(claims).toMatchObject({ role: 'agent', permissions: ['teams.manage', permission], teams: ['Tier 2'], team_roles: { 'Tier 2': 'admin' } });
      expect(claims?.org.slug).toBe(slug);
    });
  });
});
