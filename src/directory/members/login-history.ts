/**
 * A member's login history: their sign-ins from the sign-in log, newest first, keyset-paged on
 * (occurred_at, id) with the time kept to the microsecond the database stores, so that a page
 * boundary between two sign-ins of the same millisecond loses neither.
 */
import { and, desc, eq, sql } from 'drizzle-orm';
import { schema } from '../../db/index.ts';
import { DomainError } from '../../errors.ts';
import { isUuid } from '../../ids.ts';
import { isSelf, requireRead } from '../access/index.ts';
import type { OrgContext } from '../context.ts';
import { memberNotFound } from './member-locks.ts';
import { toSignInRecord, type SignInRecord } from '../sign-in/index.ts';

export const MAX_SIGN_IN_HISTORY_PAGE = 200;

/** Where a page resumes: before the sign-in at this time (microseconds since the epoch, as text) and id. */
export interface SignInPosition {
  micros: string;
  id: string;
}

export interface SignInHistoryPage {
  signIns: SignInRecord[];
  next: SignInPosition | null;
}

/** The member themself reads their history; anyone else needs audit.view (an app, audit:read). */
export async function listMemberSignIns(
  ctx: OrgContext,
  memberId: string,
  options: { limit?: number | undefined; before?: SignInPosition | undefined } = {},
): Promise<SignInHistoryPage> {
  if (!isUuid(memberId)) throw memberNotFound(memberId);
  const id = memberId.toLowerCase();
  if (!isSelf(ctx.actor, id)) requireRead(ctx, 'audit');
  else requireRead(ctx, 'members');
  const limit = options.limit ?? 50;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_SIGN_IN_HISTORY_PAGE) {
    throw new DomainError('invalid_input', `limit must be a whole number from 1 to ${MAX_SIGN_IN_HISTORY_PAGE}`, { details: { field: 'limit' } });
  }
  const [member] = await ctx.db
    .select({ id: schema.members.id })
    .from(schema.members)
    .where(and(eq(schema.members.organizationId, ctx.organization.id), eq(schema.members.id, id)));
  if (!member) throw memberNotFound(memberId);
  const s = schema.signIns;
  const before = options.before;
  if (before && (!/^\d{1,20}$/.test(before.micros) || !isUuid(before.id))) {
    throw new DomainError('invalid_input', 'cursor is not one this API gave out', { details: { field: 'cursor' } });
  }
  const micros = sql<string>`(extract(epoch from ${s.occurredAt}) * 1000000)::bigint::text`;
  const rows = await ctx.db
    .select({ row: s, micros })
    .from(s)
    .where(
      and(
        eq(s.memberId, id),
        eq(s.organizationId, ctx.organization.id),
        before
          ? sql`(${s.occurredAt}, ${s.id}) < (timestamptz 'epoch' + ${before.micros}::bigint * interval '1 microsecond', ${before.id}::uuid)`
          : undefined,
      ),
    )
    .orderBy(desc(s.occurredAt), desc(s.id))
    .limit(limit + 1);
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    signIns: page.map(({ row }) => toSignInRecord(row)),
    next: rows.length > limit && last ? { micros: last.micros, id: last.row.id } : null,
  };
}
