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

export async function recordDirectoryEvent(
  db: Database,
  ctx: DirectoryContext,
  event: { type: DirectoryEventType; resourceType: 'User' | 'Group'; resourceId: string; data?: Record<string, unknown> },
): Promise<void> {
  await db.insert(schema.directoryEvents).values({
    id: newId(),
    organizationId: ctx.organization.id,
    directoryId: ctx.directory.id,
    type: event.type,
    resourceType: event.resourceType,
    resourceId: event.resourceId,
    data: event.data ?? {},
  });
}
