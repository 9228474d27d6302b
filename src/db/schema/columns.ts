import { timestamp } from 'drizzle-orm/pg-core';

/** Timestamps are always with time zone and set by the database, so every instance agrees. */
export const createdAt = () => timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow();
export const updatedAt = () => timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow();
