/**
 * Changing one member: their profile and their role. Each change locks the rows it reads, writes
 * the audit entry (with the changed fields before and after) and the member event in the same
 * transaction, and writes nothing when nothing changes.
 */
import { and, eq } from 'drizzle-orm';
import { schema, withTransaction } from '../../db/index.ts';
import { DomainError } from '../../errors.ts';
import { can, isSelf, requirePermission } from '../access/index.ts';
import { recordAudit } from '../audit.ts';
import { nowOf, type Actor, type OrgContext } from '../context.ts';
import { recordMemberEvent } from './member-events.ts';
import { requireRole } from './member-list.ts';
import { LAST_OWNER_DETAIL, lockActiveOwners, lockMember, memberNotFound, ownersThatMayLeave, type MemberRow } from './member-locks.ts';
import { teamsOfMembers } from './member-teams.ts';
import { toMember, type Member } from './members.ts';
import { isUuid } from '../../ids.ts';

export const MAX_NAME_LENGTH = 200;
export const MAX_AVATAR_URL_LENGTH = 2048;

/** Absent: unchanged; null (or blank): cleared. */
export interface ProfileChanges {
  givenName?: string | null | undefined;
  familyName?: string | null | undefined;
  displayName?: string | null | undefined;
  avatarUrl?: string | null | undefined;
}

type ProfileField = keyof ProfileChanges;
const PROFILE_FIELDS: readonly ProfileField[] = ['givenName', 'familyName', 'displayName', 'avatarUrl'];

function cleanName(field: ProfileField, value: string | null): string | null {
  if (value === null) return null;
  const trimmed = value.trim();
  if (trimmed === '') return null;
  if (trimmed.length > MAX_NAME_LENGTH) {
    throw new DomainError('invalid_input', `${field} must be at most ${MAX_NAME_LENGTH} characters`, { details: { field } });
  }
  return trimmed;
}

/** An avatar is shown in other people's browsers: https only, a real URL, of bounded length. */
function cleanAvatarUrl(value: string | null): string | null {
  if (value === null || value.trim() === '') return null;
  const trimmed = value.trim();
  if (trimmed.length > MAX_AVATAR_URL_LENGTH) {
    throw new DomainError('invalid_input', `avatarUrl must be at most ${MAX_AVATAR_URL_LENGTH} characters`, { details: { field: 'avatarUrl' } });
  }
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    throw new DomainError('invalid_input', `avatarUrl "${trimmed}" is not a URL`, { details: { field: 'avatarUrl' } });
  }
  if (url.protocol !== 'https:' || url.username !== '' || url.password !== '') {
    throw new DomainError('invalid_input', 'avatarUrl must be an https URL without credentials', { details: { field: 'avatarUrl' } });
  }
  return trimmed;
}

/**
 * Edits a member's names and avatar (never their email, which their IdP or invitation owns). A
 * member edits their own profile when their role grants profile.edit; anyone else's needs
 * members.manage. Note that an IdP's sign-in refreshes the names it sends.
 */
export async function updateMemberProfile(ctx: OrgContext, id: string, changes: ProfileChanges): Promise<Member> {
  if (!(isSelf(ctx.actor, id.toLowerCase()) && can(ctx, 'profile.edit'))) {
    requirePermission(ctx, 'members.manage', isSelf(ctx.actor, id.toLowerCase()) ? 'editing your profile' : "editing another member's profile");
  }
  const wanted: Partial<Record<ProfileField, string | null>> = {};
  for (const field of PROFILE_FIELDS) {
    const value = changes[field];
    if (value === undefined) continue;
    wanted[field] = field === 'avatarUrl' ? cleanAvatarUrl(value) : cleanName(field, value);
  }
  return withTransaction(ctx.db, async (tx) => {
    const row = await lockMember(tx, ctx.organization.id, id);
    const before: Record<string, unknown> = {};
    const after: Record<string, unknown> = {};
    for (const field of PROFILE_FIELDS) {
      if (field in wanted && wanted[field] !== row[field]) {
        before[field] = row[field];
        after[field] = wanted[field];
      }
    }
    const teams = (await teamsOfMembers(tx, ctx.organization.id, [row.id])).get(row.id) ?? [];
    if (Object.keys(after).length === 0) return toMember(row, teams);
    const [updated] = await tx
      .update(schema.members)
      .set({ ...after, updatedAt: nowOf(ctx) })
      .where(and(eq(schema.members.organizationId, ctx.organization.id), eq(schema.members.id, row.id)))
      .returning();
    await recordAudit(tx, ctx.actor, {
      organizationId: ctx.organization.id,
      action: 'member.updated',
      target: { type: 'member', id: row.id },
      details: { email: row.email },
      before,
      after,
    });
    await recordMemberEvent(tx, { ...ctx, db: tx }, { type: 'member.updated', memberId: row.id, data: { before, after } });
    return toMember(updated ?? row, teams);
  });
}

/** Whether the actor may grant or take away `owner`: an owner, or an operator-level actor. */
export function mayChangeOwners(actor: Actor): boolean {
  return actor.type === 'member' ? actor.role === 'owner' : actor.type !== 'app';
}

/** Why this member's role may not become `role`, by this actor; undefined when it may. */
export function roleChangeRefusal(ctx: OrgContext, row: MemberRow, role: string): { code: 'forbidden'; detail: string } | undefined {
  if (isSelf(ctx.actor, row.id)) return { code: 'forbidden', detail: 'you cannot change your own role; ask another admin' };
  if ((role === 'owner' || row.role === 'owner') && role !== row.role && !mayChangeOwners(ctx.actor)) {
    return { code: 'forbidden', detail: role === 'owner' ? 'only an owner can make a member owner' : "only an owner can change an owner's role" };
  }
  return undefined;
}

/**
 * Changes a member's role to one the organization has. Needs roles.assign; nobody changes their
 * own role; only owners (and operators) grant or take away `owner`; the last active owner keeps it.
 */
export async function changeMemberRole(ctx: OrgContext, id: string, role: string): Promise<Member> {
  requirePermission(ctx, 'roles.assign', "changing members' roles");
  if (!isUuid(id)) throw memberNotFound(id);
  return withTransaction(ctx.db, async (tx) => {
    await requireRole(tx, ctx, role);
    const owners = await lockActiveOwners(tx, ctx.organization.id);
    const row = await lockMember(tx, ctx.organization.id, id);
    const refusal = roleChangeRefusal(ctx, row, role);
    if (refusal) throw new DomainError(refusal.code, refusal.detail);
    const teams = (await teamsOfMembers(tx, ctx.organization.id, [row.id])).get(row.id) ?? [];
    if (row.role === role) return toMember(row, teams);
    if (role !== 'owner' && !ownersThatMayLeave(owners, [row.id]).allowed) {
      throw new DomainError('precondition_failed', `member ${row.id} is the last active owner: ${LAST_OWNER_DETAIL}`);
    }
    const [updated] = await tx
      .update(schema.members)
      .set({ role, updatedAt: nowOf(ctx) })
      .where(and(eq(schema.members.organizationId, ctx.organization.id), eq(schema.members.id, row.id)))
      .returning();
    await recordAudit(tx, ctx.actor, {
      organizationId: ctx.organization.id,
      action: 'member.role_changed',
      target: { type: 'member', id: row.id },
      details: { email: row.email },
      before: { role: row.role },
      after: { role },
    });
    await recordMemberEvent(tx, { ...ctx, db: tx }, { type: 'member.role_changed', memberId: row.id, data: { from: row.role, to: role } });
    return toMember(updated ?? row, teams);
  });
}
