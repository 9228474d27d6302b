/**
 * Deactivating, reactivating and removing members. Deactivation ends every session at once and
 * keeps the member (history, teams, role) for a later reactivation; removal deletes the member,
 * and their invitation, identities and team memberships with them, so the address can be invited
 * again. Each change writes its audit entry and member event in its own transaction.
 */
import { and, eq, sql } from 'drizzle-orm';
import { schema, withTransaction, type Database } from '../../db/index.ts';
import { DomainError } from '../../errors.ts';
import { isSelf, requirePermission } from '../access/index.ts';
import { recordAudit, recordAudits } from '../audit.ts';
import { nowOf, type OrgContext } from '../context.ts';
import { uuidArray } from '../sql-arrays.ts';
import { recordMemberEvent, recordMemberEvents } from './member-events.ts';
import { LAST_OWNER_DETAIL, lockActiveOwners, lockMember, ownersThatMayLeave, type MemberRow } from './member-locks.ts';
import { endMemberSessions, type EndedSessions } from './member-sessions.ts';
import { teamsOfMembers } from './member-teams.ts';
import { toMember, type Member } from './members.ts';
import { requireSeats } from './seats.ts';

export interface DeactivatedMember extends EndedSessions {
  member: Member;
}

export interface RemovedMember extends EndedSessions {
  id: string;
  email: string;
}

/** Why a member cannot be deactivated, whoever asks; undefined when they can. */
export function deactivationRefusal(ctx: OrgContext, row: MemberRow): { code: 'forbidden' | 'precondition_failed'; detail: string } | undefined {
  if (isSelf(ctx.actor, row.id)) return { code: 'forbidden', detail: 'you cannot deactivate yourself; ask another admin' };
  if (row.status === 'invited') {
    return { code: 'precondition_failed', detail: `member ${row.id} has not accepted their invitation yet: remove them instead, which revokes it` };
  }
  return undefined;
}

/**
 * Deactivates a member and ends everything they are signed in with, in the same transaction.
 * Needs members.manage; nobody deactivates themselves, nor the last active owner. Idempotent: a
 * deactivated member is answered as they are, with nothing written.
 */
export async function deactivateMember(ctx: OrgContext, id: string): Promise<DeactivatedMember> {
  requirePermission(ctx, 'members.manage', 'deactivating members');
  return withTransaction(ctx.db, async (tx) => {
    const owners = await lockActiveOwners(tx, ctx.organization.id);
    const row = await lockMember(tx, ctx.organization.id, id);
    const teams = (await teamsOfMembers(tx, ctx.organization.id, [row.id])).get(row.id) ?? [];
    if (row.status === 'deactivated') return { member: toMember(row, teams), sessionsEnded: 0, logoutsQueued: 0 };
    const refusal = deactivationRefusal(ctx, row);
    if (refusal) throw new DomainError(refusal.code, refusal.detail);
    if (!ownersThatMayLeave(owners, [row.id]).allowed) throw new DomainError('precondition_failed', `member ${row.id} is the last active owner: ${LAST_OWNER_DETAIL}`);
    const done = await applyDeactivation(tx, ctx, [row], (ended) => ({ ...ended }));
    return { member: toMember(done.rows[0] ?? row, teams), sessionsEnded: done.sessionsEnded, logoutsQueued: done.logoutsQueued };
  });
}

/**
 * Deactivates members already locked and checked, set-based: one statement per step whatever their
 * number. `details` adds to each audit entry (a single deactivation records its session counts).
 */
export async function applyDeactivation(
  tx: Database,
  ctx: OrgContext,
  rows: readonly MemberRow[],
  details: (ended: EndedSessions) => Record<string, unknown> = () => ({}),
): Promise<EndedSessions & { rows: MemberRow[] }> {
  if (rows.length === 0) return { rows: [], sessionsEnded: 0, logoutsQueued: 0 };
  const now = nowOf(ctx);
  const ids = rows.map((r) => r.id);
  const changes = { status: 'deactivated' as const, deactivatedAt: now, updatedAt: now };
  // The rows are locked and checked already: nothing comes back (10,000 rows read back cost more than the update).
  await tx
    .update(schema.members)
    .set(changes)
    .where(and(eq(schema.members.organizationId, ctx.organization.id), sql`${schema.members.id} = any(${uuidArray(ids)})`));
  const ended = await endMemberSessions(tx, ids);
  const extra = details(ended);
  await recordAudits(
    tx,
    ctx.actor,
    rows.map((r) => ({
      organizationId: ctx.organization.id,
      action: 'member.deactivated',
      target: { type: 'member', id: r.id },
      details: { email: r.email, ...extra },
      before: { status: r.status, deactivatedAt: null },
      after: { status: 'deactivated', deactivatedAt: now.toISOString() },
    })),
  );
  await recordMemberEvents(tx, ctx, rows.map((r) => ({ type: 'member.deactivated', memberId: r.id, data: { email: r.email } })));
  return { rows: rows.map((r) => ({ ...r, ...changes })), ...ended };
}

/**
 * Reactivates a deactivated member: they take a seat again (refused, with the limit and the usage,
 * when none is free) and find their role, teams and history as they were. Needs members.manage.
 */
export async function reactivateMember(ctx: OrgContext, id: string): Promise<Member> {
  requirePermission(ctx, 'members.manage', 'reactivating members');
  return withTransaction(ctx.db, async (tx) => {
    const row = await lockMember(tx, ctx.organization.id, id);
    const teams = (await teamsOfMembers(tx, ctx.organization.id, [row.id])).get(row.id) ?? [];
    if (row.status === 'active') return toMember(row, teams);
    if (row.status === 'invited') {
      throw new DomainError('precondition_failed', `member ${row.id} has not accepted their invitation yet; there is nothing to reactivate`);
    }
    const txCtx = { ...ctx, db: tx };
    await requireSeats(tx, txCtx, 1, 'reactivating a member');
    const now = nowOf(ctx);
    const [updated] = await tx
      .update(schema.members)
      .set({ status: 'active', deactivatedAt: null, updatedAt: now })
      .where(and(eq(schema.members.organizationId, ctx.organization.id), eq(schema.members.id, row.id)))
      .returning();
    await recordAudit(tx, ctx.actor, {
      organizationId: ctx.organization.id,
      action: 'member.reactivated',
      target: { type: 'member', id: row.id },
      details: { email: row.email },
      before: { status: row.status, deactivatedAt: row.deactivatedAt?.toISOString() ?? null },
      after: { status: 'active', deactivatedAt: null },
    });
    await recordMemberEvent(tx, txCtx, { type: 'member.reactivated', memberId: row.id, data: { email: row.email } });
    return toMember(updated ?? row, teams);
  });
}

/**
 * Removes a member for good: their sessions end, the row goes (invitation, identities, team
 * memberships and email codes by cascade) and the address may be invited again. The audit entry
 * and the member.removed event keep who they were. Needs members.manage; nobody removes
 * themselves, nor the last active owner.
 */
export async function removeMember(ctx: OrgContext, id: string): Promise<RemovedMember> {
  requirePermission(ctx, 'members.manage', 'removing members');
  return withTransaction(ctx.db, async (tx) => {
    const owners = await lockActiveOwners(tx, ctx.organization.id);
    const row = await lockMember(tx, ctx.organization.id, id);
    if (isSelf(ctx.actor, row.id)) throw new DomainError('forbidden', 'you cannot remove yourself; ask another admin');
    if (!ownersThatMayLeave(owners, [row.id]).allowed) throw new DomainError('precondition_failed', `member ${row.id} is the last active owner: ${LAST_OWNER_DETAIL}`);
    const teams = (await teamsOfMembers(tx, ctx.organization.id, [row.id])).get(row.id) ?? [];
    // A deactivated member's sessions ended at their deactivation; an invited one never had any.
    const ended = row.status === 'active' ? await endMemberSessions(tx, [row.id]) : { sessionsEnded: 0, logoutsQueued: 0 };
    await tx.delete(schema.members).where(and(eq(schema.members.organizationId, ctx.organization.id), eq(schema.members.id, row.id)));
    const who = { email: row.email, givenName: row.givenName, familyName: row.familyName, displayName: row.displayName, role: row.role };
    await recordAudit(tx, ctx.actor, {
      organizationId: ctx.organization.id,
      action: 'member.removed',
      target: { type: 'member', id: row.id },
      details: { email: row.email, ...ended },
      before: { ...who, status: row.status, source: row.source, teams: teams.map((t) => t.name) },
    });
    await recordMemberEvent(tx, { ...ctx, db: tx }, { type: 'member.removed', memberId: row.id, data: who });
    return { id: row.id, email: row.email, ...ended };
  });
}
