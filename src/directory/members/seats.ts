/**
 * Seats: active members and invited ones whose invitation is still valid each use one; an
 * organization's limit (null: unlimited) bounds them. Checks lock the organization's row, so two
 * concurrent invitations cannot both take the last seat.
 */
import { and, eq, gt, or, sql } from 'drizzle-orm';
import { schema, type Database } from '../../db/index.ts';
import { DomainError } from '../../errors.ts';
import type { OrganizationId } from '../../ids.ts';
import { nowOf, type OrgContext } from '../context.ts';

export interface SeatUsage {
  limit: number | null;
  used: number;
}

/** Seats in use: active members, and invited members with a live invitation. */
export async function seatsUsed(db: Database, organizationId: OrganizationId, now: Date): Promise<number> {
  const [row] = await db
    .select({ used: sql<number>`count(*)::int` })
    .from(schema.members)
    .leftJoin(schema.invitations, and(eq(schema.invitations.organizationId, schema.members.organizationId), eq(schema.invitations.memberId, schema.members.id)))
    .where(
      and(
        eq(schema.members.organizationId, organizationId),
        or(eq(schema.members.status, 'active'), and(eq(schema.members.status, 'invited'), gt(schema.invitations.expiresAt, now))),
      ),
    );
  return row?.used ?? 0;
}

export async function seatUsage(ctx: OrgContext): Promise<SeatUsage> {
  const [org] = await ctx.db.select({ limit: schema.organizations.seatLimit }).from(schema.organizations).where(eq(schema.organizations.id, ctx.organization.id));
  return { limit: org?.limit ?? null, used: await seatsUsed(ctx.db, ctx.organization.id, nowOf(ctx)) };
}

/**
 * Refuses, with the limit and the usage, when `needed` more seats do not fit. Call inside the
 * transaction that takes the seats: the organization's row stays locked until it commits.
 * Returns the usage before the change.
 */
export async function requireSeats(tx: Database, ctx: OrgContext, needed: number, doing: string): Promise<SeatUsage> {
  const [org] = await tx
    .select({ limit: schema.organizations.seatLimit })
    .from(schema.organizations)
    .where(eq(schema.organizations.id, ctx.organization.id))
    .for('update');
  const limit = org?.limit ?? null;
  const used = await seatsUsed(tx, ctx.organization.id, nowOf(ctx));
  if (limit !== null && used + needed > limit) {
    throw new DomainError(
      'limit_exceeded',
      `${doing} needs ${needed} seat${needed === 1 ? '' : 's'}, but ${used} of the organization's ${limit} seats are in use; free seats or raise the limit`,
      { details: { limit, used, requested: needed } },
    );
  }
  return { limit, used };
}
