/**
 * Pending invitations: invited members with their live invitation, newest first, each saying
 * whether it has expired (an expired invitation no longer holds a seat; resending revives it).
 */
import { and, desc, eq, lt, sql, type SQL } from 'drizzle-orm';
import { schema, jsonValue, type Database } from '../../db/index.ts';
import { DomainError } from '../../errors.ts';
import { isUuid } from '../../ids.ts';
import { requireRead } from '../access/index.ts';
import { nowOf, type OrgContext } from '../context.ts';

export interface PendingInvitation {
  /** The invited member's id (what resend and revoke take). */
  id: string;
  email: string;
  status: 'invited';
  role: string;
  teams: string[];
  expiresAt: Date;
  /** Whether the link has stopped working (then it holds no seat either). */
  expired: boolean;
  sentCount: number;
  lastSentAt: Date;
  /** Who invited them: a member's id, or the operator, API key or tool. */
  invitedBy: { type: string; id: string };
  createdAt: Date;
}

export const MAX_PENDING_PAGE = 200;

export interface PendingPage {
  items: PendingInvitation[];
  /** The id to resume after for the next page; undefined on the last page. */
  next: string | undefined;
}

/** A page of pending invitations, newest first; `after` is the `next` of the previous page. */
export async function listPendingInvitations(ctx: OrgContext, input: { limit: number; after?: string | undefined }): Promise<PendingPage> {
  requireRead(ctx, 'members');
  if (!Number.isInteger(input.limit) || input.limit < 1 || input.limit > MAX_PENDING_PAGE) {
    throw new DomainError('invalid_input', `limit must be a whole number from 1 to ${MAX_PENDING_PAGE}`, { details: { field: 'limit' } });
  }
  if (input.after !== undefined && !isUuid(input.after)) throw new DomainError('invalid_input', 'cursor is not one this API gave out', { details: { field: 'cursor' } });
  // Member ids are time-ordered: id order is the order they were invited in, and a cursor is exact.
  const rows = await selectPending(ctx.db, ctx, input.after === undefined ? undefined : lt(schema.members.id, input.after), input.limit + 1);
  const items = rows.slice(0, input.limit).map((row) => toPending(row, nowOf(ctx)));
  return { items, next: rows.length > input.limit ? items.at(-1)?.id : undefined };
}

/** One invited member's pending invitation, or undefined. */
export async function findPendingInvitation(db: Database, ctx: OrgContext, memberId: string): Promise<PendingInvitation | undefined> {
  const [row] = await selectPending(db, ctx, eq(schema.members.id, memberId), 1);
  return row ? toPending(row, nowOf(ctx)) : undefined;
}

/**
 * Names of the selected member's teams, alphabetically, as one JSON array. The column is spelt out
 * in full: drizzle leaves columns unqualified in a one-table select, and a bare "id" here would be
 * the team's.
 */
export const teamNamesOfMember = () => sql<unknown>`coalesce((
  select json_agg(t.name order by t.name_key) from team_members tm join teams t on t.organization_id = tm.organization_id and t.id = tm.team_id
  where tm.member_id = "members"."id"), '[]'::json)`;

async function selectPending(db: Database, ctx: OrgContext, where: SQL | undefined, limit: number) {
  const m = schema.members;
  const i = schema.invitations;
  return db
    .select({
      id: m.id,
      email: m.email,
      role: m.role,
      teams: teamNamesOfMember(),
      expiresAt: i.expiresAt,
      sentCount: i.sentCount,
      lastSentAt: i.lastSentAt,
      invitedByType: i.invitedByType,
      invitedById: i.invitedById,
      createdAt: m.createdAt,
    })
    .from(m)
    .innerJoin(i, and(eq(i.organizationId, m.organizationId), eq(i.memberId, m.id)))
    .where(and(eq(m.organizationId, ctx.organization.id), eq(m.status, 'invited'), where))
    .orderBy(desc(m.id))
    .limit(limit);
}

type PendingRow = Awaited<ReturnType<typeof selectPending>>[number];

function toPending(row: PendingRow, now: Date): PendingInvitation {
  return {
    id: row.id,
    email: row.email,
    status: 'invited',
    role: row.role,
    teams: jsonValue<string[]>(row.teams),
    expiresAt: row.expiresAt,
    expired: row.expiresAt.getTime() <= now.getTime(),
    sentCount: row.sentCount,
    lastSentAt: row.lastSentAt,
    invitedBy: { type: row.invitedByType, id: row.invitedById },
    createdAt: row.createdAt,
  };
}
