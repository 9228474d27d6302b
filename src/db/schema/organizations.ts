import { sql } from 'drizzle-orm';
import { check, integer, pgTable, text, uuid, uniqueIndex } from 'drizzle-orm/pg-core';
import { createdAt, updatedAt } from './columns.ts';

/** A customer organization: the unit of tenancy. Every other row belongs to exactly one. */
export const organizations = pgTable(
  'organizations',
  {
    id: uuid('id').primaryKey(),
    slug: text('slug').notNull(),
    name: text('name').notNull(),
    /** How many active and invited members it may have; null is unlimited. */
    seatLimit: integer('seat_limit'),
    /** How long an invitation link stays valid. */
    invitationTtlHours: integer('invitation_ttl_hours').notNull().default(168),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('organizations_slug_key').on(t.slug),
    check('organizations_seat_limit_check', sql`${t.seatLimit} is null or ${t.seatLimit} >= 0`),
    check('organizations_invitation_ttl_check', sql`${t.invitationTtlHours} between 1 and 8760`),
  ],
);
