/**
 * Who is in which team, and as what. A team's admins (team role `admin`) add and remove the team's
 * members; making someone a team admin, changing a team role and removing another admin need
 * teams.manage. Every change of a member's teams writes a `member.teams_changed` event and an audit
 * entry in the transaction of the change.
 */
import { and, eq, inArray, or, sql } from 'drizzle-orm';
import { schema, withTransaction, type Database } from '../../db/index.ts';
import { DomainError } from '../../errors.ts';
import { isUuid } from '../../ids.ts';
import { recordAudits } from '../audit.ts';
import { uuidArray } from '../sql-arrays.ts';
import type { OrgContext } from '../context.ts';
import { can, isSelf, requireRead } from '../access/index.ts';
import { emailKey, recordMemberEvents } from '../members/index.ts';
import { findTeam, requireTeamManager, TEAM_ROLES, type TeamRole, type TeamRow } from './teams.ts';

/** How many members one request may add. */
export const MAX_TEAM_ADDITIONS = 1000;

export interface TeamAddition {
  /** The member's id or email address. */
  member: string;
  role?: TeamRole | undefined;
}

export type TeamAdditionStatus = 'added' | 'already' | 'not_found';

/** One line of a bulk add, in the order asked. */
export interface TeamAdditionResult {
  /** The reference as given (id or email). */
  member: string;
  /** The member's id, when there is such a member. */
  id: string | null;
  status: TeamAdditionStatus;
  /** The member's team role after the request (an `already` member keeps theirs). */
  role: TeamRole | null;
}

export interface TeamMembership {
  teamId: string;
  team: string;
  memberId: string;
  role: TeamRole;
}

/**
 * Adds members to a team, each by id or email, per item: a member already in the team is left as
 * they are (`already`; change a team role with setTeamMemberRole), an unknown reference is
 * `not_found`, and neither stops the others. One transaction for the whole request.
 */
export async function addTeamMembers(ctx: OrgContext, team: string, additions: readonly TeamAddition[]): Promise<TeamAdditionResult[]> {
  requireRead(ctx, 'teams');
  if (additions.length === 0) throw new DomainError('invalid_input', 'name at least one member to add', { details: { field: 'members' } });
  if (additions.length > MAX_TEAM_ADDITIONS) {
    throw new DomainError('invalid_input', `at most ${MAX_TEAM_ADDITIONS} members may be added at once`, { details: { field: 'members', limit: MAX_TEAM_ADDITIONS } });
  }
  for (const [i, a] of additions.entries()) {
    if (a.role !== undefined && !TEAM_ROLES.includes(a.role)) {
      throw new DomainError('invalid_input', `team role "${String(a.role)}" is not one of ${TEAM_ROLES.join(', ')}`, { details: { field: `members.${i}.role` } });
    }
  }
  return withTransaction(ctx.db, async (tx) => {
    // Key-share locked: the team cannot be deleted before these rows commit.
    const row = await findTeam(tx, ctx, team, 'key share');
    requireTeamManager(ctx, row, 'adding members to');
    if (additions.some((a) => a.role === 'admin') && !can(ctx, 'teams.manage')) {
      throw new DomainError('forbidden', `making someone an admin of team "${row.name}" needs the "teams.manage" permission`, {
        details: { permission: 'teams.manage' },
      });
    }
    const found = await resolveMembers(tx, ctx, additions.map((a) => a.member));
    // One row per member: the first mention decides the team role.
    const wanted = new Map<string, TeamRole>();
    for (const a of additions) {
      const id = found.get(memberRef(a.member));
      if (id !== undefined && !wanted.has(id)) wanted.set(id, a.role ?? 'member');
    }
    const inserted =
      wanted.size === 0
        ? []
        : await tx
            .insert(schema.teamMembers)
            .values([...wanted].map(([memberId, role]) => ({ organizationId: ctx.organization.id, teamId: row.id, memberId, role })))
            .onConflictDoNothing()
            .returning({ memberId: schema.teamMembers.memberId, role: schema.teamMembers.role });
    const added = new Set(inserted.map((r) => r.memberId));
    const existing = await rolesInTeam(tx, row.id, [...wanted.keys()].filter((id) => !added.has(id)));
    await writeChanges(
      tx,
      ctx,
      row,
      inserted.map((r) => ({ memberId: r.memberId, before: null, after: r.role })),
    );
    const reported = new Set<string>();
    return additions.map((a) => {
      const id = found.get(memberRef(a.member)) ?? null;
      if (id === null) return { member: a.member, id, status: 'not_found' as const, role: null };
      // A member named twice is added once: the second mention reads as already there.
      const first = added.has(id) && !reported.has(id);
      reported.add(id);
      return { member: a.member, id, status: first ? ('added' as const) : ('already' as const), role: existing.get(id) ?? wanted.get(id) ?? null };
    });
  });
}

/**
 * Takes a member out of a team. A team admin may remove the team's members and themselves; removing
 * another admin needs teams.manage.
 */
export async function removeTeamMember(ctx: OrgContext, team: string, member: string): Promise<TeamMembership> {
  requireRead(ctx, 'teams');
  return withTransaction(ctx.db, async (tx) => {
    const row = await findTeam(tx, ctx, team, 'key share');
    requireTeamManager(ctx, row, 'removing members from');
    const membership = await findMembership(tx, ctx, row, member);
    if (membership.role === 'admin' && !can(ctx, 'teams.manage') && !isSelf(ctx.actor, membership.memberId)) {
      throw new DomainError('forbidden', `removing an admin of team "${row.name}" needs the "teams.manage" permission`, { details: { permission: 'teams.manage' } });
    }
    await tx.delete(schema.teamMembers).where(and(eq(schema.teamMembers.teamId, row.id), eq(schema.teamMembers.memberId, membership.memberId)));
    await writeChanges(tx, ctx, row, [{ memberId: membership.memberId, before: membership.role, after: null }]);
    return membership;
  });
}

/** Makes a team member the team's admin, or a plain member again: teams.manage. */
export async function setTeamMemberRole(ctx: OrgContext, team: string, member: string, role: TeamRole): Promise<TeamMembership> {
  requireRead(ctx, 'teams');
  if (!TEAM_ROLES.includes(role)) {
    throw new DomainError('invalid_input', `team role "${String(role)}" is not one of ${TEAM_ROLES.join(', ')}`, { details: { field: 'role' } });
  }
  return withTransaction(ctx.db, async (tx) => {
    const row = await findTeam(tx, ctx, team, 'key share');
    requireTeamManager(ctx, row, 'changing team roles in');
    if (!can(ctx, 'teams.manage')) {
      throw new DomainError('forbidden', `changing who administers team "${row.name}" needs the "teams.manage" permission`, { details: { permission: 'teams.manage' } });
    }
    const membership = await findMembership(tx, ctx, row, member);
    if (membership.role === role) return membership;
    await tx
      .update(schema.teamMembers)
      .set({ role })
      .where(and(eq(schema.teamMembers.teamId, row.id), eq(schema.teamMembers.memberId, membership.memberId)));
    await writeChanges(tx, ctx, row, [{ memberId: membership.memberId, before: membership.role, after: role }]);
    return { ...membership, role };
  });
}

type Change = { memberId: string; before: TeamRole | null; after: TeamRole | null };

/** The event and audit entry of each member whose teams changed, each set in one statement. */
async function writeChanges(tx: Database, ctx: OrgContext, team: TeamRow, changes: readonly Change[]): Promise<void> {
  if (changes.length === 0) return;
  const action = (c: Change) => (c.before === null ? 'team.member_added' : c.after === null ? 'team.member_removed' : 'team.member_role_changed');
  await recordAudits(
    tx,
    ctx.actor,
    changes.map((c) => ({
      organizationId: ctx.organization.id,
      action: action(c),
      target: { type: 'member', id: c.memberId },
      details: { teamId: team.id, team: team.name },
      ...(c.before === null ? {} : { before: { team: team.name, teamRole: c.before } }),
      ...(c.after === null ? {} : { after: { team: team.name, teamRole: c.after } }),
    })),
  );
  await recordMemberEvents(
    tx,
    ctx,
    changes.map((c) => ({
      type: 'member.teams_changed' as const,
      memberId: c.memberId,
      data: {
        added: c.before === null ? [team.name] : [],
        removed: c.after === null ? [team.name] : [],
        // A team role change keeps the member in the team: what changed is said here.
        ...(c.before !== null && c.after !== null ? { roleChanged: { team: team.name, from: c.before, to: c.after } } : {}),
      },
    })),
  );
}

/** An id compares as lower-case uuid text, an email by its key. */
const memberRef = (ref: string) => (isUuid(ref.trim()) ? ref.trim().toLowerCase() : emailKey(ref));

/**
 * Member ids of references (ids or emails) in ctx's organization, in one query; the rows are
 * key-share locked so that none is deleted before the memberships commit.
 */
async function resolveMembers(tx: Database, ctx: OrgContext, refs: readonly string[]): Promise<Map<string, string>> {
  const keys = [...new Set(refs.map(memberRef))];
  const ids = keys.filter(isUuid);
  const emails = keys.filter((k) => !isUuid(k));
  const m = schema.members;
  const matches = [...(ids.length > 0 ? [sql`${m.id} = any(${uuidArray(ids)})`] : []), ...(emails.length > 0 ? [inArray(m.emailKey, emails)] : [])];
  const rows = await tx
    .select({ id: m.id, emailKey: m.emailKey })
    .from(m)
    .where(and(eq(m.organizationId, ctx.organization.id), or(...matches)))
    .for('key share');
  const found = new Map<string, string>();
  for (const r of rows) {
    found.set(r.id, r.id);
    found.set(r.emailKey, r.id);
  }
  return found;
}

async function rolesInTeam(tx: Database, teamId: string, memberIds: readonly string[]): Promise<Map<string, TeamRole>> {
  if (memberIds.length === 0) return new Map();
  const rows = await tx
    .select({ memberId: schema.teamMembers.memberId, role: schema.teamMembers.role })
    .from(schema.teamMembers)
    .where(and(eq(schema.teamMembers.teamId, teamId), inArray(schema.teamMembers.memberId, [...memberIds])));
  return new Map(rows.map((r) => [r.memberId, r.role]));
}

/** The membership of a member (id or email) in a team, locked for the change; not_found when they are not in it. */
async function findMembership(tx: Database, ctx: OrgContext, team: TeamRow, member: string): Promise<TeamMembership> {
  const ref = memberRef(member);
  const m = schema.members;
  const [row] = await tx
    .select({ memberId: schema.teamMembers.memberId, role: schema.teamMembers.role })
    .from(schema.teamMembers)
    .innerJoin(m, and(eq(m.organizationId, schema.teamMembers.organizationId), eq(m.id, schema.teamMembers.memberId)))
    .where(and(eq(schema.teamMembers.teamId, team.id), isUuid(ref) ? eq(m.id, ref) : eq(m.emailKey, ref)))
    .for('update', { of: schema.teamMembers });
  if (!row) throw new DomainError('not_found', `${member} is not a member of team "${team.name}"`);
  return { teamId: team.id, team: team.name, memberId: row.memberId, role: row.role };
}
