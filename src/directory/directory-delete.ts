/**
 * Deleting a directory with everything it holds: its tokens, users, groups, memberships, change
 * feed, request log, counts and position marks, in one transaction, with one audit entry.
 *
 * A directory may hold a million users. Letting `delete from directories` cascade would do the work
 * row by row where it matters most: each deleted user fires the membership foreign key's cascade,
 * which deletes that user's memberships in a statement of its own. So each table is emptied of the
 * directory's rows by one statement of its own, children before parents: memberships before users
 * and groups (the per-user cascade then finds nothing to delete), position marks before users (the
 * users' statement-level trigger of migration 0011 then has no marks to remove), and the counts and
 * their deltas last, after the users' and groups' triggers have appended theirs. The final delete of
 * the directory row cascades into tables already empty of it.
 */
import { sql, type SQL } from 'drizzle-orm';
import { queryPrepared, withTransaction, type Database } from '../db/index.ts';
import { DomainError } from '../errors.ts';
import { parseDirectoryId, type DirectoryId } from '../ids.ts';
import { recordAudit } from './audit.ts';
import type { OrgContext } from './context.ts';
import { requirePermission } from './access/index.ts';

/** What a deletion removed, as recorded in its audit entry. */
export interface DeletedDirectory {
  id: DirectoryId;
  name: string;
  users: number;
  groups: number;
  tokens: number;
}

/**
 * Deletes a directory of the context's organization; another organization's directory is "not
 * found". Its tokens stop admitting requests when the transaction commits, on every instance,
 * since admission reads them from the database.
 */
export async function deleteDirectory(ctx: OrgContext, input: { directoryId: string }): Promise<DeletedDirectory> {
  requirePermission(ctx, 'sso.manage', 'deleting a directory');
  const id = parseDirectoryId(input.directoryId);
  const notFound = () => new DomainError('not_found', `no directory "${input.directoryId}" in organization "${ctx.organization.slug}"`);
  if (id === undefined) throw notFound();
  const org = ctx.organization.id;

  return withTransaction(ctx.db, async (tx) => {
    // Locked first, before any token or resource row: a SCIM write in flight holds a key-share lock
    // on this row (its foreign key check), so the deletion waits for it rather than deadlocking
    // with it, and later writes wait for the deletion, then find the directory gone.
    const [directory] = await queryPrepared<{ name: string }>(
      tx,
      sql`select name from directories where organization_id = ${org} and id = ${id} for update`,
    );
    if (!directory) throw notFound();

    const tokens = await deleteCounting(tx, sql`delete from scim_tokens where organization_id = ${org} and directory_id = ${id}`);
    await deleteCounting(tx, sql`delete from directory_group_members where directory_id = ${id}`);
    await deleteCounting(tx, sql`delete from directory_group_subgroups where directory_id = ${id}`);
    await deleteCounting(tx, sql`delete from directory_user_marks where directory_id = ${id}`);
    const users = await deleteCounting(tx, sql`delete from directory_users where organization_id = ${org} and directory_id = ${id}`);
    const groups = await deleteCounting(tx, sql`delete from directory_groups where organization_id = ${org} and directory_id = ${id}`);
    await deleteCounting(tx, sql`delete from directory_events where organization_id = ${org} and directory_id = ${id}`);
    await deleteCounting(tx, sql`delete from scim_request_log where organization_id = ${org} and directory_id = ${id}`);
    // No foreign key on these two (their triggers append without checking): removed by hand.
    await deleteCounting(tx, sql`delete from directory_resource_count_deltas where directory_id = ${id}`);
    await deleteCounting(tx, sql`delete from directory_resource_counts where directory_id = ${id}`);
    await deleteCounting(tx, sql`delete from directories where organization_id = ${org} and id = ${id}`);

    await recordAudit(tx, ctx.actor, {
      organizationId: org,
      action: 'directory.deleted',
      target: { type: 'directory', id },
      details: { name: directory.name, users, groups, tokens },
    });
    return { id, name: directory.name, users, groups, tokens };
  });
}

/** Runs one delete and counts its rows in the database, so no deleted row travels back. */
async function deleteCounting(tx: Database, statement: SQL): Promise<number> {
  const [row] = await queryPrepared<{ deleted: number | string }>(
    tx,
    sql`with gone as (${statement} returning 1) select count(*)::int as deleted from gone`,
  );
  return Number(row?.deleted ?? 0);
}
