import { randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import postgres from 'postgres';
import { describe, expect, it } from 'vitest';
import { migrate, migrationStatus, newIdForTest, openPostgres, rowsOf, schema } from './imports.ts';
import { testDatabaseKind, useTestDatabase } from '../support/database.ts';
import { TEST_DATABASE_URL, withDatabase } from '../support/postgres-url.ts';
import { createTestDirectory, createTestOrganization } from '../support/factories.ts';

const database = useTestDatabase();

describe(`migrations on ${testDatabaseKind}`, () => {
  it('are all applied, and applying them again changes nothing', async () => {
    const before = await migrationStatus(database.handle);
    expect(before.upToDate).toBe(true);
    expect(before.applied).toBe(before.expected);
    expect(await migrate(database.handle)).toEqual({ applied: 0, total: before.expected });
  });

  it('leave room on the pages of users and groups, so that version bumps stay in place', async () => {
    const rows = rowsOf<{ relname: string; reloptions: string[] | null }>(
      await database.handle.db.execute(
        sql`select relname, reloptions from pg_class where relname in ('directory_users', 'directory_groups') order by relname`,
      ),
    );
    expect(rows).toEqual([
      { relname: 'directory_groups', reloptions: ['fillfactor=85'] },
      { relname: 'directory_users', reloptions: ['fillfactor=85'] },
    ]);
  });

  it.runIf(testDatabaseKind === 'postgres')('serialise two instances migrating one empty database at once', async () => {
    const name = `roster_t_mig_${randomBytes(4).toString('hex')}`;
    const admin = postgres(TEST_DATABASE_URL, { max: 1, onnotice: () => {} });
    await admin.unsafe(`create database "${name}"`);
    const a = openPostgres({ url: withDatabase(TEST_DATABASE_URL, name) });
    const b = openPostgres({ url: withDatabase(TEST_DATABASE_URL, name) });
    try {
      expect((await migrationStatus(a)).upToDate).toBe(false);
      const results = await Promise.all([migrate(a), migrate(b)]);
      const total = results[0].total;
      expect(results.map((r) => r.applied).sort()).toEqual([0, total]);
      expect((await migrationStatus(b)).upToDate).toBe(true);
    } finally {
      await a.close();
      await b.close();
      await admin.unsafe(`drop database "${name}" with (force)`);
      await admin.end();
    }
  });
});

describe(`schema constraints on ${testDatabaseKind}`, () => {
  it('keeps the audit log append-only', async () => {
    const org = await createTestOrganization(database.handle);
    await expect(
      database.handle.db.execute(sql`update audit_log set action = 'tampered' where organization_id = ${org.organization.id}`),
    ).rejects.toThrow();
    const actions = rowsOf<{ action: string }>(
      await database.handle.db.execute(sql`select action from audit_log where organization_id = ${org.organization.id}`),
    );
    expect(actions.map((r) => r.action)).toEqual(['organization.created']);
  });

  it("cannot store a token that points at another organization's directory", async () => {
    const a = await createTestDirectory(database.handle);
    const b = await createTestOrganization(database.handle);
    await expect(
      database.handle.db.insert(schema.scimTokens).values({
        id: newIdForTest(),
        organizationId: b.organization.id,
        directoryId: a.directory.id,
        prefix: 'rst_scim_xxxxxx',
        tokenHash: randomBytes(32).toString('hex'),
      }),
    ).rejects.toThrow();
  });

  it('rejects an unknown directory provider', async () => {
    const org = await createTestOrganization(database.handle);
    await expect(
      database.handle.db.insert(schema.directories).values({
        id: newIdForTest(),
        organizationId: org.organization.id,
        name: 'x',
        provider: 'ldap' as never,
      }),
    ).rejects.toThrow();
  });
});
