import { sql } from 'drizzle-orm';
import { boolean, check, foreignKey, index, jsonb, pgTable, text, timestamp, unique, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { createdAt, updatedAt } from './columns.ts';
import { organizations } from './organizations.ts';
import { ssoConnections } from './sso.ts';

export const MEMBER_STATUSES = ['active', 'deactivated'] as const;
export type MemberStatus = (typeof MEMBER_STATUSES)[number];
export const MEMBER_SOURCES = ['jit'] as const;
export type MemberSource = (typeof MEMBER_SOURCES)[number];

/**
 * A person in one organization, as the app sees them: the id is the `sub` of the ID tokens Roster
 * issues. Email is unique per organization, compared case-insensitively through `email_key`.
 */
export const members = pgTable(
  'members',
  {
    id: uuid('id').primaryKey(),
    organizationId: uuid('organization_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    email: text('email').notNull(),
    emailKey: text('email_key').notNull(),
    /** Whether the IdP vouched for the address at the last sign-in (e.g. OIDC email_verified). */
    emailVerified: boolean('email_verified').notNull().default(false),
    givenName: text('given_name'),
    familyName: text('family_name'),
    displayName: text('display_name'),
    status: text('status').$type<MemberStatus>().notNull().default('active'),
    role: text('role').notNull().default('member'),
    source: text('source').$type<MemberSource>().notNull(),
    lastSignInAt: timestamp('last_sign_in_at', { withTimezone: true, mode: 'date' }),
    deactivatedAt: timestamp('deactivated_at', { withTimezone: true, mode: 'date' }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    unique('members_organization_id_id_key').on(t.organizationId, t.id),
    uniqueIndex('members_organization_email_key').on(t.organizationId, t.emailKey),
    check('members_status_check', sql`${t.status} in ('active', 'deactivated')`),
  ],
);

/**
 * An IdP account linked to a member: (connection, immutable subject). A sign-in with a new subject
 * is a new identity, never silently linked to a member by email.
 */
export const memberIdentities = pgTable(
  'member_identities',
  {
    id: uuid('id').primaryKey(),
    organizationId: uuid('organization_id').notNull(),
    memberId: uuid('member_id').notNull(),
    connectionId: uuid('connection_id').notNull(),
    subject: text('subject').notNull(),
    /** Groups the IdP sent at the last sign-in; they go into the ID token. */
    groups: jsonb('groups').$type<string[]>().notNull().default(sql`'[]'::jsonb`),
    rawAttributes: jsonb('raw_attributes').$type<Record<string, string[]>>().notNull().default(sql`'{}'::jsonb`),
    createdAt: createdAt(),
    lastSignInAt: timestamp('last_sign_in_at', { withTimezone: true, mode: 'date' }),
  },
  (t) => [
    foreignKey({
      name: 'member_identities_member_fkey',
      columns: [t.organizationId, t.memberId],
      foreignColumns: [members.organizationId, members.id],
    }).onDelete('cascade'),
    foreignKey({
      name: 'member_identities_connection_fkey',
      columns: [t.organizationId, t.connectionId],
      foreignColumns: [ssoConnections.organizationId, ssoConnections.id],
    }).onDelete('cascade'),
    unique('member_identities_connection_subject_key').on(t.connectionId, t.subject),
    index('member_identities_member_idx').on(t.memberId),
  ],
);

/**
 * Browser sessions of Roster's own pages (the admin console): the cookie holds a random id, only
 * its SHA-256 hash is stored, and deleting the row ends the session on every instance at once.
 */
export const consoleSessions = pgTable(
  'console_sessions',
  {
    idHash: text('id_hash').primaryKey(),
    organizationId: uuid('organization_id').notNull(),
    memberId: uuid('member_id').notNull(),
    createdAt: createdAt(),
    expiresAt: timestamp('expires_at', { withTimezone: true, mode: 'date' }).notNull(),
  },
  (t) => [
    foreignKey({
      name: 'console_sessions_member_fkey',
      columns: [t.organizationId, t.memberId],
      foreignColumns: [members.organizationId, members.id],
    }).onDelete('cascade'),
    index('console_sessions_member_idx').on(t.memberId),
    index('console_sessions_expires_idx').on(t.expiresAt),
  ],
);
