import { sql } from 'drizzle-orm';
import { index, jsonb, pgTable, text, uuid } from 'drizzle-orm/pg-core';
import { createdAt } from './columns.ts';

/**
 * Append-only record of every change: a trigger (see the migration) refuses UPDATE. There is no
 * foreign key to organizations on purpose, so history outlives the organization it describes.
 */
export const auditLog = pgTable(
  'audit_log',
  {
    id: uuid('id').primaryKey(),
    organizationId: uuid('organization_id'),
    actorType: text('actor_type').notNull(),
    actorId: text('actor_id').notNull(),
    action: text('action').notNull(),
    targetType: text('target_type').notNull(),
    targetId: text('target_id').notNull(),
    details: jsonb('details').$type<Record<string, unknown>>().notNull().default(sql`'{}'::jsonb`),
    /** The target's changed fields before and after the change (null where there is no before or after). */
    before: jsonb('before').$type<Record<string, unknown>>(),
    after: jsonb('after').$type<Record<string, unknown>>(),
    createdAt: createdAt(),
  },
  // Ascending and read backwards for the newest first, as the request log's (see scim-request-log.ts).
  (t) => [
    index('audit_log_organization_created_idx').on(t.organizationId, t.createdAt, t.id),
    index('audit_log_organization_target_idx').on(t.organizationId, t.targetId, t.createdAt),
    index('audit_log_organization_actor_idx').on(t.organizationId, t.actorId, t.createdAt),
    index('audit_log_organization_action_idx').on(t.organizationId, t.action, t.createdAt),
  ],
);
