/** Audit entries are written with the change they describe, in the same transaction. */
import { schema, type Database } from '../db/index.ts';
import { newId, type OrganizationId } from '../ids.ts';
import type { Actor } from './context.ts';

export interface AuditEntry {
  organizationId: OrganizationId | null;
  action: string;
  target: { type: string; id: string };
  details?: Record<string, unknown>;
}

export async function recordAudit(db: Database, actor: Actor, entry: AuditEntry): Promise<void> {
  await db.insert(schema.auditLog).values({
    id: newId(),
    organizationId: entry.organizationId,
    actorType: actor.type,
    actorId: actor.id,
    action: entry.action,
    targetType: entry.target.type,
    targetId: entry.target.id,
    details: entry.details ?? {},
  });
}
