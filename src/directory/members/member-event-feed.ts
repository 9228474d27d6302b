/** Reading an organization's member event feed in order, from a position on. */
import { and, asc, eq, gt, type SQL } from 'drizzle-orm';
import { schema } from '../../db/index.ts';
import { DomainError } from '../../errors.ts';
import { isUuid } from '../../ids.ts';
import { requireRead } from '../access/index.ts';
import type { OrgContext } from '../context.ts';

export interface MemberEventRecord {
  id: string;
  type: string;
  memberId: string;
  data: Record<string, unknown>;
  actorType: string;
  actorId: string;
  createdAt: Date;
}

export const MAX_MEMBER_EVENT_PAGE = 1000;

/** Events after `after` (an event id; absent: from the start), oldest first. */
export async function listMemberEvents(ctx: OrgContext, input: { after?: string | undefined; limit: number }): Promise<MemberEventRecord[]> {
  requireRead(ctx, 'members');
  const e = schema.memberEvents;
  const conditions: SQL[] = [eq(e.organizationId, ctx.organization.id)];
  if (input.after !== undefined) {
    if (!isUuid(input.after)) throw new DomainError('invalid_input', `after must be an event id (got "${input.after}")`, { details: { field: 'after' } });
    conditions.push(gt(e.id, input.after.toLowerCase()));
  }
  return ctx.db
    .select({ id: e.id, type: e.type, memberId: e.memberId, data: e.data, actorType: e.actorType, actorId: e.actorId, createdAt: e.createdAt })
    .from(e)
    .where(and(...conditions))
    .orderBy(asc(e.id))
    .limit(input.limit);
}
