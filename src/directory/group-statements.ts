/**
 * The statements behind what IdPs do most to groups: read one, and add users to one (Entra sends
 * one PATCH per added member, at a high rate). Adding is one prepared statement that inserts the
 * memberships, bumps the versions of the users whose `groups` changed and of the group, and writes
 * the change-feed entry — all or nothing. The memberships' foreign keys check every id, so the
 * users are not read first.
 *
 * The group's row is locked only by the bump of its version, the statement's last change, and
 * held until the commit: PATCHes of one group take turns for that alone, while their membership
 * inserts and user bumps run side by side (a membership's foreign key takes a KEY SHARE lock on
 * the group, which a version bump does not conflict with). Adding members reads nothing it then
 * rewrites, so taking turns this late loses no concurrent change.
 */
import { sql, type SQL } from 'drizzle-orm';
import { epochDate, jsonValue, queryPrepared } from '../db/index.ts';
import { isForeignKeyViolation } from '../errors.ts';
import { isUuid, newId } from '../ids.ts';
import type { DirectoryContext } from './directory-context.ts';
import type { StoredGroup } from './directory-groups.ts';

interface RawGroupRow {
  id: string;
  document: unknown;
  version: number;
  created_ms: number;
  updated_ms: number;
}

const GROUP_COLUMNS = sql.raw(
  'id, document, version, extract(epoch from created_at) * 1000 as created_ms, extract(epoch from updated_at) * 1000 as updated_ms',
);

function groupById(directoryId: string, id: string): SQL {
  return sql`select ${GROUP_COLUMNS} from directory_groups where directory_id = ${directoryId} and id = ${id}`;
}

function toStoredGroup(raw: RawGroupRow): StoredGroup {
  return { id: raw.id, document: jsonValue(raw.document), version: Number(raw.version), createdAt: epochDate(raw.created_ms), updatedAt: epochDate(raw.updated_ms) };
}

export async function selectGroupById(ctx: DirectoryContext, id: string): Promise<StoredGroup | undefined> {
  const [raw] = await queryPrepared<RawGroupRow>(ctx.db, groupById(ctx.directory.id, id));
  return raw ? toStoredGroup(raw) : undefined;
}

export type AddUsersOutcome =
  | { kind: 'applied'; document: Record<string, unknown>; version: number; updatedAt: Date; added: number }
  /**
   * Some id is not a user of this directory (maybe a group, maybe unknown), or a user or the group
   * was deleted while the statement ran: nothing was written, and the general path says which.
   */
  | { kind: 'not_all_users' }
  | { kind: 'group_not_found' };

export async function addUsersToGroup(ctx: DirectoryContext, groupId: string, userIds: string[]): Promise<AddUsersOutcome> {
  if (!userIds.every(isUuid)) return { kind: 'not_all_users' };
  const [row] = await queryPrepared<{ found: number; added: number; document: unknown; version: number | null; updated_ms: number | null }>(
    ctx.db,
    addStatement(ctx, groupId, userIds),
  ).catch((error: unknown) => {
    // An id that is not a user of this directory (a group, another directory's user, an unknown
    // id, a user deleted meanwhile), or the group deleted meanwhile: its foreign key says so, and
    // nothing was written.
    if (isForeignKeyViolation(error)) return [];
    throw error;
  });
  if (row === undefined) return { kind: 'not_all_users' };
  if (Number(row.found) === 0) return { kind: 'group_not_found' };
  return {
    kind: 'applied',
    document: jsonValue(row.document),
    version: Number(row.version),
    updatedAt: epochDate(row.updated_ms),
    added: Number(row.added),
  };
}

function addStatement(ctx: DirectoryContext, groupId: string, userIds: string[]): SQL {
  const d = ctx.directory.id;
  return sql`with target as (
      select id, document, version, updated_at from directory_groups where directory_id = ${d} and id = ${groupId}
    ), wanted as (
      select distinct member as id from unnest(string_to_array(${userIds.join(',')}, ',')::uuid[]) as member
    ), inserted as (
      -- The memberships' foreign keys are the check that every id is a user of this directory and
      -- that the group exists: a violation undoes the whole statement (caught below).
      insert into directory_group_members (directory_id, group_id, user_id)
      select ${d}, ${groupId}, id from wanted
      on conflict do nothing
      returning user_id
    ), touched as (
      update directory_users set version = version + 1, updated_at = now()
      where directory_id = ${d} and id in (select user_id from inserted)
      returning 1
    ), bumped as (
      update directory_groups set version = version + 1, updated_at = now()
      where directory_id = ${d} and id = ${groupId} and exists (select 1 from inserted)
      returning document, version, updated_at
    ), event as (
      insert into directory_events (id, organization_id, directory_id, type, resource_type, resource_id, data)
      select ${newId()}, ${ctx.organization.id}, ${d}, 'group.members_changed', 'Group', ${groupId},
        jsonb_build_object('added', (select jsonb_agg(user_id) from inserted), 'removed', '[]'::jsonb)
      where exists (select 1 from inserted)
    )
    select (select count(*) from target)::int as found, (select count(*) from inserted)::int as added,
      (select count(*) from touched)::int as touched,
      coalesce((select document from bumped), (select document from target)) as document,
      coalesce((select version from bumped), (select version from target)) as version,
      extract(epoch from coalesce((select updated_at from bumped), (select updated_at from target))) * 1000 as updated_ms`;
}
