/** The groups a directory's identity provider pushed, and their members. */
import { and, asc, count, eq, sql, type SQL } from 'drizzle-orm';
import { schema, withTransaction } from '../db/index.ts';
import { DomainError } from '../errors.ts';
import { newId, parseScimResourceId } from '../ids.ts';
import type { DirectoryContext } from './directory-context.ts';
import { countResources } from './resource-counts.ts';
import { recordDirectoryEvent, recordMemberDeletedFrom } from './directory-events.ts';
import { addUsersToGroup, selectGroupById } from './group-statements.ts';
import { touchGroupsContaining, touchMembersOf, touchUsers } from './related-versions.ts';
import { checkVersion, type ListPage, type ListQuery, type Precondition } from './directory-users.ts';
import { applyMemberChanges, type MemberChange, type MemberInput, type MembershipDelta } from './group-members.ts';
import { conditionToSql, sortToSql } from './resource-query/index.ts';

export interface StoredGroup {
  id: string;
  document: Record<string, unknown>;
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

const g = schema.directoryGroups;

function indexedFields(document: Record<string, unknown>) {
  const displayName = document.displayName;
  if (typeof displayName !== 'string' || displayName.trim() === '') {
    throw new DomainError('invalid_input', 'displayName is required', { details: { attribute: 'displayName' } });
  }
  return { displayName, externalId: typeof document.externalId === 'string' ? document.externalId : null };
}

const scoped = (ctx: DirectoryContext, id: string) => and(eq(g.directoryId, ctx.directory.id), eq(g.id, id));

export async function createGroup(
  ctx: DirectoryContext,
  input: { document: Record<string, unknown>; members: MemberInput[] },
): Promise<StoredGroup> {
  const fields = indexedFields(input.document);
  return withTransaction(ctx.db, async (tx) => {
    const [row] = await tx
      .insert(g)
      .values({ id: newId(), organizationId: ctx.organization.id, directoryId: ctx.directory.id, ...fields, document: input.document })
      .returning();
    const delta = await applyMemberChanges(tx, ctx, row!.id, [{ kind: 'add', members: input.members }]);
    await touchUsers(tx, ctx, delta.added);
    await recordDirectoryEvent(tx, ctx, { type: 'group.created', resourceType: 'Group', resourceId: row!.id, data: { added: delta.added } });
    return toStored(row!);
  });
}

export async function getGroup(ctx: DirectoryContext, rawId: string): Promise<StoredGroup> {
  const id = parseScimResourceId(rawId);
  const group = id === undefined ? undefined : await selectGroupById(ctx, id);
  if (!group) throw notFound(rawId);
  return group;
}

/**
 * Adds users (and only users) to a group in one statement. Undefined when some id is not a user
 * of this directory: then nothing was written, and the caller takes the general path, which
 * handles nested groups and names the offending member.
 */
export async function addUsersToGroupFast(ctx: DirectoryContext, group: StoredGroup, userIds: string[]): Promise<StoredGroup | undefined> {
  const outcome = await addUsersToGroup(ctx, group.id, userIds);
  if (outcome.kind === 'group_not_found') throw notFound(group.id);
  if (outcome.kind === 'not_all_users') return undefined;
  // The document as the statement saw it: another PATCH may have changed it since `group` was read.
  return { ...group, document: outcome.document, version: outcome.version, updatedAt: outcome.updatedAt };
}

export interface GroupChange {
  /** The new document; undefined leaves it as it is. */
  document?: Record<string, unknown> | undefined;
  members: MemberChange[];
}

/**
 * Changes a group under its row lock: concurrent PATCHes of one group take turns, so none of their
 * membership changes is lost. The version moves only when something actually changed.
 */
export async function modifyGroup(
  ctx: DirectoryContext,
  rawId: string,
  change: (current: StoredGroup) => GroupChange,
  precondition: Precondition = {},
): Promise<{ group: StoredGroup; delta: MembershipDelta }> {
  const id = parseScimResourceId(rawId);
  if (id === undefined) throw notFound(rawId);
  return withTransaction(ctx.db, async (tx) => {
    const [currentRow] = await tx.select().from(g).where(scoped(ctx, id)).for('update').limit(1);
    if (!currentRow) throw notFound(rawId);
    const current = toStored(currentRow);
    checkVersion(current.version, precondition);
    const next = change(current);
    const delta = await applyMemberChanges(tx, ctx, id, next.members);
    const documentChanged = next.document !== undefined && JSON.stringify(next.document) !== JSON.stringify(current.document);
    if (!documentChanged && delta.added.length === 0 && delta.removed.length === 0) return { group: current, delta };
    await touchUsers(tx, ctx, [...delta.added, ...delta.removed]);
    if (documentChanged && next.document!.displayName !== current.document.displayName) await touchMembersOf(tx, ctx, id);
    const [row] = await tx
      .update(g)
      .set({
        ...(documentChanged ? { ...indexedFields(next.document!), document: next.document! } : {}),
        version: sql`${g.version} + 1`,
        updatedAt: sql`now()`,
      })
      .where(scoped(ctx, id))
      .returning();
    if (documentChanged) {
      await recordDirectoryEvent(tx, ctx, { type: 'group.updated', resourceType: 'Group', resourceId: id });
    }
    if (delta.added.length > 0 || delta.removed.length > 0) {
      await recordDirectoryEvent(tx, ctx, {
        type: 'group.members_changed',
        resourceType: 'Group',
        resourceId: id,
        data: { added: delta.added, removed: delta.removed },
      });
    }
    return { group: toStored(row!), delta };
  });
}

export async function deleteGroup(ctx: DirectoryContext, rawId: string, precondition: Precondition = {}): Promise<void> {
  const id = parseScimResourceId(rawId);
  if (id === undefined) throw notFound(rawId);
  await withTransaction(ctx.db, async (tx) => {
    const [row] = await tx.select({ version: g.version }).from(g).where(scoped(ctx, id)).for('update').limit(1);
    if (!row) throw notFound(rawId);
    checkVersion(row.version, precondition);
    await touchMembersOf(tx, ctx, id);
    const formerGroups = await touchGroupsContaining(tx, ctx, id);
    await tx.delete(g).where(scoped(ctx, id));
    await recordDirectoryEvent(tx, ctx, { type: 'group.deleted', resourceType: 'Group', resourceId: id });
    await recordMemberDeletedFrom(tx, ctx, formerGroups, id);
  });
}

export async function listGroups(ctx: DirectoryContext, query: ListQuery): Promise<ListPage<StoredGroup>> {
  const where = and(eq(g.directoryId, ctx.directory.id), query.condition ? conditionToSql(query.condition, 'Group') : undefined);
  const total =
    query.condition === undefined
      ? await countResources(ctx, 'Group')
      : Number((await ctx.db.select({ total: count() }).from(g).where(where))[0]?.total ?? 0);
  if (query.count === 0 || query.startIndex > total) return { total, items: [] };
  const order: SQL[] = query.sort ? [sortToSql(query.sort, 'Group'), asc(g.id)] : [asc(g.id)];
  const rows = await ctx.db.select().from(g).where(where).orderBy(...order).limit(query.count).offset(query.startIndex - 1);
  return { total, items: rows.map(toStored) };
}

function notFound(id: string): DomainError {
  return new DomainError('not_found', `no Group "${id}" in this directory`);
}

function toStored(row: typeof g.$inferSelect): StoredGroup {
  return { id: row.id, document: row.document, version: row.version, createdAt: row.createdAt, updatedAt: row.updatedAt };
}
