import { sql } from 'drizzle-orm';
import { check, foreignKey, index, pgTable, text, timestamp, unique, uuid } from 'drizzle-orm/pg-core';
import { createdAt, updatedAt } from './columns.ts';
import { organizations } from './organizations.ts';

export const DIRECTORY_PROVIDERS = ['okta', 'entra', 'google', 'generic'] as const;
export type DirectoryProvider = (typeof DIRECTORY_PROVIDERS)[number];

/** An organization's SCIM connection to its identity provider. */
export const directories = pgTable(
  'directories',
  {
    id: uuid('id').primaryKey(),
    organizationId: uuid('organization_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    provider: text('provider').$type<DirectoryProvider>().notNull(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    // Target of composite foreign keys: a child row can only name a directory of its own organization.
    unique('directories_organization_id_id_key').on(t.organizationId, t.id),
    check('directories_provider_check', sql`${t.provider} in ('okta', 'entra', 'google', 'generic')`),
  ],
);

/**
 * Bearer tokens an IdP presents on SCIM requests. Only a SHA-256 hash is kept; the prefix lets an
 * operator tell tokens apart. Several live tokens per directory make rotation seamless.
 */
export const scimTokens = pgTable(
  'scim_tokens',
  {
    id: uuid('id').primaryKey(),
    organizationId: uuid('organization_id').notNull(),
    directoryId: uuid('directory_id').notNull(),
    prefix: text('prefix').notNull(),
    tokenHash: text('token_hash').notNull(),
    createdAt: createdAt(),
    lastUsedAt: timestamp('last_used_at', { withTimezone: true, mode: 'date' }),
    revokedAt: timestamp('revoked_at', { withTimezone: true, mode: 'date' }),
  },
  (t) => [
    foreignKey({
      name: 'scim_tokens_directory_fkey',
      columns: [t.organizationId, t.directoryId],
      foreignColumns: [directories.organizationId, directories.id],
    }).onDelete('cascade'),
    unique('scim_tokens_token_hash_key').on(t.tokenHash),
    index('scim_tokens_directory_idx').on(t.directoryId),
  ],
);
