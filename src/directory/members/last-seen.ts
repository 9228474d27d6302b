/**
 * When a member was last seen using the app or the console. Written often (every request of a
 * signed-in member may call it) but coarse: the row is updated at most once per interval, by one
 * statement whose WHERE makes every other call a no-op that writes nothing.
 */
import { and, eq, isNull, lt, or } from 'drizzle-orm';
import { schema, type Database } from '../../db/index.ts';
import type { OrganizationId } from '../../ids.ts';

/** How stale last_seen_at may get before a visit refreshes it. */
export const LAST_SEEN_INTERVAL_MS = 5 * 60 * 1000;

/**
 * Whether a visit at `now` would update last_seen_at. Callers that already read the member's row
 * ask this first, so a visit within the interval costs no statement at all.
 */
export function lastSeenIsStale(lastSeenAt: Date | null, now: Date): boolean {
  return lastSeenAt === null || now.getTime() - lastSeenAt.getTime() >= LAST_SEEN_INTERVAL_MS;
}

/** Records that the member was seen at `now`; true when the row was updated. */
export async function touchLastSeen(db: Database, organizationId: OrganizationId, memberId: string, now: Date): Promise<boolean> {
  const staleBefore = new Date(now.getTime() - LAST_SEEN_INTERVAL_MS);
  const updated = await db
    .update(schema.members)
    .set({ lastSeenAt: now })
    .where(
      and(
        eq(schema.members.organizationId, organizationId),
        eq(schema.members.id, memberId),
        or(isNull(schema.members.lastSeenAt), lt(schema.members.lastSeenAt, staleBefore)),
      ),
    )
    .returning({ id: schema.members.id });
  return updated.length > 0;
}
