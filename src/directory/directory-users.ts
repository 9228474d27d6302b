/**
 * The users a directory's identity provider pushed. Each write is one transaction that also
 * bumps the version (for ETags) and appends to the directory's change feed.
 */
import { and, asc, count, eq, inArray, sql, type SQL } from 'drizzle-orm';
import { jsonValue, schema, withTransaction, type Database } from '../db/index.ts';
import { DomainError, isUniqueViolation } from '../errors.ts';
import { parseScimResourceId } from '../ids.ts';
import type { DirectoryContext } from './directory-context.ts';
import { countResources } from './resource-counts.ts';
import { admitWithRead, admitWithReadOne, admitWithWrite, type AdmissionRequest, type AdmittedRead } from './scim-admission.ts';
import { recordDirectoryEvent, recordMemberDeletedFrom } from './directory-events.ts';
import {
  groupsOfRow,
  insertedUser,
  insertUser,
  USER_INSERT_SHAPE,
  userInsertValues,
  type UserInsertSlot,
  selectUserById,
  selectUserByUserName,
  toStoredUser,
  updateUserIfVersion,
  userReadShape,
  type RawUserRow,
  type UserReadSlot,
  type StoredUser,
  type UserGroupRef,
} from './user-statements.ts';
import { selectUserPage } from './user-positions.ts';
import { hashPassword } from './passwords.ts';
import { touchGroupsContaining } from './related-versions.ts';
import type { Condition, SortSpec } from './resource-query/index.ts';
import { conditionToSql, sortToSql } from './resource-query/index.ts';

export type { StoredUser, UserGroupRef } from './user-statements.ts';

export interface UserWrite {
  /** The canonical SCIM document (no id, meta, groups or password). */
  document: Record<string, unknown>;
  /** A new password to hash and keep; undefined leaves the stored one as it is. */
  password?: string | undefined;
}

const u = schema.directoryUsers;

/** The columns kept beside the document so that IdPs' lookups are answered from indexes. */
function indexedFields(document: Record<string, unknown>) {
  const userName = document.userName;
  if (typeof userName !== 'string' || userName.trim() === '') {
    throw new DomainError('invalid_input', 'userName is required', { details: { attribute: 'userName' } });
  }
  const emails = Array.isArray(document.emails) ? (document.emails as { value?: unknown }[]) : [];
  return {
    userName,
    externalId: typeof document.externalId === 'string' ? document.externalId : null,
    active: document.active !== false,
    displayName: typeof document.displayName === 'string' ? document.displayName : null,
    emailValues: [...new Set(emails.map((e) => e.value).filter((v): v is string => typeof v === 'string').map((v) => v.toLowerCase()))],
  };
}

function userNameTaken(userName: string, error: unknown): DomainError {
  return new DomainError('conflict', `userName "${userName}" is already taken in this directory`, {
    cause: error,
    details: { attribute: 'userName' },
  });
}

const scoped = (ctx: DirectoryContext, id: string) => and(eq(u.directoryId, ctx.directory.id), eq(u.id, id));

export async function createUser(ctx: DirectoryContext, input: UserWrite): Promise<StoredUser> {
  const fields = indexedFields(input.document);
  const passwordHash = input.password === undefined ? null : await hashPassword(input.password);
  try {
    const row = await insertUser(ctx.db, ctx, fields, input.document, passwordHash);
    if (!row) throw userNameTaken(fields.userName, undefined);
    return row;
  } catch (error) {
    if (isUniqueViolation(error)) throw userNameTaken(fields.userName, error);
    throw error;
  }
}

/**
 * createUser in the statement that admits the request (see admitWithWrite). Undefined (not a
 * promise) when the user comes with a password, which is hashed only for an admitted request.
 * `read()` gives the created user, throws the conflict of a taken userName, or gives undefined
 * when the statement wrote nothing for want of an open rate-limit window (see admitWithWrite):
 * createUser then makes the user once the admission is acted on.
 */
export function createUserAdmitted(
  db: Database,
  request: AdmissionRequest,
  input: UserWrite,
): Promise<AdmittedRead<StoredUser | undefined>> | undefined {
  if (input.password !== undefined) return undefined;
  const fields = indexedFields(input.document);
  const values = userInsertValues(request.directoryId, fields, input.document, null);
  return admitWithWrite<RawUserRow, UserInsertSlot>(db, request, USER_INSERT_SHAPE, values).then(
    ({ admission, written, rows }) => ({
      admission,
      read: () => {
        if (!written) return undefined;
        const [row] = rows;
        if (!row) throw userNameTaken(fields.userName, undefined);
        return insertedUser(row);
      },
    }),
    (error: unknown) => {
      // A userName can be taken by a concurrent insert after the statement's check: the unique index says so.
      if (isUniqueViolation(error)) throw userNameTaken(fields.userName, error);
      throw error;
    },
  );
}

export async function getUser(ctx: DirectoryContext, rawId: string, options: { withGroups?: boolean } = {}): Promise<StoredUser> {
  const id = parseScimResourceId(rawId);
  const row = id === undefined ? undefined : await selectUserById(ctx, id, options.withGroups ?? false);
  if (!row) throw notFound(rawId);
  return row;
}

/** getUser in the statement that admits the request (see admitWithRead). */
export function getUserAdmitted(
  db: Database,
  request: AdmissionRequest,
  rawId: string,
  options: { withGroups?: boolean } = {},
): Promise<AdmittedRead<StoredUser>> {
  const id = parseScimResourceId(rawId);
  const read = id === undefined ? undefined : { shape: userReadShape('id', options.withGroups ?? false), values: { directoryId: request.directoryId, key: id } };
  return admitWithReadOne<RawUserRow, UserReadSlot, StoredUser>(db, request, read, toStoredUser, () => notFound(rawId));
}

export interface Precondition {
  /** The versions the client accepts (If-Match); any other current version fails with 412. */
  expectedVersions?: readonly number[] | undefined;
}

/** How often a write is retried when another writer changed the user between read and write. */
const MAX_WRITE_ATTEMPTS = 10;

/**
 * Changes a user: `change` sees the current state and returns the new document. The write applies
 * only if nobody changed the user since it was read (its version is the guard), and is otherwise
 * recomputed from the newer state, so a read-modify-write such as PATCH never loses a concurrent
 * change. Read and write are one prepared statement each, with no transaction block around them.
 */
export async function modifyUser(
  ctx: DirectoryContext,
  rawId: string,
  change: (current: StoredUser) => UserWrite,
  precondition: Precondition = {},
  /** The user as just read (by getUserAdmitted, say), which spares the first attempt its read. */
  readFirst?: StoredUser,
): Promise<StoredUser> {
  const id = parseScimResourceId(rawId);
  if (id === undefined) throw notFound(rawId);
  for (let attempt = 1; ; attempt++) {
    const current = attempt === 1 && readFirst?.id === id ? readFirst : await selectUserById(ctx, id, false);
    if (!current) throw notFound(rawId);
    checkVersion(current.version, precondition);
    const next = change(current);
    const fields = indexedFields(next.document);
    const password = next.password === undefined ? undefined : { hash: await hashPassword(next.password) };
    try {
      const display = (d: Record<string, unknown>) => d.displayName ?? d.userName;
      const changed = { active: fields.active !== current.active, display: display(next.document) !== display(current.document) };
      const row = await updateUserIfVersion(ctx.db, ctx, id, current.version, fields, next.document, password, changed);
      if (row) return row;
    } catch (error) {
      if (isUniqueViolation(error)) throw userNameTaken(fields.userName, error);
      throw error;
    }
    if (attempt >= MAX_WRITE_ATTEMPTS) {
      throw new DomainError('conflict', `the User "${rawId}" is being changed by other requests; retry`);
    }
  }
}

export async function deleteUser(ctx: DirectoryContext, rawId: string, precondition: Precondition = {}): Promise<void> {
  const id = parseScimResourceId(rawId);
  if (id === undefined) throw notFound(rawId);
  await withTransaction(ctx.db, async (tx) => {
    const [row] = await tx.select({ version: u.version }).from(u).where(scoped(ctx, id)).for('update').limit(1);
    if (!row) throw notFound(rawId);
    checkVersion(row.version, precondition);
    const formerGroups = await touchGroupsContaining(tx, ctx, id);
    await tx.delete(u).where(scoped(ctx, id));
    await recordDirectoryEvent(tx, ctx, { type: 'user.deleted', resourceType: 'User', resourceId: id });
    await recordMemberDeletedFrom(tx, ctx, formerGroups, id);
  });
}

export interface ListQuery {
  condition?: Condition | undefined;
  /** Users: also read each user's direct groups, in the same statement. */
  withRelations?: boolean | undefined;
  sort?: SortSpec | undefined;
  /** 1-based, as SCIM counts. */
  startIndex: number;
  count: number;
}

export interface ListPage<T> {
  total: number;
  items: T[];
}

export async function listUsers(ctx: DirectoryContext, query: ListQuery): Promise<ListPage<StoredUser>> {
  const withGroups = query.withRelations ?? false;
  const userName = lookupValue(query, 'userName');
  if (userName !== undefined) {
    // What Okta and Entra send before every create: one prepared statement on the unique index.
    return lookupPage(await selectUserByUserName(ctx, userName, withGroups), query);
  }
  if (query.condition === undefined && query.sort === undefined) {
    // The whole directory in id order (what Okta's import pages through), at any depth: the total
    // is the kept count, and the page starts from the nearest position mark.
    const total = await countResources(ctx, 'User');
    const items = query.count > 0 && query.startIndex <= total ? await selectUserPage(ctx, query.startIndex, query.count, withGroups) : [];
    return { total, items };
  }
  const where = and(eq(u.directoryId, ctx.directory.id), query.condition ? conditionToSql(query.condition, 'User') : undefined);
  const order: SQL[] = query.sort ? [sortToSql(query.sort, 'User'), asc(u.id)] : [asc(u.id)];
  // Only sorted, the total is the directory's kept count; filtered, it rides along with the page.
  const knownTotal = query.condition === undefined ? await countResources(ctx, 'User') : undefined;
  const columns = {
    user: u,
    total: knownTotal === undefined ? sql<number>`count(*) over ()` : sql<number>`0`,
    ...(withGroups ? { groups: sql<unknown>`${groupsOfRow('directory_users')}` } : {}),
  };
  let page: { user: typeof u.$inferSelect; total: number; groups?: unknown }[] = [];
  if (query.count > 0 && !(knownTotal !== undefined && query.startIndex > knownTotal)) {
    page = await ctx.db.select(columns).from(u).where(where).orderBy(...order).limit(query.count).offset(query.startIndex - 1);
  }
  // An empty page says nothing of the total (the offset may lie past the end): count then.
  const total =
    knownTotal ??
    (page.length > 0 ? Number(page[0]!.total) : Number((await ctx.db.select({ total: count() }).from(u).where(where))[0]?.total ?? 0));
  const items = page.map((row) => ({
    ...toStored(row.user),
    ...('groups' in row ? { groups: jsonValue<UserGroupRef[]>(row.groups) } : {}),
  }));
  return { total, items };
}

/**
 * listUsers in the statement that admits the request (see admitWithRead), for the one list that
 * needs a single statement: the userName lookup IdPs send before every create. Undefined (not a
 * promise) when `query` is anything else, which listUsers answers after a separate admission.
 */
export function listUsersAdmitted(
  db: Database,
  request: AdmissionRequest,
  query: ListQuery,
): Promise<AdmittedRead<ListPage<StoredUser>>> | undefined {
  const userName = lookupValue(query, 'userName');
  if (userName === undefined) return undefined;
  const shape = userReadShape('userName', query.withRelations ?? false);
  return admitWithRead<RawUserRow, UserReadSlot>(db, request, shape, { directoryId: request.directoryId, key: userName }).then(
    ({ admission, rows }) => ({ admission, read: () => lookupPage(rows.map(toStoredUser), query) }),
  );
}

/** The page a lookup's matches make (all of them, in the order the list would give). */
export function lookupPage<T>(matches: T[], query: ListQuery): ListPage<T> {
  return { total: matches.length, items: matches.slice(query.startIndex - 1, query.startIndex - 1 + query.count) };
}

/**
 * The value looked up when a list is exactly `<attribute> eq "value"` on a core attribute that is
 * not caseExact, unsorted: what IdPs send before creating a user (userName) or a group
 * (displayName). Undefined for any other list.
 */
export function lookupValue(query: ListQuery, attribute: 'userName' | 'displayName'): string | undefined {
  const c = query.condition;
  if (query.sort || !c || c.kind !== 'compare' || c.op !== 'eq' || typeof c.value !== 'string' || c.attr.caseExact) return undefined;
  return c.attr.path.length === 1 && c.attr.path[0] === attribute ? c.value : undefined;
}

/** The groups each user is a direct member of, for the read-only `groups` attribute. */
export async function groupsOfUsers(ctx: DirectoryContext, userIds: string[]): Promise<Map<string, UserGroupRef[]>> {
  const result = new Map<string, UserGroupRef[]>(userIds.map((id) => [id, []]));
  if (userIds.length === 0) return result;
  const m = schema.directoryGroupMembers;
  const g = schema.directoryGroups;
  const rows = await ctx.db
    .select({ userId: m.userId, id: g.id, displayName: g.displayName })
    .from(m)
    .innerJoin(g, and(eq(g.directoryId, m.directoryId), eq(g.id, m.groupId)))
    .where(and(eq(m.directoryId, ctx.directory.id), inArray(m.userId, userIds)))
    .orderBy(asc(g.displayName), asc(g.id));
  for (const row of rows) result.get(row.userId)?.push({ id: row.id, displayName: row.displayName });
  return result;
}

export function checkVersion(current: number, precondition: Precondition): void {
  if (precondition.expectedVersions !== undefined && !precondition.expectedVersions.includes(current)) {
    throw new DomainError('precondition_failed', 'the resource has changed since the version given in If-Match');
  }
}

function notFound(id: string): DomainError {
  return new DomainError('not_found', `no User "${id}" in this directory`);
}

function toStored(row: typeof u.$inferSelect): StoredUser {
  return {
    id: row.id,
    document: row.document,
    active: row.active,
    version: row.version,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

