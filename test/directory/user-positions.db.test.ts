import { sql } from 'drizzle-orm';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { rowsOf, schema, type Database } from '../../src/db/index.ts';
import { directoryContext, userNameKey, type DirectoryContext } from '../../src/directory/index.ts';
import { extendUserMarks, selectUserPage, type MarkSpacing } from '../../src/directory/user-positions.ts';
import { newId, type DirectoryId, type OrganizationId, type ScimTokenId } from '../../src/ids.ts';
import { testDatabaseKind, useTestDatabase } from '../support/database.ts';
import { holdTransaction } from '../support/held-transaction.ts';
import { createTestDirectory } from '../support/factories.ts';

const database = useTestDatabase();
/** Small spacing, so that a few hundred users have many marks. */
const SPACING: MarkSpacing = { interval: 10, extendAfter: 20 };

async function directoryWithUsers(count: number): Promise<DirectoryContext> {
  const { org, directory, tokenId } = await createTestDirectory(database.handle);
  const ctx = directoryContext(database.handle.db, {
    organizationId: org.organization.id as OrganizationId,
    organizationSlug: org.organization.slug,
    directoryId: directory.id as DirectoryId,
    tokenId: tokenId as ScimTokenId,
  });
  await insertUsers(ctx, Array.from({ length: count }, () => newId()));
  return ctx;
}

let serial = 0;
async function insertUsers(ctx: DirectoryContext, ids: string[], db: Database = ctx.db): Promise<void> {
  if (ids.length === 0) return;
  await db.insert(schema.directoryUsers).values(
    ids.map((id) => {
      const userName = `user${++serial}@example.com`;
      return { id, organizationId: ctx.organization.id, directoryId: ctx.directory.id, userName, userNameKey: userNameKey(userName), emailValues: [], document: { userName } };
    }),
  );
}

async function deleteUser(ctx: DirectoryContext, id: string): Promise<void> {
  await ctx.db.execute(sql`delete from directory_users where directory_id = ${ctx.directory.id} and id = ${id}`);
}

/** What the page must be: the plain OFFSET query. */
async function referencePage(ctx: DirectoryContext, startIndex: number, count: number): Promise<string[]> {
  const rows = rowsOf<{ id: string }>(
    await ctx.db.execute(
      sql`select id from directory_users where directory_id = ${ctx.directory.id} order by id offset ${startIndex - 1} limit ${count}`,
    ),
  );
  return rows.map((r) => r.id);
}

async function allIds(ctx: DirectoryContext): Promise<string[]> {
  return referencePage(ctx, 1, 1_000_000);
}

async function marks(ctx: DirectoryContext): Promise<{ position: number; userId: string }[]> {
  const rows = rowsOf<{ position: string | number; user_id: string }>(
    await ctx.db.execute(
      sql`select position, user_id from directory_user_marks where directory_id = ${ctx.directory.id} order by position`,
    ),
  );
  return rows.map((r) => ({ position: Number(r.position), userId: r.user_id }));
}

/** Every mark names the user really at its position. */
async function expectMarksTrue(ctx: DirectoryContext): Promise<void> {
  const ids = await allIds(ctx);
  for (const mark of await marks(ctx)) expect(ids[mark.position - 1]).toBe(mark.userId);
}

async function page(ctx: DirectoryContext, startIndex: number, count: number): Promise<string[]> {
  return (await selectUserPage(ctx, startIndex, count, false, SPACING)).map((u) => u.id);
}

/** The next uuid after `id`, as 128-bit numbers count. */
function idAfter(id: string): string {
  const hex = (BigInt(`0x${id.replaceAll('-', '')}`) + 1n).toString(16).padStart(32, '0');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** An id that sorts before every id issued today. */
function earlyId(n: number): string {
  return `00000000-0000-7000-8000-${n.toString(16).padStart(12, '0')}`;
}

describe(`user pages from position marks on ${testDatabaseKind}`, () => {
  it('marks every interval-th position once a page had to step far, and pages stay exact at any depth', async () => {
    const ctx = await directoryWithUsers(205);
    expect(await marks(ctx)).toEqual([]);
    // A shallow page steps over few entries: nothing to mark yet.
    expect(await page(ctx, 5, 7)).toEqual(await referencePage(ctx, 5, 7));
    expect(await marks(ctx)).toEqual([]);
    // A deep one extends the marks to the end of the directory.
    expect(await page(ctx, 150, 10)).toEqual(await referencePage(ctx, 150, 10));
    expect((await marks(ctx)).map((m) => m.position)).toEqual(Array.from({ length: 20 }, (_, i) => (i + 1) * 10));
    await expectMarksTrue(ctx);
    for (const startIndex of [1, 9, 10, 11, 99, 100, 101, 199, 200, 201, 205]) {
      expect(await page(ctx, startIndex, 6)).toEqual(await referencePage(ctx, startIndex, 6));
    }
    expect(await page(ctx, 206, 6)).toEqual([]);
  });

  it('keeps the marks when users are appended after them, and extends them later', async () => {
    const ctx = await directoryWithUsers(100);
    await extendUserMarks(ctx.db, ctx.directory.id, SPACING.interval);
    const before = await marks(ctx);
    expect(before).toHaveLength(10);
    await insertUsers(ctx, Array.from({ length: 50 }, () => newId()));
    expect(await marks(ctx)).toEqual(before);
    expect(await page(ctx, 140, 20)).toEqual(await referencePage(ctx, 140, 20));
    expect(await marks(ctx)).toHaveLength(15);
    await expectMarksTrue(ctx);
  });

  it('drops the marks an insert before them shifted, and only those', async () => {
    const ctx = await directoryWithUsers(100);
    await extendUserMarks(ctx.db, ctx.directory.id, SPACING.interval);
    const ids = await allIds(ctx);
    // Between the 35th and the 36th user: marks at 10, 20 and 30 stay true.
    const inserted = idAfter(ids[34]!);
    expect(inserted < ids[35]!).toBe(true);
    await insertUsers(ctx, [inserted]);
    const kept = await marks(ctx);
    expect(kept.every((m) => m.userId < inserted)).toBe(true);
    await expectMarksTrue(ctx);
    for (const startIndex of [1, 30, 35, 36, 37, 90, 101]) {
      expect(await page(ctx, startIndex, 5)).toEqual(await referencePage(ctx, startIndex, 5));
    }
  });

  it('drops the marks a delete shifted, including the mark of the deleted user', async () => {
    const ctx = await directoryWithUsers(100);
    await extendUserMarks(ctx.db, ctx.directory.id, SPACING.interval);
    const ids = await allIds(ctx);
    await deleteUser(ctx, ids[49]!); // the 50th user, itself a mark
    expect((await marks(ctx)).map((m) => m.position)).toEqual([10, 20, 30, 40]);
    await expectMarksTrue(ctx);
    for (const startIndex of [40, 49, 50, 51, 99]) {
      expect(await page(ctx, startIndex, 5)).toEqual(await referencePage(ctx, startIndex, 5));
    }
  });

  it("never marks another directory's users, and a directory's deletion takes its marks along", async () => {
    const a = await directoryWithUsers(60);
    const b = await directoryWithUsers(60);
    await extendUserMarks(a.db, a.directory.id, SPACING.interval);
    expect(await marks(b)).toEqual([]);
    await insertUsers(b, [earlyId(2)]);
    expect(await marks(a)).toHaveLength(6);
    await a.db.execute(sql`delete from directories where id = ${a.directory.id}`);
    expect(await marks(a)).toEqual([]);
  });

  it('matches the plain OFFSET query through any mix of appends, early inserts, deletes and deep pages', async () => {
    const ctx = await directoryWithUsers(120);
    let early = 100;
    const operation = fc.oneof(
      fc.record({ kind: fc.constant('append' as const), n: fc.integer({ min: 1, max: 15 }) }),
      fc.record({ kind: fc.constant('early' as const), n: fc.integer({ min: 1, max: 3 }) }),
      fc.record({ kind: fc.constant('delete' as const), at: fc.double({ min: 0, max: 1, noNaN: true }) }),
      fc.record({ kind: fc.constant('page' as const), at: fc.double({ min: 0, max: 1.05, noNaN: true }), count: fc.integer({ min: 1, max: 30 }) }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(operation, { minLength: 1, maxLength: 12 }), async (operations) => {
        for (const op of operations) {
          if (op.kind === 'append') await insertUsers(ctx, Array.from({ length: op.n }, () => newId()));
          else if (op.kind === 'early') await insertUsers(ctx, Array.from({ length: op.n }, () => earlyId(early++)));
          else if (op.kind === 'delete') {
            const ids = await allIds(ctx);
            if (ids.length > 0) await deleteUser(ctx, ids[Math.floor(op.at * (ids.length - 1))]!);
          } else {
            const total = (await allIds(ctx)).length;
            const startIndex = 1 + Math.floor(op.at * total);
            expect(await page(ctx, startIndex, op.count)).toEqual(await referencePage(ctx, startIndex, op.count));
          }
        }
        await expectMarksTrue(ctx);
      }),
      { numRuns: testDatabaseKind === 'pglite' ? 15 : 40 },
    );
  });

  it.runIf(testDatabaseKind === 'postgres')(
    'does not extend the marks while a transaction that changed the users is open, and is exact once it commits',
    async () => {
      const ctx = await directoryWithUsers(100);
      const early = earlyId(7);
      const inserting = await holdTransaction(database.current.env.DATABASE_URL!, (tx) => insertUsers(ctx, [early], tx));
      try {
        expect(await extendUserMarks(ctx.db, ctx.directory.id, SPACING.interval)).toBe(false);
        expect(await marks(ctx)).toEqual([]);
        await inserting.commit();
        expect(await extendUserMarks(ctx.db, ctx.directory.id, SPACING.interval)).toBe(true);
        await expectMarksTrue(ctx);
        expect(await page(ctx, 95, 10)).toEqual(await referencePage(ctx, 95, 10));
      } finally {
        await inserting.commit();
      }
    },
  );
});
