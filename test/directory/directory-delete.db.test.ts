import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { rowsOf } from '../../src/db/index.ts';
import { createDirectory, createScimToken, deleteDirectory, foldResourceCounts, listDirectories } from '../../src/directory/index.ts';
import { DomainError } from '../../src/errors.ts';
import { testDatabaseKind, useTestDatabase } from '../support/database.ts';
import { rowsOfDirectory, seedDirectory } from '../support/directory-seed.ts';
import { createTestOrganization, testActor } from '../support/factories.ts';

const database = useTestDatabase();

async function seededDirectory(org: Awaited<ReturnType<typeof createTestOrganization>>, shape: Parameters<typeof seedDirectory>[3]) {
  const { directory, token } = await createDirectory(org, { provider: 'okta' });
  const second = await createScimToken(org, { directoryId: directory.id });
  await seedDirectory(database.handle.db, org.organization.id, directory.id, shape);
  return { directory, tokenIds: [token.id, second.id] };
}

const nonZero = (counts: Record<string, number>) => Object.fromEntries(Object.entries(counts).filter(([, n]) => n > 0));

describe(`deleting a directory on ${testDatabaseKind}`, () => {
  it('removes every row that refers to it and nothing of any other directory', async () => {
    const org = await createTestOrganization(database.handle);
    const other = await createTestOrganization(database.handle);
    const doomed = await seededDirectory(org, { users: 300, groups: 12, groupsPerUser: 2 });
    const sibling = await seededDirectory(org, { users: 40, groups: 3, groupsPerUser: 1 });
    const foreign = await seededDirectory(other, { users: 20, groups: 2, groupsPerUser: 1 });

    const before = await rowsOfDirectory(database.handle.db, doomed.directory.id, doomed.tokenIds);
    // The seed reached every table the deletion has to empty, so the zeros below prove something.
    expect(Object.keys(nonZero(before)).sort()).toEqual(
      [
        'counters',
        'directories',
        'directory_events',
        'directory_group_members',
        'directory_group_subgroups',
        'directory_groups',
        'directory_resource_count_deltas',
        'directory_resource_counts',
        'directory_user_marks',
        'directory_users',
        'rate_limits',
        'scim_request_log',
        'scim_tokens',
      ].sort(),
    );
    const siblingBefore = await rowsOfDirectory(database.handle.db, sibling.directory.id, sibling.tokenIds);
    const foreignBefore = await rowsOfDirectory(database.handle.db, foreign.directory.id, foreign.tokenIds);

    const deleted = await deleteDirectory(org, { directoryId: doomed.directory.id });
    expect(deleted).toEqual({ id: doomed.directory.id, name: 'Okta', users: 300, groups: 12, tokens: 2 });

    expect(nonZero(await rowsOfDirectory(database.handle.db, doomed.directory.id, doomed.tokenIds))).toEqual({});
    expect(await rowsOfDirectory(database.handle.db, sibling.directory.id, sibling.tokenIds)).toEqual(siblingBefore);
    expect(await rowsOfDirectory(database.handle.db, foreign.directory.id, foreign.tokenIds)).toEqual(foreignBefore);
    expect((await listDirectories(org)).map((d) => d.id)).toEqual([sibling.directory.id]);

    // A fold after the deletion finds no deltas of it to bring back as a count.
    await foldResourceCounts(database.handle.db);
    expect(nonZero(await rowsOfDirectory(database.handle.db, doomed.directory.id, doomed.tokenIds))).toEqual({});

    const audit = rowsOf<{ actor_type: string; actor_id: string; organization_id: string; details: unknown }>(
      await database.handle.db.execute(
        sql`select actor_type, actor_id, organization_id, details from audit_log
          where action = 'directory.deleted' and target_type = 'directory' and target_id = ${doomed.directory.id}`,
      ),
    );
    expect(audit).toEqual([
      {
        actor_type: testActor.type,
        actor_id: testActor.id,
        organization_id: org.organization.id,
        details: { name: 'Okta', users: 300, groups: 12, tokens: 2 },
      },
    ]);
  });

  it("is not found from another organization, and leaves the directory whole", async () => {
    const org = await createTestOrganization(database.handle);
    const other = await createTestOrganization(database.handle);
    const target = await seededDirectory(org, { users: 10, groups: 2, groupsPerUser: 1 });
    const before = await rowsOfDirectory(database.handle.db, target.directory.id, target.tokenIds);

    const attempt = deleteDirectory(other, { directoryId: target.directory.id });
    await expect(attempt).rejects.toBeInstanceOf(DomainError);
    await expect(attempt).rejects.toMatchObject({ code: 'not_found' });
    await expect(deleteDirectory(org, { directoryId: 'not-an-id' })).rejects.toMatchObject({ code: 'not_found' });
    expect(await rowsOfDirectory(database.handle.db, target.directory.id, target.tokenIds)).toEqual(before);

    await deleteDirectory(org, { directoryId: target.directory.id });
    // Deleting it twice: the second time there is nothing of that id.
    await expect(deleteDirectory(org, { directoryId: target.directory.id })).rejects.toMatchObject({ code: 'not_found' });
  });
});
