import { sql } from 'drizzle-orm';
import { bigint, boolean, check, foreignKey, index, integer, jsonb, pgTable, primaryKey, text, unique, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { createdAt, updatedAt } from './columns.ts';
import { directories } from './directories.ts';

/**
 * What an identity provider pushed over SCIM, stored faithfully. `document` is the canonical SCIM
 * representation (without id, meta, password and computed or relational attributes); the columns
 * beside it are the attributes IdPs filter on at every sync, kept so those lookups use an index.
 */
export const directoryUsers = pgTable(
  'directory_users',
  {
    id: uuid('id').primaryKey(),
    organizationId: uuid('organization_id').notNull(),
    directoryId: uuid('directory_id').notNull(),
    userName: text('user_name').notNull(),
    /**
     * userName as uniqueness and filters compare it: NFC-normalised and case-folded in the
     * application (src/directory/user-names.ts), so composed and decomposed forms are one name.
     */
    userNameKey: text('user_name_key').notNull(),
    externalId: text('external_id'),
    active: boolean('active').notNull().default(true),
    displayName: text('display_name'),
    /** Every emails[].value, lower-cased: `emails.value eq` is answered from its GIN index. */
    emailValues: text('email_values').array().notNull().default(sql`'{}'::text[]`),
    document: jsonb('document').$type<Record<string, unknown>>().notNull(),
    /** Increases on every change; SCIM ETags are derived from it. */
    version: integer('version').notNull().default(1),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    foreignKey({
      name: 'directory_users_directory_fkey',
      columns: [t.organizationId, t.directoryId],
      foreignColumns: [directories.organizationId, directories.id],
    }).onDelete('cascade'),
    unique('directory_users_directory_id_id_key').on(t.directoryId, t.id),
    // userName is unique per directory, compared case-insensitively (RFC 7643: caseExact false).
    uniqueIndex('directory_users_user_name_key').on(t.directoryId, t.userNameKey),
    index('directory_users_external_id_idx').on(t.directoryId, t.externalId),
    index('directory_users_email_values_idx').using('gin', t.emailValues),
  ],
);

export const directoryGroups = pgTable(
  'directory_groups',
  {
    id: uuid('id').primaryKey(),
    organizationId: uuid('organization_id').notNull(),
    directoryId: uuid('directory_id').notNull(),
    displayName: text('display_name').notNull(),
    externalId: text('external_id'),
    document: jsonb('document').$type<Record<string, unknown>>().notNull(),
    version: integer('version').notNull().default(1),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    foreignKey({
      name: 'directory_groups_directory_fkey',
      columns: [t.organizationId, t.directoryId],
      foreignColumns: [directories.organizationId, directories.id],
    }).onDelete('cascade'),
    unique('directory_groups_directory_id_id_key').on(t.directoryId, t.id),
    index('directory_groups_display_name_idx').on(t.directoryId, sql`lower(${t.displayName})`),
    index('directory_groups_external_id_idx').on(t.directoryId, t.externalId),
  ],
);

/**
 * Users in groups. The composite keys name the directory on both sides, so a membership that
 * crosses directories cannot be stored at all.
 */
export const directoryGroupMembers = pgTable(
  'directory_group_members',
  {
    directoryId: uuid('directory_id').notNull(),
    groupId: uuid('group_id').notNull(),
    userId: uuid('user_id').notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ name: 'directory_group_members_pkey', columns: [t.directoryId, t.groupId, t.userId] }),
    foreignKey({
      name: 'directory_group_members_group_fkey',
      columns: [t.directoryId, t.groupId],
      foreignColumns: [directoryGroups.directoryId, directoryGroups.id],
    }).onDelete('cascade'),
    foreignKey({
      name: 'directory_group_members_user_fkey',
      columns: [t.directoryId, t.userId],
      foreignColumns: [directoryUsers.directoryId, directoryUsers.id],
    }).onDelete('cascade'),
    index('directory_group_members_user_idx').on(t.directoryId, t.userId),
  ],
);

/** Groups nested in groups (SCIM members of type "Group"). */
export const directoryGroupSubgroups = pgTable(
  'directory_group_subgroups',
  {
    directoryId: uuid('directory_id').notNull(),
    groupId: uuid('group_id').notNull(),
    memberGroupId: uuid('member_group_id').notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ name: 'directory_group_subgroups_pkey', columns: [t.directoryId, t.groupId, t.memberGroupId] }),
    foreignKey({
      name: 'directory_group_subgroups_group_fkey',
      columns: [t.directoryId, t.groupId],
      foreignColumns: [directoryGroups.directoryId, directoryGroups.id],
    }).onDelete('cascade'),
    foreignKey({
      name: 'directory_group_subgroups_member_fkey',
      columns: [t.directoryId, t.memberGroupId],
      foreignColumns: [directoryGroups.directoryId, directoryGroups.id],
    }).onDelete('cascade'),
    index('directory_group_subgroups_member_idx').on(t.directoryId, t.memberGroupId),
    check('directory_group_subgroups_not_self', sql`${t.groupId} <> ${t.memberGroupId}`),
  ],
);

/**
 * Every change a directory received, in order, written in the transaction of the change. The
 * member-management domain reads it to apply provisioning (and learns of deletions this way).
 */
export const directoryEvents = pgTable(
  'directory_events',
  {
    id: uuid('id').primaryKey(),
    organizationId: uuid('organization_id').notNull(),
    directoryId: uuid('directory_id').notNull(),
    type: text('type').notNull(),
    resourceType: text('resource_type').notNull(),
    resourceId: uuid('resource_id').notNull(),
    data: jsonb('data').$type<Record<string, unknown>>().notNull().default(sql`'{}'::jsonb`),
    createdAt: createdAt(),
  },
  (t) => [
    foreignKey({
      name: 'directory_events_directory_fkey',
      columns: [t.organizationId, t.directoryId],
      foreignColumns: [directories.organizationId, directories.id],
    }).onDelete('cascade'),
    index('directory_events_directory_idx').on(t.directoryId, t.id),
  ],
);

/**
 * How many users and groups each directory holds, so that an unfiltered list's exact totalResults
 * is a sum of a few rows, not a count over a million: this table's rows plus the deltas not yet
 * folded into them (directoryResourceCountDeltas).
 */
export const directoryResourceCounts = pgTable(
  'directory_resource_counts',
  {
    directoryId: uuid('directory_id').notNull(),
    resourceType: text('resource_type').notNull(),
    count: integer('count').notNull(),
  },
  (t) => [primaryKey({ name: 'directory_resource_counts_pkey', columns: [t.directoryId, t.resourceType] })],
);

/**
 * Each statement that inserts or deletes users or groups appends its change here (statement-level
 * triggers, migration 0011), whoever makes it: SCIM, a bulk load, a cascade. Appending keeps
 * concurrent writers off any shared row; src/directory/resource-counts.ts folds the deltas into
 * directory_resource_counts. No foreign key: a deleted directory's deltas are dropped when folded.
 */
export const directoryResourceCountDeltas = pgTable(
  'directory_resource_count_deltas',
  {
    directoryId: uuid('directory_id').notNull(),
    resourceType: text('resource_type').notNull(),
    delta: integer('delta').notNull(),
  },
  (t) => [index('directory_resource_count_deltas_idx').on(t.directoryId, t.resourceType)],
);

/**
 * Where a directory's users stand in id order, every so many positions: `user_id` is the user at
 * 1-based `position`. A deep page (`startIndex` in the hundreds of thousands) starts from the
 * nearest mark instead of counting every user before it. Marks are extended by the list path and
 * removed by triggers (migration 0009) as soon as an insert or delete shifts them; see
 * src/directory/user-positions.ts.
 */
export const directoryUserMarks = pgTable(
  'directory_user_marks',
  {
    directoryId: uuid('directory_id')
      .notNull()
      .references(() => directories.id, { onDelete: 'cascade' }),
    position: bigint('position', { mode: 'number' }).notNull(),
    userId: uuid('user_id').notNull(),
  },
  (t) => [
    primaryKey({ name: 'directory_user_marks_pkey', columns: [t.directoryId, t.position] }),
    // What the triggers look for: the marks at or after a changed id.
    index('directory_user_marks_user_idx').on(t.directoryId, t.userId),
  ],
);
