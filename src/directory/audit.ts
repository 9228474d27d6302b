/** Audit entries are written with the change they describe, in the same transaction. */
import { schema, type Database } from '../db/index.ts';
import { newId, type OrganizationId } from '../ids.ts';
import type { Actor } from './context.ts';

export interface AuditEntry {
  organizationId: OrganizationId | null;
  action: string;
  target: { type: string; id: string };
  details?: Record<string, unknown>;
  /** The target's changed fields before the change (absent for a creation). */
  before?: Record<string, unknown>;
  /** The target's changed fields after the change (absent for a removal). */
  after?: Record<string, unknown>;
}

export async function recordAudit(db: Database, actor: Actor, entry: AuditEntry): Promise<void> {
  await recordAudits(db, actor, [entry]);
}

/** Several entries in one statement (bulk actions write one entry per member changed). */
export async function recordAudits(db: Database, actor: Actor, entries: readonly AuditEntry[]): Promise<void> {
  if (entries.length === 0) return;
  await db.insert(schema.auditLog).values(
    entries.map((entry) => ({
      id: newId(),
      organizationId: entry.organizationId,
      actorType: actor.type,
      actorId: actor.id,
      action: entry.action,
      targetType: entry.target.type,
      targetId: entry.target.id,
      details: entry.details ?? {},
      before: entry.before ?? null,
      after: entry.after ?? null,
    })),
  );
}
