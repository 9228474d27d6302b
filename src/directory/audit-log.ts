/**
 * Reading the audit log of an organization: filtered by actor, action, target and time, newest
 * first, paged by (time, id). The same query feeds the API's pages and the CSV export.
 */
import { and, desc, eq, gte, like, lt, or, type SQL } from 'drizzle-orm';
import { schema } from '../db/index.ts';
import { DomainError } from '../errors.ts';
import { isUuid } from '../ids.ts';
import { requireRead } from './access/index.ts';
import type { OrgContext } from './context.ts';

export interface AuditRecord {
  id: string;
  createdAt: Date;
  actorType: string;
  actorId: string;
  action: string;
  targetType: string;
  targetId: string;
  details: Record<string, unknown>;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
}

export interface AuditFilter {
  /** An actor's id (a member id, an API key id, a directory or connection id, `cli`). */
  actorId?: string | undefined;
  actorType?: string | undefined;
  /** An action (`member.role_changed`), or a family of them (`member.*`). */
  action?: string | undefined;
  targetId?: string | undefined;
  targetType?: string | undefined;
  /** From this time on (inclusive). */
  since?: Date | undefined;
  /** Before this time (exclusive). */
  until?: Date | undefined;
}

/** Where a page resumes: the last entry of the previous page. */
export interface AuditPosition {
  createdAt: string;
  id: string;
}

export const MAX_AUDIT_PAGE = 1000;
/** The most entries one CSV export holds; narrow the filter for more. */
export const MAX_AUDIT_EXPORT = 100_000;

const ACTION = /^[a-z_]+(\.[a-z_]+)*(\.\*)?$/;

export async function listAuditEntries(
  ctx: OrgContext,
  input: { filter: AuditFilter; limit: number; after?: AuditPosition | undefined },
): Promise<AuditRecord[]> {
  requireRead(ctx, 'audit');
  const a = schema.auditLog;
  const conditions: SQL[] = [eq(a.organizationId, ctx.organization.id), ...filterConditions(input.filter)];
  if (input.after) {
    const at = new Date(input.after.createdAt);
    if (Number.isNaN(at.getTime()) || !isUuid(input.after.id)) throw new DomainError('invalid_input', 'cursor is not one this API gave out', { details: { field: 'cursor' } });
    conditions.push(or(lt(a.createdAt, at), and(eq(a.createdAt, at), lt(a.id, input.after.id)))!);
  }
  const rows = await ctx.db
    .select()
    .from(a)
    .where(and(...conditions))
    .orderBy(desc(a.createdAt), desc(a.id))
    .limit(input.limit);
  return rows.map((r) => ({
    id: r.id,
    createdAt: r.createdAt,
    actorType: r.actorType,
    actorId: r.actorId,
    action: r.action,
    targetType: r.targetType,
    targetId: r.targetId,
    details: r.details,
    before: r.before,
    after: r.after,
  }));
}

function filterConditions(filter: AuditFilter): SQL[] {
  const a = schema.auditLog;
  const out: SQL[] = [];
  if (filter.actorId !== undefined) out.push(eq(a.actorId, filter.actorId));
  if (filter.actorType !== undefined) out.push(eq(a.actorType, filter.actorType));
  if (filter.targetId !== undefined) out.push(eq(a.targetId, filter.targetId));
  if (filter.targetType !== undefined) out.push(eq(a.targetType, filter.targetType));
  if (filter.action !== undefined) {
    if (!ACTION.test(filter.action)) {
      throw new DomainError('invalid_input', `action must be an action such as member.deactivated, or a family such as member.* (got "${filter.action}")`, {
        details: { field: 'action' },
      });
    }
    out.push(filter.action.endsWith('.*') ? like(a.action, `${filter.action.slice(0, -1)}%`) : eq(a.action, filter.action));
  }
  if (filter.since !== undefined) out.push(gte(a.createdAt, filter.since));
  if (filter.until !== undefined) out.push(lt(a.createdAt, filter.until));
  return out;
}
