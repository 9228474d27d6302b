import { sql } from 'drizzle-orm';
import { boolean, check, jsonb, pgTable, text, unique, uuid } from 'drizzle-orm/pg-core';
import { createdAt, updatedAt } from './columns.ts';
import { organizations } from './organizations.ts';

/**
 * An organization's roles. The four built-in ones (owner, admin, member, viewer) are rows too,
 * made for every organization by a trigger (migration 0016), so a member's role is always a
 * foreign key; their permissions are defined in code, custom roles' in `permissions`.
 */
export const roles = pgTable(
  'roles',
  {
    id: uuid('id').primaryKey(),
    organizationId: uuid('organization_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    /** What members, tokens and the API call it: lowercase, stable. */
    key: text('key').notNull(),
    name: text('name').notNull(),
    description: text('description'),
    /** Permission keys of a custom role (Roster's own and the app's registered ones). */
    permissions: jsonb('permissions').$type<string[]>().notNull().default(sql`'[]'::jsonb`),
    builtin: boolean('builtin').notNull().default(false),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [unique('roles_organization_key_key').on(t.organizationId, t.key)],
);

/**
 * Permissions the app registers (e.g. `tickets.delete`), one catalogue for every organization:
 * custom roles are made from these and Roster's own permissions.
 */
export const appPermissions = pgTable(
  'app_permissions',
  {
    key: text('key').primaryKey(),
    description: text('description'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [check('app_permissions_key_check', sql`${t.key} ~ '^[a-z][a-z0-9_-]*([.:][a-z0-9_-]+)*$'`)],
);

/** Teams: named groups of members inside an organization; a member may be in several. */
export const teams = pgTable(
  'teams',
  {
    id: uuid('id').primaryKey(),
    organizationId: uuid('organization_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    /** The name as uniqueness compares it: trimmed and lower-cased. */
    nameKey: text('name_key').notNull(),
    description: text('description'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [unique('teams_organization_id_id_key').on(t.organizationId, t.id), unique('teams_organization_name_key').on(t.organizationId, t.nameKey)],
);
