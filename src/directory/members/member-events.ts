/**
 * The organization's feed of member changes, written in the transaction of each change so that a
 * consumer (the events API and webhooks) never misses one nor sees one that was rolled back.
 */
import { schema, type Database } from '../../db/index.ts';
import { newId } from '../../ids.ts';
import type { OrgContext } from '../context.ts';

export type MemberEventType =
  | 'member.invited'
  | 'member.joined'
  | 'member.updated'
  | 'member.role_changed'
  | 'member.teams_changed'
  | 'member.deactivated'
  | 'member.reactivated'
  | 'member.removed';

export interface MemberEvent {
  type: MemberEventType;
  memberId: string;
  data?: Record<string, unknown>;
}

export async function recordMemberEvents(db: Database, ctx: OrgContext, events: readonly MemberEvent[]): Promise<void> {
  if (events.length === 0) return;
  // One statement; ids are made here in order, so the feed keeps the order of `events`.
  await db.insert(schema.memberEvents).values(
    events.map((event) => ({
      id: newId(),
      organizationId: ctx.organization.id,
      type: event.type,
      memberId: event.memberId,
      data: event.data ?? {},
      actorType: ctx.actor.type,
      actorId: ctx.actor.id,
    })),
  );
}

export async function recordMemberEvent(db: Database, ctx: OrgContext, event: MemberEvent): Promise<void> {
  await recordMemberEvents(db, ctx, [event]);
}
