import { sql } from 'drizzle-orm';
import { boolean, check, foreignKey, index, jsonb, pgTable, primaryKey, text, timestamp, unique, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { createdAt, updatedAt } from './columns.ts';
import { organizations } from './organizations.ts';
import { roles, teams } from './roles.ts';
import { ssoConnections } from './sso.ts';

export const MEMBER_STATUSES = ['invited', 'active', 'deactivated'] as const;
export type MemberStatus = (typeof MEMBER_STATUSES)[number];
/** How the member came to be: an invitation, a first SSO sign-in, the SCIM directory, or an admin. */
export const MEMBER_SOURCES = ['invitation', 'jit', 'scim', 'admin'] as const;
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
    avatarUrl: text('avatar_url'),
    /** The name as searches compare it: the display name, or given and family name, lower-cased. */
    nameKey: text('name_key').generatedAlwaysAs(
      sql`lower(coalesce(display_name, coalesce(given_name, '') || ' ' || coalesce(family_name, '')))`,
    ),
    /** The family name as searches compare it. */
    familyKey: text('family_key').generatedAlwaysAs(sql`lower(family_name)`),
    status: text('status').$type<MemberStatus>().notNull().default('active'),
    /** The key of one of the organization's roles (built-in or custom). */
    role: text('role').notNull().default('member'),
    source: text('source').$type<MemberSource>().notNull(),
    /** The SCIM user this member is provisioned from, when the directory is its source. */
    directoryUserId: uuid('directory_user_id'),
    lastSignInAt: timestamp('last_sign_in_at', { withTimezone: true, mode: 'date' }),
    /** The last time the member was seen using the app or the console (coarse: updated at most every few minutes). */
    lastSeenAt: timestamp('last_seen_at', { withTimezone: true, mode: 'date' }),
    deactivatedAt: timestamp('deactivated_at', { withTimezone: true, mode: 'date' }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    unique('members_organization_id_id_key').on(t.organizationId, t.id),
    uniqueIndex('members_organization_email_key').on(t.organizationId, t.emailKey),
    foreignKey({
      name: 'members_role_fkey',
      columns: [t.organizationId, t.role],
      foreignColumns: [roles.organizationId, roles.key],
    }),
    // Searching starts of email and names, by organization (text_pattern_ops serves prefix ranges
    // whatever the database's collation). Each also holds (email_key, id), the order of a page, and
    // indexes plain columns (the keys are stored generated columns), so a search reads only these
    // indexes (index-only), never the rows of the members it passes over.
    index('members_organization_email_pattern_idx').using('btree', t.organizationId, sql`${t.emailKey} text_pattern_ops`, t.id),
    index('members_organization_name_pattern_idx').using('btree', t.organizationId, sql`${t.nameKey} text_pattern_ops`, t.emailKey, t.id),
    index('members_organization_family_name_pattern_idx').using('btree', t.organizationId, sql`${t.familyKey} text_pattern_ops`, t.emailKey, t.id),
    index('members_organization_status_idx').on(t.organizationId, t.status),
    index('members_organization_created_idx').on(t.organizationId, t.createdAt, t.id),
    index('members_directory_user_idx').on(t.directoryUserId),
    check('members_status_check', sql`${t.status} in ('invited', 'active', 'deactivated')`),
    check('members_source_check', sql`${t.source} in ('invitation', 'jit', 'scim', 'admin')`),
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

/**
 * One ordered feed of member changes per organization (invited, joined, role or teams changed,
 * deactivated, reactivated, removed), beside the SCIM directory's feed. Each row is written in the
 * transaction of the change it describes; ids are time-ordered, so the feed reads in id order.
 * No foreign key to members: a removed member's events stay.
 */
export const memberEvents = pgTable(
  'member_events',
  {
    id: uuid('id').primaryKey(),
    organizationId: uuid('organization_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    type: text('type').notNull(),
    memberId: uuid('member_id').notNull(),
    data: jsonb('data').$type<Record<string, unknown>>().notNull().default(sql`'{}'::jsonb`),
    actorType: text('actor_type').notNull(),
    actorId: text('actor_id').notNull(),
    createdAt: createdAt(),
  },
  (t) => [index('member_events_organization_idx').on(t.organizationId, t.id)],
);

export const TEAM_ROLES = ['member', 'admin'] as const;
export type TeamRole = (typeof TEAM_ROLES)[number];

/**
 * Who is in which team. `role` scopes a role to the team: a team's `admin` manages that team (its
 * members and description) and nothing else, whatever their organization role.
 */
export const teamMembers = pgTable(
  'team_members',
  {
    organizationId: uuid('organization_id').notNull(),
    teamId: uuid('team_id').notNull(),
    memberId: uuid('member_id').notNull(),
    role: text('role').$type<TeamRole>().notNull().default('member'),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ name: 'team_members_pkey', columns: [t.teamId, t.memberId] }),
    foreignKey({ name: 'team_members_team_fkey', columns: [t.organizationId, t.teamId], foreignColumns: [teams.organizationId, teams.id] }).onDelete(
      'cascade',
    ),
    foreignKey({
      name: 'team_members_member_fkey',
      columns: [t.organizationId, t.memberId],
      foreignColumns: [members.organizationId, members.id],
    }).onDelete('cascade'),
    index('team_members_member_idx').on(t.memberId),
    check('team_members_role_check', sql`${t.role} in ('member', 'admin')`),
  ],
);
