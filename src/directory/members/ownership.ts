/**
 * Transferring ownership: an owner hands the organization to another active member, who becomes
 * owner while the previous owner becomes admin, in one transaction (never an organization with no
 * owner in between, nor two changes half-made).
 */
import { and, eq, sql } from 'drizzle-orm';
import { schema, withTransaction } from '../../db/index.ts';
import { DomainError } from '../../errors.ts';
import { isUuid } from '../../ids.ts';
import { requirePermission } from '../access/index.ts';
import { recordAudits } from '../audit.ts';
import { nowOf, type OrgContext } from '../context.ts';
import { uuidArray } from '../sql-arrays.ts';
import { recordMemberEvents } from './member-events.ts';
import { lockActiveOwners, lockMembers, memberNotFound } from './member-locks.ts';
import { teamsOfMembers } from './member-teams.ts';
import { toMember, type Member } from './members.ts';

export interface OwnershipTransfer {
  /** The previous owner, now admin. */
  from: Member;
  /** The new owner. */
  to: Member;
}

/**
 * Only an owner transfers ownership, their own (billing.manage is theirs alone); an operator must
 * name the owner it is taken from. The new owner must be an active member.
 */
export async function transferOwnership(ctx: OrgContext, input: { to: string; from?: string | undefined }): Promise<OwnershipTransfer> {
  requirePermission(ctx, 'billing.manage', 'transferring ownership');
  const actor = ctx.actor;
  let fromId: string;
  if (actor.type === 'member') {
    if (input.from !== undefined && input.from.toLowerCase() !== actor.id) {
      throw new DomainError('forbidden', 'an owner transfers their own ownership only', { details: { field: 'from' } });
    }
    fromId = actor.id;
  } else {
    if (input.from === undefined) throw new DomainError('invalid_input', 'name the owner the ownership is taken from (from)', { details: { field: 'from' } });
    fromId = input.from.toLowerCase();
  }
  if (!isUuid(fromId)) throw memberNotFound(fromId);
  if (!isUuid(input.to)) throw memberNotFound(input.to);
  const toId = input.to.toLowerCase();
  if (toId === fromId) throw new DomainError('invalid_input', 'ownership cannot be transferred to the member who holds it', { details: { field: 'to' } });

  return withTransaction(ctx.db, async (tx) => {
    const owners = await lockActiveOwners(tx, ctx.organization.id);
    const rows = await lockMembers(tx, ctx.organization.id, [fromId, toId]);
    const from = rows.get(fromId);
    const to = rows.get(toId);
    if (!from) throw memberNotFound(fromId);
    if (!to) throw memberNotFound(toId);
    if (!owners.has(from.id)) throw new DomainError('precondition_failed', `member ${from.id} is not an active owner of this organization`, { details: { field: 'from' } });
    if (to.status !== 'active') {
      throw new DomainError('precondition_failed', `ownership goes to active members only; member ${to.id} is ${to.status}`, { details: { field: 'to' } });
    }
    const now = nowOf(ctx);
    const updated = await tx
      .update(schema.members)
      .set({ role: sql`case when ${schema.members.id} = ${from.id}::uuid then 'admin' else 'owner' end`, updatedAt: now })
      .where(and(eq(schema.members.organizationId, ctx.organization.id), sql`${schema.members.id} = any(${uuidArray([from.id, to.id])})`))
      .returning();
    const after = new Map(updated.map((r) => [r.id, r]));
    const changes = [
      { row: from, role: 'admin' },
      { row: to, role: 'owner' },
    ].filter((c) => c.row.role !== c.role);
    const transfer = { from: from.id, to: to.id };
    await recordAudits(
      tx,
      ctx.actor,
      changes.map((c) => ({
        organizationId: ctx.organization.id,
        action: 'member.role_changed',
        target: { type: 'member', id: c.row.id },
        details: { email: c.row.email, ownershipTransfer: transfer },
        before: { role: c.row.role },
        after: { role: c.role },
      })),
    );
    await recordMemberEvents(
      tx,
      { ...ctx, db: tx },
      changes.map((c) => ({ type: 'member.role_changed', memberId: c.row.id, data: { from: c.row.role, to: c.role, ownershipTransfer: transfer } })),
    );
    const teams = await teamsOfMembers(tx, ctx.organization.id, [from.id, to.id]);
    return {
      from: toMember(after.get(from.id) ?? from, teams.get(from.id) ?? []),
      to: toMember(after.get(to.id) ?? to, teams.get(to.id) ?? []),
    };
  });
}
