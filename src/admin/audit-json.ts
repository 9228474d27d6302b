/**
 * The audit log and the member event feed as operators and admins read them, the same from the CLI
 * and the admin API, and the audit log as CSV. Field names are a contract: scripts read them.
 */
import { stringify } from 'csv-stringify/sync';
import type { AuditFilter, AuditRecord, MemberEventRecord } from '../directory/index.ts';
import { DomainError } from '../errors.ts';

export const auditEntryJson = (r: AuditRecord) => ({
  id: r.id,
  time: r.createdAt.toISOString(),
  actor: { type: r.actorType, id: r.actorId },
  action: r.action,
  target: { type: r.targetType, id: r.targetId },
  before: r.before,
  after: r.after,
  details: r.details,
});

export const memberEventJson = (e: MemberEventRecord) => ({
  id: e.id,
  type: e.type,
  memberId: e.memberId,
  data: e.data,
  actor: { type: e.actorType, id: e.actorId },
  time: e.createdAt.toISOString(),
});

const CSV_COLUMNS = ['time', 'actor_type', 'actor_id', 'action', 'target_type', 'target_id', 'before', 'after', 'details', 'id'];

/** CSV (RFC 4180) with a header row; JSON columns hold compact JSON. */
export function auditCsv(entries: readonly AuditRecord[]): string {
  const json = (v: unknown) => (v === null ? '' : JSON.stringify(v));
  return stringify(
    entries.map((r) => [r.createdAt.toISOString(), r.actorType, r.actorId, r.action, r.targetType, r.targetId, json(r.before), json(r.after), json(r.details), r.id]),
    { header: true, columns: CSV_COLUMNS, record_delimiter: '\r\n' },
  );
}

/** A time bound as typed: ISO 8601. */
export function parseTime(field: string, raw: string | undefined): Date | undefined {
  if (raw === undefined || raw === '') return undefined;
  const time = new Date(raw);
  if (!/^\d{4}-\d{2}-\d{2}/.test(raw) || Number.isNaN(time.getTime())) {
    throw new DomainError('invalid_input', `${field} must be an ISO 8601 time such as 2026-01-31T12:00:00Z (got "${raw}")`, { details: { field } });
  }
  return time;
}

export interface RawAuditFilter {
  actor?: string | undefined;
  actorType?: string | undefined;
  action?: string | undefined;
  target?: string | undefined;
  targetType?: string | undefined;
  since?: string | undefined;
  until?: string | undefined;
}

export function auditFilterOf(raw: RawAuditFilter): AuditFilter {
  return {
    actorId: raw.actor,
    actorType: raw.actorType,
    action: raw.action,
    targetId: raw.target,
    targetType: raw.targetType,
    since: parseTime('since', raw.since),
    until: parseTime('until', raw.until),
  };
}
