import { sql } from 'drizzle-orm';
import { queryPrepared, type Database } from '../db/index.ts';
import type { DirectoryContext } from './directory-context.ts';

/**
 * How many deltas a count may add up before the read folds them: summing a few hundred small rows
 * costs less than the fold's write, which a read of a busy directory would otherwise make every time.
 */
const FOLD_AFTER_DELTAS = 500;

/**
 * A directory's number of users or groups (see migration 0011): the folded count plus the deltas
 * the triggers appended since, summed in one statement and so in one snapshot, which a fold
 * (one statement too) changes all at once. Exact, and as cheap for a million users as for ten.
 */
export async function countResources(ctx: DirectoryContext, resourceType: 'User' | 'Group'): Promise<number> {
  const directoryId = ctx.directory.id;
  const [row] = await queryPrepared<{ folded: string | number | null; pending: string | number | null; deltas: string | number }>(
    ctx.db,
    sql`select
      (select sum(count) from directory_resource_counts where directory_id = ${directoryId} and resource_type = ${resourceType}) as folded,
      d.pending, d.deltas
    from (select sum(delta) as pending, count(*) as deltas from directory_resource_count_deltas
          where directory_id = ${directoryId} and resource_type = ${resourceType}) d`,
  );
  if (Number(row?.deltas ?? 0) > FOLD_AFTER_DELTAS) await foldResourceCounts(ctx.db, { directoryId, resourceType });
  return Number(row?.folded ?? 0) + Number(row?.pending ?? 0);
}

/**
 * Moves appended deltas into directory_resource_counts: one directory's of one type, or all of them
 * (the server's housekeeping, src/jobs/count-folder.ts). One statement: the deltas it deletes and
 * the sum it adds commit together, and a fold running concurrently waits on the rows this one
 * deletes, then skips them, so each delta is added once. Deltas of a directory that no longer
 * exists are dropped.
 */
export async function foldResourceCounts(db: Database, only?: { directoryId: string; resourceType: 'User' | 'Group' }): Promise<number> {
  const which =
    only === undefined ? sql`true` : sql`directory_id = ${only.directoryId} and resource_type = ${only.resourceType}`;
  const rows = await queryPrepared<{ directory_id: string }>(
    db,
    sql`with folded as (
      delete from directory_resource_count_deltas where ${which} returning directory_id, resource_type, delta
    )
    insert into directory_resource_counts as c (directory_id, resource_type, count)
    select f.directory_id, f.resource_type, sum(f.delta)::int
    from folded f join directories d on d.id = f.directory_id
    group by f.directory_id, f.resource_type
    on conflict (directory_id, resource_type) do update set count = c.count + excluded.count
    returning directory_id`,
  );
  return rows.length;
}

