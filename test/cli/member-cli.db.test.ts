/**
 * `roster member …` and `roster org show|set` as an operator runs them: the list's exact JSON,
 * its filters, a role change, a deactivation, a reactivation refused for want of a seat and then
 * made, and the settings as text. On the embedded database the commands go through a running
 * server, as they would beside a live one.
 */
import { describe, expect, it } from 'vitest';
import { schema } from '../../src/db/index.ts';
import { createOrganization, emailKey } from '../../src/directory/index.ts';
import { newId } from '../../src/ids.ts';
import { ownLines, runCli, runCliJson, SPAWNS, startServe, type ServerProcess } from '../support/cli.ts';
import { testDatabaseKind, useTestDatabase, withDatabaseOf } from '../support/database.ts';
import { testActor, uniqueSlug } from '../support/factories.ts';

// The spawned processes own the database while they run (PGlite allows one process per data directory).
const database = useTestDatabase({ open: false });
const env = () => ({ ...database.env, PUBLIC_URL: 'https://id.example.com' });

describe(`roster member and org settings on ${testDatabaseKind}`, SPAWNS, () => {
  it('lists members as the promised JSON, changes a role, deactivates and reactivates within the seats', async () => {
    const slug = uniqueSlug('members');
    const person = (name: string, role: string, status: 'active' | 'deactivated' = 'active') => ({
      id: newId(),
      email: `${name}@${slug}.example`,
      role,
      status,
    });
    const owner = person('olga', 'owner');
    const ada = person('ada', 'member');
    const bob = person('bob', 'member');
    const cy = person('cy', 'viewer', 'deactivated');
    await withDatabaseOf(database.env, async (handle) => {
      const org = await createOrganization({ db: handle.db, actor: testActor }, { slug, name: 'Members Inc' });
      await handle.db.insert(schema.members).values(
        [owner, ada, bob, cy].map((p) => ({ ...p, organizationId: org.id, emailKey: emailKey(p.email), source: p === cy ? ('scim' as const) : ('admin' as const) })),
      );
      const team = newId();
      await handle.db.insert(schema.teams).values({ id: team, organizationId: org.id, name: 'Eng', nameKey: 'eng' });
      await handle.db.insert(schema.teamMembers).values([
        { organizationId: org.id, teamId: team, memberId: ada.id, role: 'admin' },
        { organizationId: org.id, teamId: team, memberId: bob.id, role: 'member' },
        { organizationId: org.id, teamId: team, memberId: cy.id, role: 'member' },
      ]);
    });

    const server: ServerProcess | undefined = testDatabaseKind === 'pglite' ? await startServe(env()) : undefined;
    try {
      const listed = await runCliJson<unknown[]>(['member', 'list', '--org', slug], env());
      expect(listed).toEqual([
        { id: ada.id, email: ada.email, status: 'active', role: 'member', teams: ['Eng'], source: 'admin' },
        { id: bob.id, email: bob.email, status: 'active', role: 'member', teams: ['Eng'], source: 'admin' },
        { id: cy.id, email: cy.email, status: 'deactivated', role: 'viewer', teams: ['Eng'], source: 'scim' },
        { id: owner.id, email: owner.email, status: 'active', role: 'owner', teams: [], source: 'admin' },
      ]);
      expect(listed.map((m) => Object.keys(m as object))).toEqual(Array(4).fill(['id', 'email', 'status', 'role', 'teams', 'source']));
      const filtered = await runCliJson<{ id: string }[]>(['member', 'list', '--org', slug, '--team', 'eng', '--status', 'active', '--search', 'B'], env());
      expect(filtered.map((m) => m.id)).toEqual([bob.id]);

      expect(await runCliJson(['org', 'set', '--org', slug, '--seats', '50'], env())).toEqual({
        slug,
        name: 'Members Inc',
        seatLimit: 50,
        seatsUsed: 3,
        invitationTtlHours: 168,
        warnings: [],
      });
      expect(await runCliJson(['member', 'set-role', ada.id, '--org', slug, '--role', 'admin'], env())).toMatchObject({ id: ada.id, role: 'admin', teams: [{ name: 'Eng', role: 'admin' }] });

      expect(await runCliJson(['member', 'deactivate', bob.id, '--org', slug], env())).toEqual({ id: bob.id, status: 'deactivated', sessionsEnded: 0, logoutsQueued: expect.any(Number) });
      await runCliJson(['org', 'set', '--org', slug, '--seats', '2'], env());
      const full = await runCli(['member', 'reactivate', bob.id, '--org', slug], env());
      expect(full).toMatchObject({ code: 1, stdout: '' });
      expect(ownLines(full.stderr)).toEqual([
        "roster: reactivating a member needs 1 seat, but 2 of the organization's 2 seats are in use; free seats or raise the limit",
      ]);
      expect(await runCliJson(['org', 'set', '--org', slug, '--seats', 'unlimited', '--invitation-ttl-hours', '72'], env())).toMatchObject({ seatLimit: null, invitationTtlHours: 72 });
      expect(await runCliJson(['member', 'reactivate', bob.id, '--org', slug], env())).toMatchObject({ id: bob.id, status: 'active', role: 'member', deactivatedAt: null });

      const shown = await runCli(['org', 'show', '--org', slug], env());
      expect(shown.code).toBe(0);
      expect(shown.stdout).toMatch(/^seatLimit\s+-$/m);
      expect(shown.stdout).toMatch(/^seatsUsed\s+3$/m);
      expect(shown.stdout).toMatch(/^invitationTtlHours\s+72$/m);
    } finally {
      if (server) expect(await server.stop()).toBe(0);
    }
  });
});
