/**
 * The SCIM request log: what each authenticated SCIM request asked and how it ended, per
 * directory. Rows arrive in batches from a writer that runs off the request path, and are pruned
 * once they are older than the retention period.
 */
import { and, desc, eq, gte, inArray, lt, sql, type SQL } from 'drizzle-orm';
import { queryPrepared, schema, type Database } from '../db/index.ts';
import { DomainError } from '../errors.ts';
import { newId, parseDirectoryId, parseScimResourceId, type DirectoryId, type OrganizationId } from '../ids.ts';
import type { Context, OrgContext, OrganizationRef } from './context.ts';
import { getDirectory } from './directories.ts';
import { requireRead } from './access/index.ts';

/** One SCIM request as the log keeps it. `requestBody` is already redacted and capped by the caller. */
export interface RequestLogEntry {
  organizationId: OrganizationId;
  directoryId: DirectoryId;
  /** When the request arrived. */
  time: Date;
  method: string;
  /** Relative to the directory's SCIM base URL, e.g. `/Users/…`; no query string. */
  path: string;
  filter: string | null;
  status: number;
  scimType: string | null;
  durationMs: number;
  resourceType: string | null;
  resourceId: string | null;
  requestBody: unknown;
  userAgent: string | null;
  requestId: string;
}

/**
 * An entry as listed back to an operator; the organization and directory are implied by the query.
 * `id` names the entry, and is the cursor of the next, older page.
 */
export type LoggedRequest = Omit<RequestLogEntry, 'organizationId' | 'directoryId'> & { id: string };

/** Most entries one listing returns. */
export const MAX_REQUEST_LOG_PAGE = 1000;

/** Rows deleted per statement while pruning, so retention never holds long locks on a busy table. */
const PRUNE_BATCH = 5000;

const FOREIGN_KEY_VIOLATION = '23503';

/**
 * Writes entries in one multi-row INSERT and returns how many were stored. If a directory was
 * deleted while its entries waited in the queue, the insert is retried once without them, so one
 * deleted directory does not cost every other directory its batch.
 */
export async function recordRequests(db: Database, entries: readonly RequestLogEntry[]): Promise<number> {
  if (entries.length === 0) return 0;
  try {
    return await insertEntries(db, entries);
  } catch (error) {
    if (pgErrorCode(error) !== FOREIGN_KEY_VIOLATION) throw error;
    const live = await existingDirectories(db, entries);
    const kept = entries.filter((e) => live.has(`${e.organizationId}/${e.directoryId}`));
    return kept.length === 0 ? 0 : insertEntries(db, kept);
  }
}

/**
 * One statement whose text never changes, whatever the batch size: the batch travels as one JSON
 * parameter, so the statement is prepared once per connection and no SQL is built per batch (a
 * multi-row VALUES list is a new statement for every batch size, and building it cost more CPU
 * than the requests it logged).
 */
async function insertEntries(db: Database, entries: readonly RequestLogEntry[]): Promise<number> {
  const rows = entries.map((e) => ({
    id: newId(),
    organization_id: e.organizationId,
    directory_id: e.directoryId,
    created_at: e.time.toISOString(),
    method: e.method,
    path: e.path,
    filter: e.filter,
    status: e.status,
    scim_type: e.scimType,
    duration_ms: e.durationMs,
    resource_type: e.resourceType,
    resource_id: e.resourceId,
    request_body: e.requestBody ?? null,
    user_agent: e.userAgent,
    request_id: e.requestId,
  }));
  const [result] = await queryPrepared<{ stored: number }>(
    db,
    sql`with stored as (
      insert into scim_request_log (id, organization_id, directory_id, created_at, method, path, filter, status, scim_type,
        duration_ms, resource_type, resource_id, request_body, user_agent, request_id)
      select id, organization_id, directory_id, created_at, method, path, filter, status, scim_type,
        duration_ms, resource_type, resource_id, request_body, user_agent, request_id
      from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as entry(id uuid, organization_id uuid, directory_id uuid,
        created_at timestamptz, method text, path text, filter text, status int, scim_type text, duration_ms int,
        resource_type text, resource_id text, request_body jsonb, user_agent text, request_id text)
      returning 1
    )
    select count(*)::int as stored from stored`,
  );
  return Number(result?.stored ?? 0);
}

async function existingDirectories(db: Database, entries: readonly RequestLogEntry[]): Promise<Set<string>> {
  const d = schema.directories;
  const ids = [...new Set(entries.map((e) => e.directoryId))];
  const rows = await db.select({ organizationId: d.organizationId, id: d.id }).from(d).where(inArray(d.id, ids));
  return new Set(rows.map((r) => `${r.organizationId}/${r.id}`));
}

export interface ListRequestsInput {
  directoryId: string;
  /** Only requests answered with a status of 400 or more. */
  failedOnly?: boolean;
  limit?: number;
  /**
   * Where the page starts: strictly older than this time, or than the entry with this id (the last
   * one of the previous page). An entry's id is the exact cursor: many requests share a
   * millisecond, and paging by the time of the last one shown would skip the rest of them.
   */
  before?: Date | { entry: string };
}

/** A directory's requests, newest first; a directory of another organization is "not found". */
export async function listRequests(ctx: OrgContext, input: ListRequestsInput): Promise<LoggedRequest[]> {
  requireRead(ctx, 'directory');
  const limit = input.limit ?? 50;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_REQUEST_LOG_PAGE) {
    throw new DomainError('invalid_input', `limit must be a whole number from 1 to ${MAX_REQUEST_LOG_PAGE}`, {
      details: { field: 'limit' },
    });
  }
  if (input.before instanceof Date && Number.isNaN(input.before.getTime())) {
    throw new DomainError('invalid_input', 'before must be a valid time', { details: { field: 'before' } });
  }
  const directory = await getDirectory(ctx, input.directoryId);
  const before = input.before === undefined || input.before instanceof Date ? input.before : await entryOf(ctx, directory.id, input.before.entry);
  const rows = await requestLogPage(ctx, directory.id, { failedOnly: input.failedOnly === true, before, limit });
  return rows.map((r) => ({
    id: r.id,
    time: r.createdAt,
    method: r.method,
    path: r.path,
    filter: r.filter,
    status: r.status,
    scimType: r.scimType,
    durationMs: r.durationMs,
    resourceType: r.resourceType,
    resourceId: r.resourceId,
    requestBody: r.requestBody,
    userAgent: r.userAgent,
    requestId: r.requestId,
  }));
}

/**
 * The statement behind a listing: newest first, from the directory's time index read backwards
 * (its plan is checked in test/directory/request-log.db.test.ts).
 */
export function requestLogPage(
  ctx: OrgContext,
  directoryId: DirectoryId,
  page: { failedOnly: boolean; before: Date | { id: string; createdAt: Date } | undefined; limit: number },
) {
  const t = schema.scimRequestLog;
  const conditions: SQL[] = [eq(t.organizationId, ctx.organization.id), eq(t.directoryId, directoryId)];
  // Spelled exactly as the partial index's predicate, so the planner can use that index.
  if (page.failedOnly) conditions.push(gte(t.status, 400));
  if (page.before instanceof Date) conditions.push(lt(t.createdAt, page.before));
  else if (page.before !== undefined) {
    // The order the listing sorts by, (created_at, id) descending, so no entry is skipped or repeated.
    conditions.push(sql`(${t.createdAt}, ${t.id}) < (${page.before.createdAt.toISOString()}::timestamptz, ${page.before.id}::uuid)`);
  }
  return ctx.db
    .select()
    .from(t)
    .where(and(...conditions))
    .orderBy(desc(t.createdAt), desc(t.id))
    .limit(page.limit);
}

/** The position of one of this directory's entries; a pruned or foreign entry is a clear error. */
async function entryOf(ctx: OrgContext, directoryId: DirectoryId, rawId: string): Promise<{ id: string; createdAt: Date }> {
  const id = parseScimResourceId(rawId);
  const t = schema.scimRequestLog;
  const [row] =
    id === undefined
      ? []
      : await ctx.db
          .select({ id: t.id, createdAt: t.createdAt })
          .from(t)
          .where(and(eq(t.organizationId, ctx.organization.id), eq(t.directoryId, directoryId), eq(t.id, id)));
  if (!row) {
    throw new DomainError('invalid_input', `before names no entry of this directory's request log (was it pruned?): "${rawId}"`, {
      details: { field: 'before' },
    });
  }
  return row;
}

/** Deletes entries older than `olderThan` in bounded batches; returns how many were deleted. */
export async function pruneRequests(db: Database, olderThan: Date): Promise<number> {
  const t = schema.scimRequestLog;
  let total = 0;
  for (;;) {
    const batch = db.select({ id: t.id }).from(t).where(lt(t.createdAt, olderThan)).limit(PRUNE_BATCH);
    const deleted = await db.delete(t).where(inArray(t.id, batch)).returning({ id: t.id });
    total += deleted.length;
    if (deleted.length < PRUNE_BATCH) return total;
  }
}

/**
 * The organization a directory belongs to, for operators who name only the directory. The
 * directory id is globally unique, so this is unambiguous; it is an operator-only door.
 */
export async function organizationOfDirectory(ctx: Context, rawDirectoryId: string): Promise<OrganizationRef> {
  const id = parseDirectoryId(rawDirectoryId);
  const notFound = () => new DomainError('not_found', `no directory "${rawDirectoryId}"`);
  if (id === undefined) throw notFound();
  const [row] = await ctx.db
    .select({ id: schema.organizations.id, slug: schema.organizations.slug })
    .from(schema.directories)
    .innerJoin(schema.organizations, eq(schema.organizations.id, schema.directories.organizationId))
    .where(eq(schema.directories.id, id))
    .limit(1);
  if (!row) throw notFound();
  return { id: row.id as OrganizationId, slug: row.slug };
}

// Drizzle wraps driver errors and keeps the original as `cause`.
function pgErrorCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current && typeof current === 'object'; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}
