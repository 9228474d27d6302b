/** Audit entries are written with the change they describe, in the same transaction. */
import { sql } from 'drizzle-orm';
import type { Database } from '../db/index.ts';
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

/**
 * Any number of entries in one statement with one parameter (a JSON array read back as rows): a
 * bulk change over 10,000 members writes its 10,000 entries at once, where one bound parameter per
 * column would pass PostgreSQL's 65,535 and cost a parse of every value.
 */
export async function recordAudits(db: Database, actor: Actor, entries: readonly AuditEntry[]): Promise<void> {
  if (entries.length === 0) return;
  const rows = entries.map((entry) => ({
    id: newId(),
    organization_id: entry.organizationId,
    action: entry.action,
    target_type: entry.target.type,
    target_id: entry.target.id,
    details: entry.details ?? {},
    before: entry.before ?? null,
    after: entry.after ?? null,
  }));
  await db.execute(sql`
    insert into audit_log (id, organization_id, actor_type, actor_id, action, target_type, target_id, details, before, after)
    select r.id, r.organization_id, ${actor.type}, ${actor.id}, r.action, r.target_type, r.target_id, r.details, r.before, r.after
    from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb)
      as r(id uuid, organization_id uuid, action text, target_type text, target_id text, details jsonb, before jsonb, after jsonb)`);
}
