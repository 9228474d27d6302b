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
import { recordDirectoryEvent, recordMemberDeletedFrom } from './directory-events.ts';
import {
  groupsOfRow,
  insertUser,
  selectUserById,
  selectUserByUserName,
  selectUserForUpdate,
  updateUser,
  type StoredUser,
  type UserColumns,
  type UserGroupRef,
} from './user-statements.ts';
import { selectUserPage } from './user-positions.ts';
import { touchGroupsContaining } from './related-versions.ts';
import type { Condition, SortSpec } from './resource-query/index.ts';
import { conditionToSql, sortToSql } from './resource-query/index.ts';
import { userNameKey, userNameProblem } from './user-names.ts';

export type { StoredUser, UserGroupRef } from './user-statements.ts';

export interface UserWrite {
  /** The canonical SCIM document (no id, meta or groups). */
  document: Record<string, unknown>;
}

const u = schema.directoryUsers;

/** The columns kept beside the document so that IdPs' lookups are answered from indexes. */
function indexedFields(document: Record<string, unknown>): UserColumns {
  const userName = document.userName;
  if (typeof userName !== 'string') {
    throw new DomainError('invalid_input', 'userName is required', { details: { attribute: 'userName' } });
  }
  const problem = userNameProblem(userName);
  if (problem !== undefined) throw new DomainError('invalid_input', problem, { details: { attribute: 'userName' } });
  const emails = Array.isArray(document.emails) ? (document.emails as { value?: unknown }[]) : [];
  return {
    userName,
    userNameKey: userNameKey(userName),
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
  try {
    const row = await insertUser(ctx, fields, input.document);
    if (!row) throw userNameTaken(fields.userName, undefined);
    return row;
  } catch (error) {
    if (isUniqueViolation(error)) throw userNameTaken(fields.userName, error);
    throw error;
  }
}

export async function getUser(ctx: DirectoryContext, rawId: string, options: { withGroups?: boolean } = {}): Promise<StoredUser> {
  const id = parseScimResourceId(rawId);
  const row = id === undefined ? undefined : await selectUserById(ctx, id, options.withGroups ?? false);
  if (!row) throw notFound(rawId);
  return row;
}

export interface Precondition {
  /** The versions the client accepts (If-Match); any other current version fails with 412. */
  expectedVersions?: readonly number[] | undefined;
}

/**
 * Changes a user: `change` sees the current state and returns the new document. Concurrent writes
 * of one user take turns, each applying to what the one before it wrote: a read-modify-write such
 * as PATCH never loses a concurrent change, and never fails for having had to wait.
 *
 * Most changes meet no other, so the first attempt reads the user and writes only if its version
 * is still the one read, in two statements that hold no connection in between. When another
 * change landed in between, the user is read again under its row lock, in the write's
 * transaction, and the change applied to that. `change` may therefore run twice.
 */
export async function modifyUser(
  ctx: DirectoryContext,
  rawId: string,
  change: (current: StoredUser) => UserWrite,
  precondition: Precondition = {},
): Promise<StoredUser> {
  const id = parseScimResourceId(rawId);
  if (id === undefined) throw notFound(rawId);
  let userName: string | undefined;
  const apply = async (db: Database, current: StoredUser | undefined, ifVersion?: number) => {
    if (!current) throw notFound(rawId);
    checkVersion(current.version, precondition);
    const next = change(current);
    const fields = indexedFields(next.document);
    userName = fields.userName;
    const display = (d: Record<string, unknown>) => d.displayName ?? d.userName;
    const changed = { active: fields.active !== current.active, display: display(next.document) !== display(current.document) };
    return updateUser(db, ctx, id, fields, next.document, changed, ifVersion);
  };
  try {
    const read = await selectUserById(ctx, id, false);
    const written = await apply(ctx.db, read, read?.version);
    if (written) return written;
    return await withTransaction(ctx.db, async (tx) => {
      const row = await apply(tx, await selectUserForUpdate(tx, ctx, id));
      if (!row) throw notFound(rawId);
      return row;
    });
  } catch (error) {
    if (userName !== undefined && isUniqueViolation(error)) throw userNameTaken(userName, error);
    throw error;
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

/** The page a lookup's matches make (all of them, in the order the list would give). */
function lookupPage<T>(matches: T[], query: ListQuery): ListPage<T> {
  return { total: matches.length, items: matches.slice(query.startIndex - 1, query.startIndex - 1 + query.count) };
}

/**
 * The value looked up when a list is exactly `<attribute> eq "value"` on a core attribute that is
 * not caseExact, unsorted: what IdPs send before creating a user (userName) or a group
 * (displayName). Undefined for any other list.
 */
function lookupValue(query: ListQuery, attribute: 'userName' | 'displayName'): string | undefined {
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

