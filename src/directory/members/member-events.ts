/**
 * The organization's feed of member changes, written in the transaction of each change so that a
 * consumer (the events API and webhooks) never misses one nor sees one that was rolled back.
 */
import { sql } from 'drizzle-orm';
import type { Database } from '../../db/index.ts';
import { newId, type OrganizationId } from '../../ids.ts';
import type { Actor, OrgContext } from '../context.ts';

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

/**
 * Any number of events in one statement with one parameter (as recordAudits). Ids are made here in
 * order, so the feed keeps the order of `events`.
 */
export async function recordMemberEvents(db: Database, ctx: OrgContext, events: readonly MemberEvent[]): Promise<void> {
  await recordMemberEventsOf(db, ctx.organization.id, ctx.actor, events);
}

/** The same, for a verb that knows its organization by id only (a sign-in resolving its member). */
export async function recordMemberEventsOf(db: Database, organizationId: OrganizationId, actor: Actor, events: readonly MemberEvent[]): Promise<void> {
  if (events.length === 0) return;
  const rows = events.map((event) => ({ id: newId(), type: event.type, member_id: event.memberId, data: event.data ?? {} }));
  await db.execute(sql`
    insert into member_events (id, organization_id, type, member_id, data, actor_type, actor_id)
    select r.id, ${organizationId}, r.type, r.member_id, r.data, ${actor.type}, ${actor.id}
    from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as r(id uuid, type text, member_id uuid, data jsonb)`);
}

export async function recordMemberEvent(db: Database, ctx: OrgContext, event: MemberEvent): Promise<void> {
  await recordMemberEvents(db, ctx, [event]);
}
