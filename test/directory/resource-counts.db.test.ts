/**
 * A directory's counts of users and groups (src/directory/resource-counts.ts, migration 0011): the
 * triggers append a delta per statement, whoever writes, and the count is the folded rows plus the
 * pending deltas. It must equal count(*) after any mix of writes and folds, concurrent ones included.
 */
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { rowsOf, schema } from '../../src/db/index.ts';
import {
  createGroup,
  createUser,
  deleteUser,
  directoryContext,
  foldResourceCounts,
  userNameKey,
  type DirectoryContext,
} from '../../src/directory/index.ts';
import { countResources } from '../../src/directory/resource-counts.ts';
import { newId, type DirectoryId, type OrganizationId, type ScimTokenId } from '../../src/ids.ts';
import { testDatabaseKind, useTestDatabase } from '../support/database.ts';
import { createTestDirectory } from '../support/factories.ts';
import { createLogger } from '../../src/http/logger.ts';
import { startCountFolder } from '../../src/jobs/index.ts';

const database = useTestDatabase();

async function newDirectory(): Promise<DirectoryContext> {
  const { org, directory, tokenId } = await createTestDirectory(database.handle);
  return directoryContext(database.handle.db, {
    organizationId: org.organization.id as OrganizationId,
    organizationSlug: org.organization.slug,
    directoryId: directory.id as DirectoryId,
    tokenId: tokenId as ScimTokenId,
  });
}

async function scalar(query: ReturnType<typeof sql>): Promise<number> {
  const [row] = rowsOf<{ n: string | number | null }>(await database.handle.db.execute(query));
  return Number(row?.n ?? 0);
}

const usersIn = (ctx: DirectoryContext) => scalar(sql`select count(*) as n from directory_users where directory_id = ${ctx.directory.id}`);
const pendingDeltas = (ctx: DirectoryContext) =>
  scalar(sql`select count(*) as n from directory_resource_count_deltas where directory_id = ${ctx.directory.id}`);

let serial = 0;
const userDocument = () => ({ userName: `counted${++serial}@example.com` });

describe(`directory counts, on ${testDatabaseKind}`, () => {
  it('follow creates and deletes through the verbs, one delta per statement', async () => {
    const ctx = await newDirectory();
    expect(await countResources(ctx, 'User')).toBe(0);
    const created = [];
    for (let i = 0; i < 5; i++) created.push(await createUser(ctx, { document: userDocument() }));
    await deleteUser(ctx, created[1]!.id);
    await createGroup(ctx, { document: { displayName: 'Engineering' }, members: [] });
    expect(await countResources(ctx, 'User')).toBe(4);
    expect(await countResources(ctx, 'Group')).toBe(1);
    // Five creates and a delete of users, a create of a group: seven statements, seven deltas.
    expect(await pendingDeltas(ctx)).toBe(7);
  });

  it('follow a bulk insert and a bulk delete as one delta each', async () => {
    const ctx = await newDirectory();
    const ids = Array.from({ length: 300 }, () => newId());
    await ctx.db.insert(schema.directoryUsers).values(
      ids.map((id) => ({
        id,
        organizationId: ctx.organization.id,
        directoryId: ctx.directory.id,
        userName: `${id}@example.com`,
        userNameKey: userNameKey(`${id}@example.com`),
        emailValues: [],
        document: {},
      })),
    );
    const d = ctx.directory.id;
    await ctx.db.execute(sql`delete from directory_users where directory_id = ${d} and id in (select id from directory_users where directory_id = ${d} order by id limit 100)`);
    expect(await pendingDeltas(ctx)).toBe(2);
    expect(await countResources(ctx, 'User')).toBe(200);
    expect(await usersIn(ctx)).toBe(200);
  });

  it('fold the deltas once a read finds many, and keep the count', async () => {
    const ctx = await newDirectory();
    for (let i = 0; i < 510; i++) {
      await ctx.db.insert(schema.directoryUsers).values({
        id: newId(),
        organizationId: ctx.organization.id,
        directoryId: ctx.directory.id,
        userName: `fold${i}-${serial}@example.com`,
        userNameKey: userNameKey(`fold${i}-${serial}@example.com`),
        emailValues: [],
        document: {},
      });
    }
    expect(await pendingDeltas(ctx)).toBe(510);
    expect(await countResources(ctx, 'User')).toBe(510);
    expect(await pendingDeltas(ctx)).toBe(0);
    expect(await countResources(ctx, 'User')).toBe(510);
    await createUser(ctx, { document: userDocument() });
    expect(await countResources(ctx, 'User')).toBe(511);
  });

  it('fold every directory in the housekeeping pass, dropping the deltas of a deleted directory', async () => {
    const kept = await newDirectory();
    const gone = await newDirectory();
    for (const ctx of [kept, gone]) for (let i = 0; i < 3; i++) await createUser(ctx, { document: userDocument() });
    await database.handle.db.execute(sql`delete from directories where id = ${gone.directory.id}`);
    // The cascade deleted gone's users, and appended their delta too.
    expect(await pendingDeltas(gone)).toBe(4);
    await foldResourceCounts(database.handle.db);
    expect(await pendingDeltas(kept)).toBe(0);
    expect(await pendingDeltas(gone)).toBe(0);
    expect(await countResources(kept, 'User')).toBe(3);
    expect(
      await scalar(sql`select count(*) as n from directory_resource_counts where directory_id = ${gone.directory.id}`),
    ).toBe(0);
  });

  it('add a folded count and the deltas appended after it', async () => {
    const ctx = await newDirectory();
    await createUser(ctx, { document: userDocument() });
    // The first user's delta replaced by a folded row, as a database upgraded through 0013 holds it.
    await ctx.db.execute(sql`delete from directory_resource_count_deltas where directory_id = ${ctx.directory.id}`);
    await ctx.db.execute(
      sql`insert into directory_resource_counts (directory_id, resource_type, count) values (${ctx.directory.id}, 'User', 1)`,
    );
    await createUser(ctx, { document: userDocument() });
    expect(await countResources(ctx, 'User')).toBe(2);
    await foldResourceCounts(ctx.db, { directoryId: ctx.directory.id, resourceType: 'User' });
    expect(await countResources(ctx, 'User')).toBe(2);
  });

  it('are folded by the server every few seconds, at start and on its interval', async () => {
    const ctx = await newDirectory();
    for (let i = 0; i < 3; i++) await createUser(ctx, { document: userDocument() });
    expect(await pendingDeltas(ctx)).toBe(3);
    const folder = startCountFolder({ db: database.handle.db, logger: createLogger('silent'), intervalMs: 50 });
    try {
      await folder.runOnce();
      expect(await pendingDeltas(ctx)).toBe(0);
      await createUser(ctx, { document: userDocument() });
      await expect.poll(() => pendingDeltas(ctx), { timeout: 5000 }).toBe(0);
      expect(await countResources(ctx, 'User')).toBe(4);
    } finally {
      await folder.stop();
    }
    expect(await folder.runOnce()).toBe(0);
  });

  it.runIf(testDatabaseKind === 'postgres')('stay exact while creates, deletes and folds run concurrently', async () => {
    const ctx = await newDirectory();
    const created = await Promise.all(Array.from({ length: 40 }, () => createUser(ctx, { document: userDocument() })));
    const work: Promise<unknown>[] = [];
    for (let i = 0; i < 60; i++) work.push(createUser(ctx, { document: userDocument() }));
    for (const user of created.slice(0, 20)) work.push(deleteUser(ctx, user.id));
    for (let i = 0; i < 10; i++) {
      work.push(foldResourceCounts(ctx.db, { directoryId: ctx.directory.id, resourceType: 'User' }));
      work.push(foldResourceCounts(ctx.db));
      work.push(countResources(ctx, 'User'));
    }
    await Promise.all(work);
    expect(await usersIn(ctx)).toBe(80);
    expect(await countResources(ctx, 'User')).toBe(80);
    await foldResourceCounts(ctx.db);
    expect(await countResources(ctx, 'User')).toBe(80);
  });
});
