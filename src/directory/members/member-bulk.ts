/**
 * Changing many members at once, with a result per member: each is changed, unchanged, or refused
 * for its own reason while the others go ahead. The work is set-based: the rules are checked in
 * memory over rows locked by one statement, and each step (the update, the sessions ended, the
 * audit entries, the events) is one statement whatever the number of members.
 */
import { and, eq, sql } from 'drizzle-orm';
import { schema, withTransaction } from '../../db/index.ts';
import { DomainError } from '../../errors.ts';
import { isUuid } from '../../ids.ts';
import { requirePermission } from '../access/index.ts';
import { recordAudits } from '../audit.ts';
import { nowOf, type OrgContext } from '../context.ts';
import { uuidArray } from '../sql-arrays.ts';
import { roleChangeRefusal } from './member-changes.ts';
import { recordMemberEvents } from './member-events.ts';
import { requireRole } from './member-list.ts';
import { LAST_OWNER_DETAIL, lockActiveOwners, lockMembers, ownersThatMayLeave, type MemberRow } from './member-locks.ts';
import { applyDeactivation, deactivationRefusal } from './member-status.ts';
import type { EndedSessions } from './member-sessions.ts';

/** The most members one bulk request names. */
export const MAX_BULK_MEMBERS = 10_000;

export type BulkResultCode = 'changed' | 'unchanged' | 'not_found' | 'forbidden' | 'precondition_failed';

export interface BulkItemResult {
  id: string;
  result: BulkResultCode;
  /** Why, for anything but `changed` and `unchanged`. */
  detail: string | null;
}

function checkIds(ids: readonly string[]): string[] {
  if (ids.length === 0) throw new DomainError('invalid_input', 'ids must name at least one member', { details: { field: 'ids' } });
  if (ids.length > MAX_BULK_MEMBERS) {
    throw new DomainError('invalid_input', `ids may name at most ${MAX_BULK_MEMBERS} members (got ${ids.length})`, {
      details: { field: 'ids', limit: MAX_BULK_MEMBERS },
    });
  }
  // Each id answered once, in the order first given.
  return [...new Set(ids.map((id) => (isUuid(id) ? id.toLowerCase() : id)))];
}

const notFound = (id: string): BulkItemResult => ({ id, result: 'not_found', detail: `no member ${id} in this organization` });

/**
 * Gives many members one role. Needs roles.assign for the request; per member, the rules of a
 * single change apply (not one's own role, `owner` only by owners, never the last active owner).
 */
export async function bulkChangeRole(ctx: OrgContext, input: { ids: readonly string[]; role: string }): Promise<BulkItemResult[]> {
  requirePermission(ctx, 'roles.assign', "changing members' roles");
  const ids = checkIds(input.ids);
  return withTransaction(ctx.db, async (tx) => {
    await requireRole(tx, ctx, input.role);
    const owners = await lockActiveOwners(tx, ctx.organization.id);
    const rows = await lockMembers(tx, ctx.organization.id, ids);
    const results = new Map<string, BulkItemResult>();
    const candidates: MemberRow[] = [];
    for (const id of ids) {
      const row = rows.get(id);
      if (!row) results.set(id, notFound(id));
      else {
        const refusal = roleChangeRefusal(ctx, row, input.role);
        if (refusal) results.set(id, { id, result: refusal.code, detail: refusal.detail });
        else if (row.role === input.role) results.set(id, { id, result: 'unchanged', detail: null });
        else candidates.push(row);
      }
    }
    let changing = candidates;
    if (input.role !== 'owner') {
      const { allowed, leavingOwners } = ownersThatMayLeave(
        owners,
        candidates.map((r) => r.id),
      );
      if (!allowed) {
        for (const id of leavingOwners) results.set(id, { id, result: 'precondition_failed', detail: `member ${id} is among the last active owners: ${LAST_OWNER_DETAIL}` });
        changing = candidates.filter((r) => !leavingOwners.includes(r.id));
      }
    }
    if (changing.length > 0) {
      const now = nowOf(ctx);
      await tx
        .update(schema.members)
        .set({ role: input.role, updatedAt: now })
        .where(and(eq(schema.members.organizationId, ctx.organization.id), sql`${schema.members.id} = any(${uuidArray(changing.map((r) => r.id))})`));
      await recordAudits(
        tx,
        ctx.actor,
        changing.map((r) => ({
          organizationId: ctx.organization.id,
          action: 'member.role_changed',
          target: { type: 'member', id: r.id },
          details: { email: r.email, bulk: true },
          before: { role: r.role },
          after: { role: input.role },
        })),
      );
      await recordMemberEvents(
        tx,
        ctx,
        changing.map((r) => ({ type: 'member.role_changed', memberId: r.id, data: { from: r.role, to: input.role } })),
      );
      for (const r of changing) results.set(r.id, { id: r.id, result: 'changed', detail: null });
    }
    return ids.map((id) => results.get(id)!);
  });
}

/**
 * Deactivates many members, ending all their sessions. Needs members.manage for the request; per
 * member, the rules of a single deactivation apply (not oneself, not an invited member, never the
 * last active owner).
 */
export async function bulkDeactivate(ctx: OrgContext, input: { ids: readonly string[] }): Promise<{ results: BulkItemResult[] } & EndedSessions> {
  requirePermission(ctx, 'members.manage', 'deactivating members');
  const ids = checkIds(input.ids);
  return withTransaction(ctx.db, async (tx) => {
    const owners = await lockActiveOwners(tx, ctx.organization.id);
    const rows = await lockMembers(tx, ctx.organization.id, ids);
    const results = new Map<string, BulkItemResult>();
    const candidates: MemberRow[] = [];
    for (const id of ids) {
      const row = rows.get(id);
      if (!row) results.set(id, notFound(id));
      else if (row.status === 'deactivated') results.set(id, { id, result: 'unchanged', detail: null });
      else {
        const refusal = deactivationRefusal(ctx, row);
        if (refusal) results.set(id, { id, result: refusal.code, detail: refusal.detail });
        else candidates.push(row);
      }
    }
    const { allowed, leavingOwners } = ownersThatMayLeave(
      owners,
      candidates.map((r) => r.id),
    );
    let deactivating = candidates;
    if (!allowed) {
      for (const id of leavingOwners) results.set(id, { id, result: 'precondition_failed', detail: `member ${id} is among the last active owners: ${LAST_OWNER_DETAIL}` });
      deactivating = candidates.filter((r) => !leavingOwners.includes(r.id));
    }
    const done = await applyDeactivation(tx, ctx, deactivating, () => ({ bulk: true }));
    for (const r of deactivating) results.set(r.id, { id: r.id, result: 'changed', detail: null });
    return { results: ids.map((id) => results.get(id)!), sessionsEnded: done.sessionsEnded, logoutsQueued: done.logoutsQueued };
  });
}
