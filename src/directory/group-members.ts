/**
 * Group membership as sets: every change is a handful of statements whatever the number of
 * members (adding 10,000 members is one INSERT … SELECT), never a statement per member.
 */
import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import { rowsOf, schema, type Database } from '../db/index.ts';
import { DomainError } from '../errors.ts';
import { isUuid } from '../ids.ts';
import type { DirectoryContext } from './directory-context.ts';
import { uuidArray } from './sql-arrays.ts';

export type MemberType = 'User' | 'Group';

export interface MemberInput {
  id: string;
  type?: MemberType | undefined;
}

export interface GroupMember {
  id: string;
  type: MemberType;
  display: string | null;
}

export type MemberChange =
  | { kind: 'add'; members: MemberInput[] }
  | { kind: 'remove'; ids: string[] }
  /** Removes the members the predicate selects (a SCIM `members[...]` filter, evaluated by the caller's rules). */
  | { kind: 'removeWhere'; matches: (member: GroupMember) => boolean }
  | { kind: 'removeAll' }
  | { kind: 'replace'; members: MemberInput[] };

export interface MembershipDelta {
  added: string[];
  removed: string[];
}

const m = schema.directoryGroupMembers;
const sg = schema.directoryGroupSubgroups;
const u = schema.directoryUsers;
const g = schema.directoryGroups;


/** Applies changes in order inside the caller's transaction (which holds the group's row lock). */
export async function applyMemberChanges(
  tx: Database,
  ctx: DirectoryContext,
  groupId: string,
  changes: MemberChange[],
): Promise<MembershipDelta> {
  const added = new Set<string>();
  const removed = new Set<string>();
  // Net effect over all changes: a member removed then added again did not change.
  const note = (delta: MembershipDelta) => {
    for (const id of delta.added) if (!removed.delete(id)) added.add(id);
    for (const id of delta.removed) if (!added.delete(id)) removed.add(id);
  };
  for (const change of changes) {
    switch (change.kind) {
      case 'add':
        note({ added: await addMembers(tx, ctx, groupId, change.members), removed: [] });
        break;
      case 'remove':
        note({ added: [], removed: await removeMembers(tx, ctx, groupId, change.ids) });
        break;
      case 'removeWhere': {
        const current = await loadMembers(tx, ctx, [groupId]);
        const ids = (current.get(groupId) ?? []).filter(change.matches).map((x) => x.id);
        note({ added: [], removed: await removeMembers(tx, ctx, groupId, ids) });
        break;
      }
      case 'removeAll':
        note({ added: [], removed: await removeAllMembers(tx, ctx, groupId) });
        break;
      case 'replace': {
        const resolved = await resolveMembers(tx, ctx, groupId, change.members);
        const keep = new Set([...resolved.users, ...resolved.groups]);
        const current = await loadMembers(tx, ctx, [groupId]);
        const gone = (current.get(groupId) ?? []).map((x) => x.id).filter((id) => !keep.has(id));
        note({ added: [], removed: await removeMembers(tx, ctx, groupId, gone) });
        note({ added: await insertResolved(tx, ctx, groupId, resolved), removed: [] });
        break;
      }
    }
  }
  return { added: [...added], removed: [...removed] };
}

async function addMembers(tx: Database, ctx: DirectoryContext, groupId: string, members: MemberInput[]): Promise<string[]> {
  return insertResolved(tx, ctx, groupId, await resolveMembers(tx, ctx, groupId, members));
}

async function insertResolved(
  tx: Database,
  ctx: DirectoryContext,
  groupId: string,
  resolved: { users: string[]; groups: string[] },
): Promise<string[]> {
  const inserted: string[] = [];
  if (resolved.users.length > 0) {
    const rows = await tx.execute<{ user_id: string }>(sql`
      insert into directory_group_members (directory_id, group_id, user_id)
      select ${ctx.directory.id}, ${groupId}, member from unnest(${uuidArray(resolved.users)}) as member
      on conflict do nothing
      returning user_id`);
    inserted.push(...rowsOf<{ user_id: string }>(rows).map((r) => r.user_id));
  }
  if (resolved.groups.length > 0) {
    const rows = await tx.execute<{ member_group_id: string }>(sql`
      insert into directory_group_subgroups (directory_id, group_id, member_group_id)
      select ${ctx.directory.id}, ${groupId}, member from unnest(${uuidArray(resolved.groups)}) as member
      on conflict do nothing
      returning member_group_id`);
    inserted.push(...rowsOf<{ member_group_id: string }>(rows).map((r) => r.member_group_id));
  }
  return inserted;
}

/**
 * Sorts references into this directory's users and groups. An id that is neither, or whose stated
 * type is wrong, is the client's error: nothing is half-applied, the whole request fails.
 */
async function resolveMembers(
  tx: Database,
  ctx: DirectoryContext,
  groupId: string,
  members: MemberInput[],
): Promise<{ users: string[]; groups: string[] }> {
  const wanted = new Map<string, MemberType | undefined>();
  for (const member of members) {
    if (!isUuid(member.id)) throw unknownMember(member.id);
    wanted.set(member.id.toLowerCase(), member.type ?? wanted.get(member.id.toLowerCase()));
  }
  if (wanted.size === 0) return { users: [], groups: [] };
  const ids = [...wanted.keys()];
  const users = await tx
    .select({ id: u.id })
    .from(u)
    .where(and(eq(u.directoryId, ctx.directory.id), sql`${u.id} = any(${uuidArray(ids)})`));
  const userIds = new Set(users.map((r) => r.id));
  const rest = ids.filter((id) => !userIds.has(id));
  const groups =
    rest.length === 0
      ? []
      : await tx
          .select({ id: g.id })
          .from(g)
          .where(and(eq(g.directoryId, ctx.directory.id), sql`${g.id} = any(${uuidArray(rest)})`));
  const groupIds = new Set(groups.map((r) => r.id));
  for (const [id, type] of wanted) {
    const actual: MemberType | undefined = userIds.has(id) ? 'User' : groupIds.has(id) ? 'Group' : undefined;
    if (actual === undefined) throw unknownMember(id);
    if (type !== undefined && type !== actual) {
      throw new DomainError('invalid_input', `member "${id}" is a ${actual}, not a ${type}`, { details: { attribute: 'members' } });
    }
  }
  if (groupIds.has(groupId)) {
    throw new DomainError('invalid_input', 'a group cannot be a member of itself', { details: { attribute: 'members' } });
  }
  if (groupIds.size > 0) await refuseCycles(tx, ctx, groupId, [...groupIds]);
  return { users: [...userIds], groups: [...groupIds] };
}

/** Adding G to this group must not make this group (indirectly) a member of itself. */
async function refuseCycles(tx: Database, ctx: DirectoryContext, groupId: string, candidates: string[]): Promise<void> {
  const rows = await tx.execute<{ id: string }>(sql`
    with recursive below(id) as (
      select unnest(${uuidArray(candidates)})
      union
      select s.member_group_id from directory_group_subgroups s
      join below on s.group_id = below.id
      where s.directory_id = ${ctx.directory.id}
    )
    select id from below where id = ${groupId} limit 1`);
  if (rowsOf(rows).length > 0) {
    throw new DomainError('invalid_input', 'that membership would make the group a member of itself through nested groups', {
      details: { attribute: 'members' },
    });
  }
}

async function removeMembers(tx: Database, ctx: DirectoryContext, groupId: string, ids: string[]): Promise<string[]> {
  const valid = ids.filter(isUuid).map((id) => id.toLowerCase());
  if (valid.length === 0) return [];
  const users = await tx
    .delete(m)
    .where(and(eq(m.directoryId, ctx.directory.id), eq(m.groupId, groupId), sql`${m.userId} = any(${uuidArray(valid)})`))
    .returning({ id: m.userId });
  const groups = await tx
    .delete(sg)
    .where(and(eq(sg.directoryId, ctx.directory.id), eq(sg.groupId, groupId), sql`${sg.memberGroupId} = any(${uuidArray(valid)})`))
    .returning({ id: sg.memberGroupId });
  return [...users, ...groups].map((r) => r.id);
}

async function removeAllMembers(tx: Database, ctx: DirectoryContext, groupId: string): Promise<string[]> {
  const users = await tx
    .delete(m)
    .where(and(eq(m.directoryId, ctx.directory.id), eq(m.groupId, groupId)))
    .returning({ id: m.userId });
  const groups = await tx
    .delete(sg)
    .where(and(eq(sg.directoryId, ctx.directory.id), eq(sg.groupId, groupId)))
    .returning({ id: sg.memberGroupId });
  return [...users, ...groups].map((r) => r.id);
}

/** Members of each group, users first, each with its display name. */
export async function loadMembers(db: Database, ctx: DirectoryContext, groupIds: string[]): Promise<Map<string, GroupMember[]>> {
  const result = new Map<string, GroupMember[]>(groupIds.map((id) => [id, []]));
  if (groupIds.length === 0) return result;
  const users = await db
    .select({ groupId: m.groupId, id: u.id, display: u.displayName, userName: u.userName })
    .from(m)
    .innerJoin(u, and(eq(u.directoryId, m.directoryId), eq(u.id, m.userId)))
    .where(and(eq(m.directoryId, ctx.directory.id), inArray(m.groupId, groupIds)))
    .orderBy(asc(m.groupId), asc(u.id));
  for (const row of users) result.get(row.groupId)?.push({ id: row.id, type: 'User', display: row.display ?? row.userName });
  const groups = await db
    .select({ groupId: sg.groupId, id: g.id, display: g.displayName })
    .from(sg)
    .innerJoin(g, and(eq(g.directoryId, sg.directoryId), eq(g.id, sg.memberGroupId)))
    .where(and(eq(sg.directoryId, ctx.directory.id), inArray(sg.groupId, groupIds)))
    .orderBy(asc(sg.groupId), asc(g.id));
  for (const row of groups) result.get(row.groupId)?.push({ id: row.id, type: 'Group', display: row.display });
  return result;
}

function unknownMember(id: string): DomainError {
  return new DomainError('invalid_input', `member "${id}" is not a User or Group of this directory`, {
    details: { attribute: 'members' },
  });
}
