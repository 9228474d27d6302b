/**
 * The users a directory's identity provider pushed. Each write is one transaction that also
 * bumps the version (for ETags) and appends to the directory's change feed.
 */
import { and, asc, count, eq, inArray, sql, type SQL } from 'drizzle-orm';
import { schema, withTransaction } from '../db/index.ts';
import { DomainError, isUniqueViolation } from '../errors.ts';
import { newId, parseScimResourceId } from '../ids.ts';
import type { DirectoryContext } from './directory-context.ts';
import { recordDirectoryEvent } from './directory-events.ts';
import { hashPassword } from './passwords.ts';
import { touchGroupsContaining } from './related-versions.ts';
import type { Condition, SortSpec } from './resource-query.ts';
import { conditionToSql, sortToSql } from './resource-query-sql.ts';

export interface StoredUser {
  id: string;
  document: Record<string, unknown>;
  active: boolean;
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

export interface UserGroupRef {
  id: string;
  displayName: string;
}

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
    return await withTransaction(ctx.db, async (tx) => {
      const [row] = await tx
        .insert(u)
        .values({
          id: newId(),
          organizationId: ctx.organization.id,
          directoryId: ctx.directory.id,
          ...fields,
          document: input.document,
          passwordHash,
        })
        .onConflictDoNothing()
        .returning();
      if (!row) throw userNameTaken(fields.userName, undefined);
      await recordDirectoryEvent(tx, ctx, { type: 'user.created', resourceType: 'User', resourceId: row.id, data: { active: row.active } });
      return toStored(row);
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw userNameTaken(fields.userName, error);
    throw error;
  }
}

export async function getUser(ctx: DirectoryContext, rawId: string): Promise<StoredUser> {
  const id = parseScimResourceId(rawId);
  if (id !== undefined) {
    const [row] = await ctx.db.select().from(u).where(scoped(ctx, id)).limit(1);
    if (row) return toStored(row);
  }
  throw notFound(rawId);
}

export interface Precondition {
  /** The versions the client accepts (If-Match); any other current version fails with 412. */
  expectedVersions?: readonly number[] | undefined;
}

/**
 * Changes a user under a row lock: `change` sees the current state and returns the new document,
 * so a read-modify-write (PATCH) is atomic against concurrent writers.
 */
export async function modifyUser(
  ctx: DirectoryContext,
  rawId: string,
  change: (current: StoredUser) => UserWrite,
  precondition: Precondition = {},
): Promise<StoredUser> {
  const id = parseScimResourceId(rawId);
  if (id === undefined) throw notFound(rawId);
  let attemptedUserName = '';
  try {
    return await withTransaction(ctx.db, async (tx) => {
      const [currentRow] = await tx.select().from(u).where(scoped(ctx, id)).for('update').limit(1);
      if (!currentRow) throw notFound(rawId);
      const current = toStored(currentRow);
      checkVersion(current.version, precondition);
      const next = change(current);
      const fields = indexedFields(next.document);
      attemptedUserName = fields.userName;
      const passwordHash = next.password === undefined ? currentRow.passwordHash : await hashPassword(next.password);
      const [row] = await tx
        .update(u)
        .set({ ...fields, document: next.document, passwordHash, version: sql`${u.version} + 1`, updatedAt: sql`now()` })
        .where(scoped(ctx, id))
        .returning();
      await recordDirectoryEvent(tx, ctx, {
        type: 'user.updated',
        resourceType: 'User',
        resourceId: id,
        data: current.active === row!.active ? {} : { active: row!.active },
      });
      return toStored(row!);
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw userNameTaken(attemptedUserName, error);
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
    await touchGroupsContaining(tx, ctx, id);
    await tx.delete(u).where(scoped(ctx, id));
    await recordDirectoryEvent(tx, ctx, { type: 'user.deleted', resourceType: 'User', resourceId: id });
  });
}

export interface ListQuery {
  condition?: Condition | undefined;
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
  const where = and(eq(u.directoryId, ctx.directory.id), query.condition ? conditionToSql(query.condition, 'User') : undefined);
  const [totalRow] = await ctx.db.select({ total: count() }).from(u).where(where);
  const total = Number(totalRow?.total ?? 0);
  if (query.count === 0 || query.startIndex > total) return { total, items: [] };
  const order: SQL[] = query.sort ? [sortToSql(query.sort, 'User'), asc(u.id)] : [asc(u.id)];
  const rows = await ctx.db
    .select()
    .from(u)
    .where(where)
    .orderBy(...order)
    .limit(query.count)
    .offset(query.startIndex - 1);
  return { total, items: rows.map(toStored) };
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

