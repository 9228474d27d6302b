/**
 * The directory's change feed, written in the same transaction as each change, so that whatever
 * consumes it (member provisioning) never misses a change nor sees one that was rolled back.
 */
import { schema, type Database } from '../db/index.ts';
import { newId } from '../ids.ts';
import type { DirectoryContext } from './directory-context.ts';

export type DirectoryEventType =
  | 'user.created'
  | 'user.updated'
  | 'user.deleted'
  | 'group.created'
  | 'group.updated'
  | 'group.deleted'
  | 'group.members_changed';

interface DirectoryEvent {
  type: DirectoryEventType;
  resourceType: 'User' | 'Group';
  resourceId: string;
  data?: Record<string, unknown>;
}

function eventRow(ctx: DirectoryContext, event: DirectoryEvent): typeof schema.directoryEvents.$inferInsert {
  return {
    id: newId(),
    organizationId: ctx.organization.id,
    directoryId: ctx.directory.id,
    type: event.type,
    resourceType: event.resourceType,
    resourceId: event.resourceId,
    data: event.data ?? {},
  };
}

export async function recordDirectoryEvent(db: Database, ctx: DirectoryContext, event: DirectoryEvent): Promise<void> {
  await db.insert(schema.directoryEvents).values(eventRow(ctx, event));
}

/**
 * `group.members_changed` for each group that lost `memberId` because the member itself was
 * deleted (its memberships go with it, by cascade): a consumer that maps groups to roles learns
 * of the loss from the group's own feed, as it does for a PATCH, and a deleted nested group
 * leaves no membership row behind to infer it from.
 */
export async function recordMemberDeletedFrom(
  db: Database,
  ctx: DirectoryContext,
  groupIds: readonly string[],
  memberId: string,
): Promise<void> {
  if (groupIds.length === 0) return;
  await db.insert(schema.directoryEvents).values(
    groupIds.map((groupId) =>
      eventRow(ctx, { type: 'group.members_changed', resourceType: 'Group', resourceId: groupId, data: { added: [], removed: [memberId] } }),
    ),
  );
}
