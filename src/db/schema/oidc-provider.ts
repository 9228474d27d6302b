import { sql } from 'drizzle-orm';
import { index, integer, jsonb, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';
import { createdAt } from './columns.ts';

/**
 * The state of Roster's OpenID Provider (oidc-provider's models: sessions, interactions, grants,
 * authorization codes, tokens), one row per object, shared by every instance. `account_id` and
 * `grant_id` are lifted out of the payload so a member's sessions and tokens end in one statement.
 */
export const oidcProviderPayloads = pgTable(
  'oidc_provider_payloads',
  {
    model: text('model').notNull(),
    id: text('id').notNull(),
    payload: jsonb('payload').$type<Record<string, unknown>>().notNull(),
    grantId: text('grant_id'),
    uid: text('uid'),
    userCode: text('user_code'),
    accountId: text('account_id'),
    expiresAt: timestamp('expires_at', { withTimezone: true, mode: 'date' }),
    consumedAt: timestamp('consumed_at', { withTimezone: true, mode: 'date' }),
  },
  (t) => [
    primaryKey({ name: 'oidc_provider_payloads_pkey', columns: [t.model, t.id] }),
    index('oidc_provider_payloads_grant_idx').on(t.grantId),
    index('oidc_provider_payloads_uid_idx').on(t.uid),
    index('oidc_provider_payloads_user_code_idx').on(t.userCode),
    index('oidc_provider_payloads_account_idx').on(t.accountId),
    index('oidc_provider_payloads_expires_idx').on(t.expiresAt),
  ],
);

/** Apps that sign people in through Roster: OAuth clients of its OpenID Provider. */
export const oidcClients = pgTable('oidc_clients', {
  clientId: text('client_id').primaryKey(),
  name: text('name').notNull(),
  redirectUris: jsonb('redirect_uris').$type<string[]>().notNull(),
  postLogoutRedirectUris: jsonb('post_logout_redirect_uris').$type<string[]>().notNull(),
  backchannelLogoutUri: text('backchannel_logout_uri'),
  /**
   * OpenID Connect third-party-initiated login (Core §4): where a sign-in that began at the IdP
   * (SAML IdP-initiated) sends the person, so the app starts an ordinary authorization request.
   */
  initiateLoginUri: text('initiate_login_uri'),
  /** The client secret, sealed with ROSTER_SECRET: oidc-provider compares it in the clear. */
  sealedSecret: text('sealed_secret').notNull(),
  createdAt: createdAt(),
});

/**
 * Keys Roster's OpenID Provider signs with. The newest active key signs; a retired key stays
 * published in JWKS until tokens it signed have expired (`published_until`).
 */
export const oidcSigningKeys = pgTable('oidc_signing_keys', {
  kid: text('kid').primaryKey(),
  alg: text('alg').notNull(),
  publicJwk: jsonb('public_jwk').$type<Record<string, unknown>>().notNull(),
  sealedPrivateJwk: text('sealed_private_jwk').notNull(),
  createdAt: createdAt(),
  retiredAt: timestamp('retired_at', { withTimezone: true, mode: 'date' }),
  publishedUntil: timestamp('published_until', { withTimezone: true, mode: 'date' }),
});

/**
 * One row: a known value sealed with the secret the data was written with, so a server started
 * with another ROSTER_SECRET stops at once instead of failing on the first sign-in.
 */
export const secretCheck = pgTable('secret_check', {
  id: text('id').primaryKey(),
  sealedProbe: text('sealed_probe').notNull(),
  createdAt: createdAt(),
});

/**
 * Back-channel logout tokens owed to apps: written in the same transaction that ends a member's
 * sessions (so a deactivation from the CLI is delivered too), sent by the server with retries.
 */
export const backchannelLogouts = pgTable(
  'backchannel_logouts',
  {
    id: text('id').primaryKey(),
    clientId: text('client_id')
      .notNull()
      .references(() => oidcClients.clientId, { onDelete: 'cascade' }),
    accountId: text('account_id').notNull(),
    createdAt: createdAt(),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    deliveredAt: timestamp('delivered_at', { withTimezone: true, mode: 'date' }),
    lastError: text('last_error'),
  },
  (t) => [index('backchannel_logouts_due_idx').on(t.nextAttemptAt).where(sql`${t.deliveredAt} is null`)],
);
