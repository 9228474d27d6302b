/**
 * Pages of a whole directory in id order at any depth. SCIM pages by position (`startIndex`), and
 * PostgreSQL can only reach position 500,000 by stepping over the 499,999 index entries before
 * it, so a directory keeps marks: the user at every `interval`-th position (directory_user_marks).
 * A page starts from the nearest mark at or before it and steps over fewer than `interval`
 * entries, plus whatever was appended after the last mark.
 *
 * The marks are exact or absent, never approximate: an insert or delete removes, in its own
 * transaction, the marks it shifted (the triggers of migration 0009), and the marks that remain
 * are read in the same snapshot as the page. Marks are extended here, from the last one that is
 * still true, when a page had to step over more than `extendAfter` entries.
 */
import { sql } from 'drizzle-orm';
import { queryPrepared, withTransaction, type Database } from '../db/index.ts';
import type { DirectoryId } from '../ids.ts';
import type { DirectoryContext } from './directory-context.ts';
import { groupsOfRow, toStoredUser, USER_COLUMNS, type RawUserRow, type StoredUser } from './user-statements.ts';

export interface MarkSpacing {
  /** Positions between two marks. */
  interval: number;
  /** Entries a page may step over before the marks are extended. */
  extendAfter: number;
}

export const DEFAULT_MARK_SPACING: MarkSpacing = { interval: 1000, extendAfter: 10_000 };

const FIRST_UUID = '00000000-0000-0000-0000-000000000000';

/**
 * `count` users of the directory in id order, from 1-based `startIndex`, in one statement; then,
 * if reaching the page took a long step, the marks are extended for the pages that follow.
 */
export async function selectUserPage(
  ctx: DirectoryContext,
  startIndex: number,
  count: number,
  withGroups: boolean,
  spacing: MarkSpacing = DEFAULT_MARK_SPACING,
): Promise<StoredUser[]> {
  const d = ctx.directory.id;
  const columns = withGroups ? sql`${USER_COLUMNS}, ${groupsOfRow('u')}` : USER_COLUMNS;
  const rows = await queryPrepared<RawUserRow & { mark_position: number | null }>(
    ctx.db,
    sql`with mark as (
      select position, user_id from directory_user_marks
      where directory_id = ${d} and position <= ${startIndex} order by position desc limit 1
    ), page as (
      select id from directory_users
      where directory_id = ${d} and id >= coalesce((select user_id from mark), ${FIRST_UUID}::uuid)
      order by id
      offset ${startIndex}::bigint - coalesce((select position from mark), 1) limit ${count}
    )
    select ${columns}, (select position from mark) as mark_position
    from directory_users u join page on page.id = u.id
    where u.directory_id = ${d}
    order by u.id`,
  );
  const first = rows[0];
  if (first !== undefined && startIndex - Number(first.mark_position ?? 1) > spacing.extendAfter) {
    await extendUserMarks(ctx.db, d, spacing.interval);
  }
  return rows.map(toStoredUser);
}

/**
 * Adds a mark at every `interval`-th position after the directory's last mark (or from the first
 * user), in one pass over the ids from there. Returns false without waiting when a transaction
 * that changed the directory's users is still open, or another extension runs: the next deep page
 * tries again. See migration 0009 for why that lock makes the marks exact.
 */
export async function extendUserMarks(db: Database, directoryId: DirectoryId, interval: number): Promise<boolean> {
  return withTransaction(db, async (tx) => {
    const [lock] = await queryPrepared<{ locked: boolean }>(
      tx,
      sql`select pg_try_advisory_xact_lock(hashtextextended('roster.user_marks:' || ${directoryId}::text, 0)) as locked`,
    );
    if (!lock?.locked) return false;
    // A new statement, so a new snapshot: every change that held the shared lock has committed.
    await queryPrepared(
      tx,
      sql`with last as (
        select position, user_id from directory_user_marks where directory_id = ${directoryId} order by position desc limit 1
      ), numbered as (
        select id, coalesce((select position from last), 1) - 1 + row_number() over (order by id) as position
        from directory_users
        where directory_id = ${directoryId} and id >= coalesce((select user_id from last), ${FIRST_UUID}::uuid)
      )
      insert into directory_user_marks (directory_id, position, user_id)
      select ${directoryId}, position, id from numbered
      where position % ${interval} = 0 and position > coalesce((select position from last), 0)`,
    );
    return true;
  });
}
