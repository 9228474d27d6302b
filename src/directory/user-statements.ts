/**
 * The statements behind what IdPs do at every sync — read a user, find one by userName, create
 * one, update one — each a single prepared statement: the change and its change-feed entry are
 * written by one statement (a data-modifying CTE), which is atomic without a transaction block.
 */
import { sql, type SQL } from 'drizzle-orm';
import { epochDate, jsonValue, queryPrepared, queryTemplate, statementTemplate, type Database } from '../db/index.ts';
import { newId } from '../ids.ts';
import type { DirectoryContext } from './directory-context.ts';
import type { AdmittedReadShape, AdmittedWriteShape } from './scim-admission.ts';

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

export interface UserColumns {
  userName: string;
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
export function userSelect(directoryId: string, where: SQL, withGroups: boolean): SQL {
  const columns = withGroups ? sql`${USER_COLUMNS}, ${groupsOfRow('u')}` : USER_COLUMNS;
  return sql`select ${columns} from directory_users u where u.directory_id = ${directoryId} and ${where}`;
}

/** The slots of a user read made as a template (see admitWithRead): the directory, and the id or userName. */
export type UserReadSlot = 'directoryId' | 'key';

/** A user by id or by userName, with or without its groups, as a read an admission statement makes. */
export function userReadShape(by: 'id' | 'userName', withGroups: boolean): AdmittedReadShape<UserReadSlot> {
  return {
    key: `user-by-${by}:${withGroups}`,
    build: (slot) => userSelect(slot('directoryId'), by === 'id' ? userById(slot('key')) : userByUserName(slot('key')), withGroups),
  };
}

/** What identifies a user in a read: its id, or its userName (unique per directory, case-insensitively). */
export function userById(id: string): SQL {
  return sql`u.id = ${id}`;
}

export function userByUserName(userName: string): SQL {
  return sql`lower(u.user_name) = lower(${userName})`;
}

async function select(ctx: DirectoryContext, where: SQL, withGroups: boolean): Promise<StoredUser[]> {
  const rows = await queryPrepared<RawUserRow>(ctx.db, userSelect(ctx.directory.id, where, withGroups));
  return rows.map(toStoredUser);
}

export async function selectUserById(ctx: DirectoryContext, id: string, withGroups: boolean): Promise<StoredUser | undefined> {
  return (await select(ctx, userById(id), withGroups))[0];
}

/** userName is unique per directory, case-insensitively: answered from that unique index. */
export async function selectUserByUserName(ctx: DirectoryContext, userName: string, withGroups: boolean): Promise<StoredUser[]> {
  return select(ctx, userByUserName(userName), withGroups);
}

/** The values of a user's insert, as the slots of its template. */
export type UserInsertSlot =
  | 'id'
  | 'directoryId'
  | 'userName'
  | 'externalId'
  | 'active'
  | 'displayName'
  | 'emailValues'
  | 'document'
  | 'passwordHash'
  | 'eventId';

/** A user's insert slots filled from its columns (the organization comes from elsewhere: see userInsertClauses). */
export function userInsertValues(
  directoryId: string,
  columns: UserColumns,
  document: Record<string, unknown>,
  passwordHash: string | null,
): Record<UserInsertSlot, unknown> {
  return {
    id: newId(),
    directoryId,
    userName: columns.userName,
    externalId: columns.externalId,
    active: columns.active,
    displayName: columns.displayName,
    emailValues: JSON.stringify(columns.emailValues),
    document: JSON.stringify(document),
    passwordHash,
    eventId: newId(),
  };
}

/**
 * The `with` clauses that insert a user (unless its userName is taken) and its `user.created`
 * event, naming the inserted row `written`. `organizations` is a relation of one column,
 * `organization_id`, with one row to insert the user, none to insert nothing.
 */
export function userInsertClauses(slot: (name: UserInsertSlot) => string, organizations: SQL): SQL {
  return sql`written as (
      insert into directory_users
        (id, organization_id, directory_id, user_name, external_id, active, display_name, email_values, document, password_hash)
      select ${slot('id')}::uuid, o.organization_id, ${slot('directoryId')}::uuid, ${slot('userName')}::text, ${slot('externalId')}::text,
        ${slot('active')}::boolean, ${slot('displayName')}::text, array(select jsonb_array_elements_text(${slot('emailValues')}::jsonb)),
        ${slot('document')}::jsonb, ${slot('passwordHash')}::text
      from ${organizations} o
      on conflict do nothing
      returning ${RETURNED}
    ), created_event as (
      insert into directory_events (id, organization_id, directory_id, type, resource_type, resource_id, data)
      select ${slot('eventId')}::uuid, o.organization_id, ${slot('directoryId')}::uuid, 'user.created', 'User', w.id,
        jsonb_build_object('active', w.active)
      from written w cross join ${organizations} o
    )`;
}

/** The shape of a user's insert made in the statement that admits its request (see admitWithWrite). */
export const USER_INSERT_SHAPE: AdmittedWriteShape<UserInsertSlot> = {
  key: 'user-insert',
  build: (slot) => userInsertClauses(slot, sql.raw('admitted')),
};

const plainInsert = statementTemplate<UserInsertSlot | 'organizationId'>(
  (slot) => sql`with ${userInsertClauses(slot, sql`(select ${slot('organizationId')}::uuid as organization_id)`)} select * from written`,
);

/** A user just inserted, as StoredUser: a user created by the statement that returned it cannot be in any group yet. */
export function insertedUser(raw: RawUserRow): StoredUser {
  return { ...toStoredUser(raw), groups: [] };
}

/** Inserts a user and its `user.created` event; undefined when the userName is taken. */
export async function insertUser(
  db: Database,
  ctx: DirectoryContext,
  columns: UserColumns,
  document: Record<string, unknown>,
  passwordHash: string | null,
): Promise<StoredUser | undefined> {
  const [raw] = await queryTemplate<RawUserRow, UserInsertSlot | 'organizationId'>(db, plainInsert, {
    ...userInsertValues(ctx.directory.id, columns, document, passwordHash),
    organizationId: ctx.organization.id,
  });
  return raw ? insertedUser(raw) : undefined;
}

/**
 * Writes a user's new state if it is still at `expectedVersion`, with its `user.updated` event, and returns it
 * with its groups; undefined when someone else changed (or deleted) it first. A unique violation (userName taken)
 * is thrown as the driver reports it.
 */
export async function updateUserIfVersion(
  db: Database,
  ctx: DirectoryContext,
  id: string,
  expectedVersion: number,
  columns: UserColumns,
  document: Record<string, unknown>,
  password: { hash: string } | undefined,
  changed: { active: boolean; display: boolean },
): Promise<StoredUser | undefined> {
  const [raw] = await queryPrepared<RawUserRow>(
    db,
    sql`with updated as (
      update directory_users set
        user_name = ${columns.userName}, external_id = ${columns.externalId}, active = ${columns.active},
        display_name = ${columns.displayName},
        email_values = array(select jsonb_array_elements_text(${JSON.stringify(columns.emailValues)}::jsonb)),
        document = ${JSON.stringify(document)}::jsonb,
        password_hash = case when ${password !== undefined} then ${password?.hash ?? null} else password_hash end,
        version = version + 1, updated_at = now()
      where directory_id = ${ctx.directory.id} and id = ${id} and version = ${expectedVersion}
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

