/**
 * Teams: named groups of members inside an organization. Names are unique per organization,
 * compared trimmed and case-insensitively (`name_key`). Holders of teams.manage create, rename and
 * delete teams; a team's own admins (team role `admin`) edit that team and choose its members.
 * Memberships are in members.ts of this folder.
 */
import { and, asc, count, eq, sql } from 'drizzle-orm';
import { schema, withTransaction, type Database } from '../../db/index.ts';
import { DomainError, isUniqueViolation } from '../../errors.ts';
import { isUuid, newId } from '../../ids.ts';
import { recordAudits } from '../audit.ts';
import type { OrgContext } from '../context.ts';
import { canManageTeam, requirePermission, requireRead } from '../access/index.ts';
import { recordMemberEvents } from '../members/index.ts';

/** What a member is in a team: `admin` manages that team only. */
export const TEAM_ROLES = schema.TEAM_ROLES;
export type TeamRole = (typeof TEAM_ROLES)[number];

export interface Team {
  id: string;
  name: string;
  description: string | null;
  memberCount: number;
  createdAt: Date;
  updatedAt: Date;
}

export interface TeamMember {
  id: string;
  email: string;
  name: string | null;
  status: 'invited' | 'active' | 'deactivated';
  teamRole: TeamRole;
  addedAt: Date;
}

export interface TeamWithMembers extends Team {
  members: TeamMember[];
}

/** Where a page of teams resumes: after this name (compared as stored in name_key) and id. */
export interface TeamPosition {
  nameKey: string;
  id: string;
}

export const MAX_TEAM_PAGE = 200;
const MAX_NAME_LENGTH = 100;
const MAX_DESCRIPTION_LENGTH = 500;

export type TeamRow = typeof schema.teams.$inferSelect;

/** The name as uniqueness compares it. */
export const teamNameKey = (name: string) => name.trim().toLowerCase();

export async function createTeam(ctx: OrgContext, input: { name: string; description?: string | null | undefined }): Promise<Team> {
  requirePermission(ctx, 'teams.manage', 'creating teams');
  const name = validateName(input.name);
  const description = validateDescription(input.description) ?? null;
  return withTransaction(ctx.db, async (tx) => {
    const [row] = await tx
      .insert(schema.teams)
      .values({ id: newId(), organizationId: ctx.organization.id, name, nameKey: teamNameKey(name), description })
      .onConflictDoNothing()
      .returning();
    if (!row) throw duplicateName(name);
    await recordAudits(tx, ctx.actor, [
      { organizationId: ctx.organization.id, action: 'team.created', target: { type: 'team', id: row.id }, after: { name, description } },
    ]);
    return toTeam(row, 0);
  });
}

/** A page of teams by name, with their member counts; `prefix` keeps names starting with it (any case). */
export async function listTeams(
  ctx: OrgContext,
  options: { limit?: number; after?: TeamPosition | undefined; prefix?: string | undefined } = {},
): Promise<{ teams: Team[]; next: TeamPosition | undefined }> {
  requireRead(ctx, 'teams');
  const limit = options.limit ?? 50;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_TEAM_PAGE) {
    throw new DomainError('invalid_input', `limit must be 1 to ${MAX_TEAM_PAGE}`, { details: { field: 'limit' } });
  }
  const t = schema.teams;
  const conditions = [eq(t.organizationId, ctx.organization.id)];
  // Lower-cased like name_key, and trimmed at the start only: 'tier ' must not find 'tiers'.
  const prefix = (options.prefix ?? '').trimStart().toLowerCase();
  if (prefix !== '') conditions.push(sql`${t.nameKey} like ${`${prefix.replace(/[\\%_]/g, '\\$&')}%`}`);
  if (options.after) conditions.push(sql`(${t.nameKey}, ${t.id}) > (${options.after.nameKey}, ${options.after.id}::uuid)`);
  const rows = await ctx.db
    .select({ team: t, members: sql<number>`(select count(*)::int from ${schema.teamMembers} where ${schema.teamMembers.teamId} = ${t.id})` })
    .from(t)
    .where(and(...conditions))
    .orderBy(asc(t.nameKey), asc(t.id))
    .limit(limit + 1);
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    teams: page.map((r) => toTeam(r.team, Number(r.members))),
    next: rows.length > limit && last ? { nameKey: last.team.nameKey, id: last.team.id } : undefined,
  };
}

/** A team and its members (by email); `team` is its id or its name. */
export async function getTeam(ctx: OrgContext, team: string): Promise<TeamWithMembers> {
  requireRead(ctx, 'teams');
  const row = await findTeam(ctx.db, ctx, team);
  const members = await teamMembersOf(ctx.db, ctx, row.id);
  return { ...toTeam(row, members.length), members };
}

/** Renames a team or changes its description: teams.manage, or being the team's admin. */
export async function updateTeam(
  ctx: OrgContext,
  team: string,
  changes: { name?: string | undefined; description?: string | null | undefined },
): Promise<Team> {
  requireRead(ctx, 'teams');
  const name = changes.name === undefined ? undefined : validateName(changes.name);
  const description = validateDescription(changes.description);
  return withTransaction(ctx.db, async (tx) => {
    const current = await findTeam(tx, ctx, team, 'no key update');
    requireTeamManager(ctx, current, 'editing');
    const before: Record<string, unknown> = {};
    const after: Record<string, unknown> = {};
    if (name !== undefined && name !== current.name) [before.name, after.name] = [current.name, name];
    if (description !== undefined && description !== current.description) [before.description, after.description] = [current.description, description];
    let row = current;
    if (Object.keys(after).length > 0) {
      const [updated] = await tx
        .update(schema.teams)
        .set({ ...(name === undefined ? {} : { name, nameKey: teamNameKey(name) }), ...(description === undefined ? {} : { description }), updatedAt: sql`now()` })
        .where(eq(schema.teams.id, current.id))
        .returning();
      row = updated ?? current;
      await recordAudits(tx, ctx.actor, [{ organizationId: ctx.organization.id, action: 'team.updated', target: { type: 'team', id: current.id }, before, after }]);
    }
    return toTeam(row, await memberCount(tx, current.id));
  }).catch((error: unknown) => {
    if (name !== undefined && isUniqueViolation(error, 'teams_organization_name_key')) throw duplicateName(name);
    throw error;
  });
}

/**
 * Deletes a team (teams.manage). Its members leave it: each gets a `member.teams_changed` event
 * and an audit entry, in the same transaction.
 */
export async function deleteTeam(ctx: OrgContext, team: string): Promise<Team> {
  requirePermission(ctx, 'teams.manage', 'deleting teams');
  return withTransaction(ctx.db, async (tx) => {
    const current = await findTeam(tx, ctx, team, 'update');
    const left = await tx
      .delete(schema.teamMembers)
      .where(and(eq(schema.teamMembers.organizationId, ctx.organization.id), eq(schema.teamMembers.teamId, current.id)))
      .returning({ memberId: schema.teamMembers.memberId, role: schema.teamMembers.role });
    await tx.delete(schema.teams).where(eq(schema.teams.id, current.id));
    await recordAudits(tx, ctx.actor, [
      {
        organizationId: ctx.organization.id,
        action: 'team.deleted',
        target: { type: 'team', id: current.id },
        details: { members: left.length },
        before: { name: current.name, description: current.description },
      },
      ...left.map((m) => ({
        organizationId: ctx.organization.id,
        action: 'team.member_removed',
        target: { type: 'member', id: m.memberId },
        details: { teamId: current.id, team: current.name, reason: 'team deleted' },
        before: { team: current.name, teamRole: m.role },
      })),
    ]);
    await recordMemberEvents(
      tx,
      ctx,
      left.map((m) => ({ type: 'member.teams_changed' as const, memberId: m.memberId, data: { added: [], removed: [current.name] } })),
    );
    return toTeam(current, 0);
  });
}

/** Throws unless the actor may manage this team: teams.manage, or the team's own admin. */
export function requireTeamManager(ctx: OrgContext, team: TeamRow, doing: string): void {
  if (canManageTeam(ctx, team.id)) return;
  if (ctx.actor.type === 'app') throw new DomainError('forbidden', `an app token may only read; it cannot change team "${team.name}"`);
  throw new DomainError('forbidden', `${doing} team "${team.name}" needs the "teams.manage" permission or being an admin of that team`, {
    details: { permission: 'teams.manage' },
  });
}

/**
 * A team of ctx's organization by id or by name (any case). `lock` takes a row lock: `key share`
 * to add to the team (it cannot be deleted meanwhile), `update` to delete it.
 */
export async function findTeam(db: Database, ctx: OrgContext, ref: string, lock?: 'key share' | 'no key update' | 'update'): Promise<TeamRow> {
  const t = schema.teams;
  const byName = eq(t.nameKey, teamNameKey(ref));
  // A uuid is an id first; a team may still be named like one.
  const match = isUuid(ref) ? sql`(${t.id} = ${ref.toLowerCase()}::uuid or ${byName})` : byName;
  const query = db
    .select()
    .from(t)
    .where(and(eq(t.organizationId, ctx.organization.id), match))
    .orderBy(sql`${t.nameKey} = ${teamNameKey(ref)}`)
    .limit(1);
  const [row] = lock ? await query.for(lock) : await query;
  if (!row) throw new DomainError('not_found', `no team "${ref}" in this organization`);
  return row;
}

async function teamMembersOf(db: Database, ctx: OrgContext, teamId: string): Promise<TeamMember[]> {
  const m = schema.members;
  const rows = await db
    .select({
      id: m.id,
      email: m.email,
      displayName: m.displayName,
      givenName: m.givenName,
      familyName: m.familyName,
      status: m.status,
      teamRole: schema.teamMembers.role,
      addedAt: schema.teamMembers.createdAt,
    })
    .from(schema.teamMembers)
    .innerJoin(m, and(eq(m.organizationId, schema.teamMembers.organizationId), eq(m.id, schema.teamMembers.memberId)))
    .where(and(eq(schema.teamMembers.organizationId, ctx.organization.id), eq(schema.teamMembers.teamId, teamId)))
    .orderBy(asc(m.emailKey));
  return rows.map((r) => ({
    id: r.id,
    email: r.email,
    name: r.displayName ?? ([r.givenName, r.familyName].filter(Boolean).join(' ') || null),
    status: r.status,
    teamRole: r.teamRole,
    addedAt: r.addedAt,
  }));
}

async function memberCount(db: Database, teamId: string): Promise<number> {
  const [row] = await db.select({ n: count() }).from(schema.teamMembers).where(eq(schema.teamMembers.teamId, teamId));
  return row?.n ?? 0;
}

export function toTeam(row: TeamRow, memberCount: number): Team {
  return { id: row.id, name: row.name, description: row.description, memberCount, createdAt: row.createdAt, updatedAt: row.updatedAt };
}

function duplicateName(name: string): DomainError {
  return new DomainError('conflict', `a team named "${name}" already exists in this organization (names are compared ignoring case)`, {
    details: { field: 'name' },
  });
}

function validateName(name: string): string {
  const trimmed = name.trim();
  if (trimmed.length === 0 || trimmed.length > MAX_NAME_LENGTH) {
    throw new DomainError('invalid_input', `team name must be 1 to ${MAX_NAME_LENGTH} characters`, { details: { field: 'name' } });
  }
  return trimmed;
}

function validateDescription(description: string | null | undefined): string | null | undefined {
  if (description === undefined || description === null) return description;
  const trimmed = description.trim();
  if (trimmed.length > MAX_DESCRIPTION_LENGTH) {
    throw new DomainError('invalid_input', `description must be at most ${MAX_DESCRIPTION_LENGTH} characters`, { details: { field: 'description' } });
  }
  return trimmed === '' ? null : trimmed;
}
