/**
 * The raw users and groups a SCIM directory holds, as an admin or the app reads them beside the
 * members: what the IdP pushed, paged by id (time-ordered), with each group's user ids.
 */
import { and, asc, eq, gt, inArray, sql, type SQL } from 'drizzle-orm';
import { schema } from '../db/index.ts';
import { DomainError } from '../errors.ts';
import { isUuid } from '../ids.ts';
import { requireRead } from './access/index.ts';
import type { OrgContext } from './context.ts';
import { getDirectory } from './directories.ts';

export interface DirectoryUserRecord {
  id: string;
  userName: string;
  externalId: string | null;
  active: boolean;
  displayName: string | null;
  emails: string[];
  /** The SCIM representation the IdP pushed (without id and meta). */
  document: Record<string, unknown>;
  createdAt: Date;
  updatedAt: Date;
}

export interface DirectoryGroupRecord {
  id: string;
  displayName: string;
  externalId: string | null;
  /** How many directory users are in the group (listGroupUserIds pages them). */
  memberCount: number;
  createdAt: Date;
  updatedAt: Date;
}

export const MAX_DIRECTORY_PAGE = 500;

function afterId(after: string | undefined): string | undefined {
  if (after === undefined) return undefined;
  if (!isUuid(after)) throw new DomainError('invalid_input', 'cursor is not one this API gave out', { details: { field: 'cursor' } });
  return after.toLowerCase();
}

export async function listDirectoryUsers(
  ctx: OrgContext,
  input: { directoryId: string; limit: number; after?: string | undefined },
): Promise<DirectoryUserRecord[]> {
  requireRead(ctx, 'directory');
  const directory = await getDirectory(ctx, input.directoryId);
  const u = schema.directoryUsers;
  const after = afterId(input.after);
  const conditions: SQL[] = [eq(u.organizationId, ctx.organization.id), eq(u.directoryId, directory.id)];
  if (after) conditions.push(gt(u.id, after));
  const rows = await ctx.db.select().from(u).where(and(...conditions)).orderBy(asc(u.id)).limit(input.limit);
  return rows.map((r) => ({
    id: r.id,
    userName: r.userName,
    externalId: r.externalId,
    active: r.active,
    displayName: r.displayName,
    emails: r.emailValues,
    document: r.document,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
  }));
}

export async function listDirectoryGroups(
  ctx: OrgContext,
  input: { directoryId: string; limit: number; after?: string | undefined },
): Promise<DirectoryGroupRecord[]> {
  requireRead(ctx, 'directory');
  const directory = await getDirectory(ctx, input.directoryId);
  const g = schema.directoryGroups;
  const after = afterId(input.after);
  const conditions: SQL[] = [eq(g.organizationId, ctx.organization.id), eq(g.directoryId, directory.id)];
  if (after) conditions.push(gt(g.id, after));
  const rows = await ctx.db.select().from(g).where(and(...conditions)).orderBy(asc(g.id)).limit(input.limit);
  if (rows.length === 0) return [];
  const m = schema.directoryGroupMembers;
  const counts = await ctx.db
    .select({ groupId: m.groupId, count: sql<number>`count(*)::int` })
    .from(m)
    .where(and(eq(m.directoryId, directory.id), inArray(m.groupId, rows.map((r) => r.id))))
    .groupBy(m.groupId);
  const byGroup = new Map(counts.map((c) => [c.groupId, c.count]));
  return rows.map((r) => ({
    id: r.id,
    displayName: r.displayName,
    externalId: r.externalId,
    memberCount: byGroup.get(r.id) ?? 0,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
  }));
}

/** The ids of a group's users, paged by id. */
export async function listGroupUserIds(
  ctx: OrgContext,
  input: { directoryId: string; groupId: string; limit: number; after?: string | undefined },
): Promise<string[]> {
  requireRead(ctx, 'directory');
  const directory = await getDirectory(ctx, input.directoryId);
  if (!isUuid(input.groupId)) throw new DomainError('not_found', `no group ${input.groupId} in this directory`);
  const g = schema.directoryGroups;
  const [group] = await ctx.db
    .select({ id: g.id })
    .from(g)
    .where(and(eq(g.organizationId, ctx.organization.id), eq(g.directoryId, directory.id), eq(g.id, input.groupId.toLowerCase())));
  if (!group) throw new DomainError('not_found', `no group ${input.groupId} in this directory`);
  const m = schema.directoryGroupMembers;
  const after = afterId(input.after);
  const conditions: SQL[] = [eq(m.directoryId, directory.id), eq(m.groupId, group.id)];
  if (after) conditions.push(gt(m.userId, after));
  const rows = await ctx.db.select({ userId: m.userId }).from(m).where(and(...conditions)).orderBy(asc(m.userId)).limit(input.limit);
  return rows.map((r) => r.userId);
}
