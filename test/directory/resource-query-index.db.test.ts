// The lookups IdPs make at every sync must be answered from an index, not by reading the
// directory: a few thousand users, fresh statistics, and EXPLAIN on what conditionToSql writes.
import { randomUUID } from 'node:crypto';
import { and, eq, sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { schema } from '../../src/db/index.ts';
import { userNameKey, type ResourceKind } from '../../src/directory/index.ts';
import { conditionToSql } from '../../src/directory/resource-query/sql.ts';
import { filterToCondition, parseFilter } from '../../src/scim/filter/index.ts';
import { testDatabaseKind, useTestDatabase } from '../support/database.ts';
import { createTestDirectory } from '../support/factories.ts';

const database = useTestDatabase();
const users = schema.directoryUsers;
const groups = schema.directoryGroups;

const USERS = 3000;
let directoryId: string;
let someUserId: string;

beforeAll(async () => {
  const { db } = database.handle;
  const { org, directory } = await createTestDirectory(database.handle);
  directoryId = directory.id;
  const rows = Array.from({ length: USERS }, (_, i) => {
    const email = `User.${i}@Example.com`;
    return {
      id: randomUUID(),
      organizationId: org.organization.id,
      directoryId,
      userName: email,
      userNameKey: userNameKey(email),
      externalId: `ext-${i}`,
      emailValues: [email.toLowerCase()],
      document: { userName: email, emails: [{ value: email, type: 'work', primary: true }] },
    };
  });
  someUserId = rows[1234]?.id ?? '';
  for (let i = 0; i < rows.length; i += 500) await db.insert(users).values(rows.slice(i, i + 500));
  await db.insert(groups).values(
    Array.from({ length: 500 }, (_, i) => ({
      id: randomUUID(),
      organizationId: org.organization.id,
      directoryId,
      displayName: `Group ${i}`,
      document: { displayName: `Group ${i}` },
    })),
  );
  await db.execute(sql`ANALYZE directory_users`);
  await db.execute(sql`ANALYZE directory_groups`);
});

async function plan(filter: string, kind: ResourceKind): Promise<string> {
  const parsed = parseFilter(filter);
  if (!parsed.ok) throw new Error(parsed.error.detail);
  const condition = filterToCondition(parsed.value, kind);
  if (!condition.ok) throw new Error(condition.error.detail);
  const table = kind === 'User' ? users : groups;
  const query = database.handle.db
    .select({ id: table.id })
    .from(table)
    .where(and(eq(table.directoryId, directoryId), conditionToSql(condition.value, kind)));
  const result = await database.handle.db.execute(sql`EXPLAIN ${query}`);
  // postgres.js returns the rows as the result, PGlite inside `rows`.
  const rows = (Array.isArray(result) ? result : (result as { rows: unknown[] }).rows) as Record<string, string>[];
  return rows.map((row) => row['QUERY PLAN']).join('\n');
}

describe(`index use on ${testDatabaseKind}`, () => {
  it('answers userName eq from directory_users_user_name_key, whatever the case', async () => {
    expect(await plan('userName eq "USER.1234@example.COM"', 'User')).toContain('directory_users_user_name_key');
  });

  it('answers emails.value eq, and Entra ID\'s emails[type eq "work"].value eq, from the email_values index', async () => {
    expect(await plan('emails.value eq "user.1234@example.com"', 'User')).toContain('directory_users_email_values_idx');
    expect(await plan('emails[type eq "work"].value eq "User.1234@example.com"', 'User')).toContain('directory_users_email_values_idx');
  });

  it('answers externalId eq and id eq from their indexes', async () => {
    expect(await plan('externalId eq "ext-1234"', 'User')).toContain('directory_users_external_id_idx');
    expect(await plan(`id eq "${someUserId}"`, 'User')).toMatch(/directory_users_pkey|directory_users_directory_id_id_key/);
  });

  it('answers a Group displayName eq from directory_groups_display_name_idx', async () => {
    expect(await plan('displayName eq "group 42"', 'Group')).toContain('directory_groups_display_name_idx');
  });
});
