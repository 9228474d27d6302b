/**
 * A user's `groups` and a group's `members` are part of their representations, so a change on one
 * side changes the other's too. Bumping the other side's version keeps every ETag honest: a
 * client holding an old ETag never gets a 304 (or passes an If-Match) for content that changed.
 * Each bump is one set-based UPDATE, whatever the number of rows.
 */
import { sql } from 'drizzle-orm';
import { rowsOf, type Database } from '../db/index.ts';
import type { DirectoryContext } from './directory-context.ts';
import { uuidArray } from './sql-arrays.ts';


/** Users whose group memberships changed (ids of groups among them are simply not matched). */
export async function touchUsers(tx: Database, ctx: DirectoryContext, ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  await tx.execute(sql`
    update directory_users set version = version + 1, updated_at = now()
    where directory_id = ${ctx.directory.id} and id = any(${uuidArray(ids)})`);
}

/** The users in a group, whose `groups[].display` shows its name. */
export async function touchMembersOf(tx: Database, ctx: DirectoryContext, groupId: string): Promise<void> {
  await tx.execute(sql`
    update directory_users set version = version + 1, updated_at = now()
    where directory_id = ${ctx.directory.id}
      and id in (select user_id from directory_group_members where directory_id = ${ctx.directory.id} and group_id = ${groupId})`);
}

/** The groups that list a user or a group among their members; returns their ids. */
export async function touchGroupsContaining(tx: Database, ctx: DirectoryContext, memberId: string): Promise<string[]> {
  const rows = await tx.execute<{ id: string }>(sql`
    update directory_groups set version = version + 1, updated_at = now()
    where directory_id = ${ctx.directory.id}
      and id in (
        select group_id from directory_group_members where directory_id = ${ctx.directory.id} and user_id = ${memberId}
        union
        select group_id from directory_group_subgroups where directory_id = ${ctx.directory.id} and member_group_id = ${memberId}
      )
    returning id`);
  return rowsOf<{ id: string }>(rows).map((r) => r.id);
}
