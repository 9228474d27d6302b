/**
 * The statements behind what IdPs do at every sync — read a user, find one by userName, create
 * one, update one. A create and its change-feed entry are one statement (a data-modifying CTE),
 * which is atomic without a transaction block; an update runs in the caller's transaction, after
 * the row was read under its lock.
 */
import { sql, type SQL } from 'drizzle-orm';
import { epochDate, jsonValue, queryPrepared, type Database } from '../db/index.ts';
import { newId } from '../ids.ts';
import type { DirectoryContext } from './directory-context.ts';
import { userNameKey } from './user-names.ts';

/** A user as stored: the SCIM document and the columns the protocol reads beside it. */
export interface StoredUser {
  id: string;
  document: Record<string, unknown>;
  active: boolean;
  version: number;
  createdAt: Date;
  updatedAt: Date;
  /** The direct groups, when the read was asked for them (`withGroups`). */
  groups?: UserGroupRef[];
}

export interface UserGroupRef {
  id: string;
  displayName: string;
}

/** The columns kept beside the document, derived from it. */
export interface UserColumns {
  userName: string;
  /** What uniqueness and lookups compare: userNameKey(userName). */
  userNameKey: string;
  externalId: string | null;
  active: boolean;
  displayName: string | null;
  emailValues: string[];
}

export interface RawUserRow {
  id: string;
  document: unknown;
  active: boolean;
  version: number;
  created_ms: number;
  updated_ms: number;
  groups?: unknown;
}

const RETURNED = sql.raw(
  'id, document, active, version, extract(epoch from created_at) * 1000 as created_ms, extract(epoch from updated_at) * 1000 as updated_ms',
);

/**
 * A user's direct groups as one JSON array, for the row named `row` (an alias or the table name),
 * so that a read with `groups` stays one statement.
 */
export function groupsOfRow(row: 'u' | 'directory_users'): SQL {
  return sql.raw(`(select coalesce(json_agg(json_build_object('id', g.id, 'displayName', g.display_name) order by g.display_name, g.id), '[]'::json)
   from directory_group_members m join directory_groups g on g.directory_id = m.directory_id and g.id = m.group_id
   where m.directory_id = ${row}.directory_id and m.user_id = ${row}.id) as groups`);
}

export function toStoredUser(raw: RawUserRow): StoredUser {
  return {
    id: raw.id,
    document: jsonValue(raw.document),
    active: raw.active,
    version: Number(raw.version),
    createdAt: epochDate(raw.created_ms),
    updatedAt: epochDate(raw.updated_ms),
    ...(raw.groups === undefined ? {} : { groups: jsonValue(raw.groups) }),
  };
}

/** A user's columns as RawUserRow reads them, for a row aliased `u`. */
export const USER_COLUMNS = sql.raw(
  'u.id, u.document, u.active, u.version, extract(epoch from u.created_at) * 1000 as created_ms, extract(epoch from u.updated_at) * 1000 as updated_ms',
);

/** The SELECT of a directory's users matching `where` (over the alias `u`), as RawUserRow reads them. */
function userSelect(directoryId: string, where: SQL, withGroups: boolean): SQL {
  const columns = withGroups ? sql`${USER_COLUMNS}, ${groupsOfRow('u')}` : USER_COLUMNS;
  return sql`select ${columns} from directory_users u where u.directory_id = ${directoryId} and ${where}`;
}

/** userName is unique per directory as its key compares it (user-names.ts): answered from that unique index. */
function userByUserName(userName: string): SQL {
  return sql`u.user_name_key = ${userNameKey(userName)}`;
}

async function select(db: Database, ctx: DirectoryContext, where: SQL, withGroups: boolean): Promise<StoredUser[]> {
  const rows = await queryPrepared<RawUserRow>(db, userSelect(ctx.directory.id, where, withGroups));
  return rows.map(toStoredUser);
}

export async function selectUserById(ctx: DirectoryContext, id: string, withGroups: boolean): Promise<StoredUser | undefined> {
  return (await select(ctx.db, ctx, sql`u.id = ${id}`, withGroups))[0];
}

/**
 * A user read under its row lock, inside the caller's transaction `tx`: concurrent writes of one
 * user wait here for each other, so each applies its change to what the previous one wrote.
 * NO KEY UPDATE, the lock the update itself takes, leaves memberships free to reference the user
 * meanwhile (their foreign key check takes KEY SHARE, which FOR UPDATE would block).
 */
export async function selectUserForUpdate(tx: Database, ctx: DirectoryContext, id: string): Promise<StoredUser | undefined> {
  return (await select(tx, ctx, sql`u.id = ${id} for no key update of u`, false))[0];
}

export async function selectUserByUserName(ctx: DirectoryContext, userName: string, withGroups: boolean): Promise<StoredUser[]> {
  return select(ctx.db, ctx, userByUserName(userName), withGroups);
}

/** Inserts a user and its `user.created` event; undefined when the userName is taken. */
export async function insertUser(ctx: DirectoryContext, columns: UserColumns, document: Record<string, unknown>): Promise<StoredUser | undefined> {
  const [raw] = await queryPrepared<RawUserRow>(
    ctx.db,
    sql`with written as (
      insert into directory_users
        (id, organization_id, directory_id, user_name, user_name_key, external_id, active, display_name, email_values, document)
      values (${newId()}::uuid, ${ctx.organization.id}::uuid, ${ctx.directory.id}::uuid, ${columns.userName}::text,
        ${columns.userNameKey}::text, ${columns.externalId}::text, ${columns.active}::boolean, ${columns.displayName}::text,
        array(select jsonb_array_elements_text(${JSON.stringify(columns.emailValues)}::jsonb)), ${JSON.stringify(document)}::jsonb)
      on conflict do nothing
      returning ${RETURNED}
    ), created_event as (
      insert into directory_events (id, organization_id, directory_id, type, resource_type, resource_id, data)
      select ${newId()}::uuid, ${ctx.organization.id}::uuid, ${ctx.directory.id}::uuid, 'user.created', 'User', w.id,
        jsonb_build_object('active', w.active)
      from written w
    )
    select * from written`,
  );
  // A user created by the statement that returned it cannot be in any group yet.
  return raw ? { ...toStoredUser(raw), groups: [] } : undefined;
}

/**
 * Writes a user's new state with its `user.updated` event in one statement, and returns it with
 * its groups: in the transaction `tx` that read the user under its lock, or, with `ifVersion`, on
 * its own, writing nothing when the user has moved past that version. A unique violation
 * (userName taken) is thrown as the driver reports it.
 */
export async function updateUser(
  tx: Database,
  ctx: DirectoryContext,
  id: string,
  columns: UserColumns,
  document: Record<string, unknown>,
  changed: { active: boolean; display: boolean },
  /** Write only if the user is still at this version; undefined when it is not (or is gone). */
  ifVersion?: number,
): Promise<StoredUser | undefined> {
  const [raw] = await queryPrepared<RawUserRow>(
    tx,
    sql`with updated as (
      update directory_users set
        user_name = ${columns.userName}, user_name_key = ${columns.userNameKey}, external_id = ${columns.externalId},
        active = ${columns.active}, display_name = ${columns.displayName},
        email_values = array(select jsonb_array_elements_text(${JSON.stringify(columns.emailValues)}::jsonb)),
        document = ${JSON.stringify(document)}::jsonb,
        version = version + 1, updated_at = now()
      where directory_id = ${ctx.directory.id} and id = ${id} ${ifVersion === undefined ? sql`` : sql`and version = ${ifVersion}`}
      returning ${RETURNED}, ${groupsOfRow('directory_users')}
    ), event as (
      insert into directory_events (id, organization_id, directory_id, type, resource_type, resource_id, data)
      select ${newId()}, ${ctx.organization.id}, ${ctx.directory.id}, 'user.updated', 'User', id,
        case when ${changed.active} then jsonb_build_object('active', active) else '{}'::jsonb end
      from updated
    ), groups_shown_in as (
      -- A group lists its members' display names: when that changes, so does the group's ETag.
      update directory_groups set version = version + 1, updated_at = now()
      where ${changed.display} and exists (select 1 from updated) and directory_id = ${ctx.directory.id}
        and id in (select group_id from directory_group_members where directory_id = ${ctx.directory.id} and user_id = ${id})
    )
    select * from updated`,
  );
  return raw ? toStoredUser(raw) : undefined;
}
