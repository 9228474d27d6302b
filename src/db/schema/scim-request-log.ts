import { sql } from 'drizzle-orm';
import { foreignKey, index, integer, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { directories } from './directories.ts';

/**
 * What each authenticated SCIM request asked and how it ended, kept for a retention period so an
 * operator can see what an identity provider sent and why it failed. Rows are written in batches
 * after the response, so `created_at` is the time the request arrived (set by the writer), not the
 * time of the insert.
 */
export const scimRequestLog = pgTable(
  'scim_request_log',
  {
    id: uuid('id').primaryKey(),
    organizationId: uuid('organization_id').notNull(),
    directoryId: uuid('directory_id').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    method: text('method').notNull(),
    /** Relative to the directory's SCIM base URL, without the query string. */
    path: text('path').notNull(),
    filter: text('filter'),
    status: integer('status').notNull(),
    scimType: text('scim_type'),
    durationMs: integer('duration_ms').notNull(),
    resourceType: text('resource_type'),
    resourceId: text('resource_id'),
    /** The JSON body with every password removed, or a marker when it was too long or not JSON. */
    requestBody: jsonb('request_body'),
    userAgent: text('user_agent'),
    requestId: text('request_id').notNull(),
  },
  (t) => [
    foreignKey({
      name: 'scim_request_log_directory_fkey',
      columns: [t.organizationId, t.directoryId],
      foreignColumns: [directories.organizationId, directories.id],
    }).onDelete('cascade'),
    // Ascending, read backwards for the newest first. A descending index serves only
    // `desc nulls last`, not the `desc` (nulls first) the listing sorts by, so the listing read the
    // whole log and sorted it; and new entries, the highest times, landed at its left edge, where
    // each full page splits in half: twice the size of this one.
    index('scim_request_log_directory_idx').on(t.directoryId, t.createdAt, t.id),
    // Failures are what operators look for, and a healthy directory has few among many successes.
    index('scim_request_log_directory_failed_idx')
      .on(t.directoryId, t.createdAt, t.id)
      .where(sql`${t.status} >= 400`),
    // Retention deletes by age across all directories.
    index('scim_request_log_created_idx').on(t.createdAt),
  ],
);
