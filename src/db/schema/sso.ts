import { sql } from 'drizzle-orm';
import { check, foreignKey, index, jsonb, pgTable, primaryKey, text, timestamp, unique, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { createdAt, updatedAt } from './columns.ts';
import { organizations } from './organizations.ts';

export const SSO_CONNECTION_TYPES = ['saml', 'oidc'] as const;
export type SsoConnectionType = (typeof SSO_CONNECTION_TYPES)[number];

/**
 * An organization's sign-in connection to its identity provider. `settings` holds what is public
 * (IdP entity ID, certificates, endpoints pinned at discovery); `sealedSecret` the one secret of the
 * connection (the SP private key, or the OIDC client secret), encrypted with ROSTER_SECRET.
 */
export const ssoConnections = pgTable(
  'sso_connections',
  {
    id: uuid('id').primaryKey(),
    organizationId: uuid('organization_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    type: text('type').$type<SsoConnectionType>().notNull(),
    name: text('name').notNull(),
    preset: text('preset'),
    settings: jsonb('settings').$type<Record<string, unknown>>().notNull(),
    mapping: jsonb('mapping').$type<Record<string, unknown>>().notNull(),
    sealedSecret: text('sealed_secret').notNull(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    unique('sso_connections_organization_id_id_key').on(t.organizationId, t.id),
    index('sso_connections_organization_idx').on(t.organizationId),
    check('sso_connections_type_check', sql`${t.type} in ('saml', 'oidc')`),
  ],
);

/**
 * Email domains an organization owns, for home-realm discovery. A domain can be verified for one
 * organization only: otherwise a `login_hint` could be routed to either.
 */
export const organizationDomains = pgTable(
  'organization_domains',
  {
    id: uuid('id').primaryKey(),
    organizationId: uuid('organization_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    domain: text('domain').notNull(),
    verifiedAt: timestamp('verified_at', { withTimezone: true, mode: 'date' }),
    createdAt: createdAt(),
  },
  (t) => [
    unique('organization_domains_organization_domain_key').on(t.organizationId, t.domain),
    uniqueIndex('organization_domains_verified_domain_key').on(t.domain).where(sql`${t.verifiedAt} is not null`),
  ],
);

/**
 * One browser's sign-in through an upstream IdP, from the redirect to the IdP until the app's
 * interaction resumes. Its id is the opaque RelayState / OIDC state; it is single-use, bound to a
 * cookie whose hash is kept here, and expires within minutes.
 */
export const ssoFlows = pgTable(
  'sso_flows',
  {
    id: text('id').primaryKey(),
    organizationId: uuid('organization_id').notNull(),
    connectionId: uuid('connection_id').notNull(),
    /** Who waits for the result: an app's authorization request, or Roster's own console. */
    purpose: text('purpose').$type<'app' | 'console'>().notNull().default('app'),
    /** The OpenID Provider interaction this sign-in completes ('' for the console). */
    interactionUid: text('interaction_uid').notNull(),
    browserHash: text('browser_hash').notNull(),
    /** SAML: the AuthnRequest ID a response must answer (InResponseTo). */
    samlRequestId: text('saml_request_id'),
    /** OIDC: nonce and PKCE verifier, sealed with ROSTER_SECRET. */
    sealedOidcSecrets: text('sealed_oidc_secrets'),
    createdAt: createdAt(),
    expiresAt: timestamp('expires_at', { withTimezone: true, mode: 'date' }).notNull(),
    /** Set when the IdP's answer was accepted (or refused): a flow is answered once. */
    answeredAt: timestamp('answered_at', { withTimezone: true, mode: 'date' }),
    /** The member the sign-in resolved to, until the interaction consumes it. */
    memberId: uuid('member_id'),
    signInId: uuid('sign_in_id'),
    amr: text('amr'),
    consumedAt: timestamp('consumed_at', { withTimezone: true, mode: 'date' }),
  },
  (t) => [
    foreignKey({
      name: 'sso_flows_connection_fkey',
      columns: [t.organizationId, t.connectionId],
      foreignColumns: [ssoConnections.organizationId, ssoConnections.id],
    }).onDelete('cascade'),
    index('sso_flows_expires_idx').on(t.expiresAt),
    index('sso_flows_connection_idx').on(t.connectionId),
    check('sso_flows_purpose_check', sql`${t.purpose} in ('app', 'console')`),
  ],
);

/** SAML assertion IDs already accepted, kept until they expire, so a replay is refused by every instance. */
export const samlAssertionReplays = pgTable(
  'saml_assertion_replays',
  {
    connectionId: uuid('connection_id')
      .notNull()
      .references(() => ssoConnections.id, { onDelete: 'cascade' }),
    assertionId: text('assertion_id').notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true, mode: 'date' }).notNull(),
  },
  (t) => [primaryKey({ name: 'saml_assertion_replays_pkey', columns: [t.connectionId, t.assertionId] }), index('saml_assertion_replays_expires_idx').on(t.expiresAt)],
);

export const SIGN_IN_OUTCOMES = ['succeeded', 'failed'] as const;
export type SignInOutcome = (typeof SIGN_IN_OUTCOMES)[number];

/**
 * Every sign-in attempt, failed or not. The id is the reference shown to the person on a failure
 * page; the reason (never shown to them) is here.
 */
export const signIns = pgTable(
  'sign_ins',
  {
    id: uuid('id').primaryKey(),
    organizationId: uuid('organization_id').references(() => organizations.id, { onDelete: 'cascade' }),
    connectionId: uuid('connection_id'),
    memberId: uuid('member_id'),
    idpSubject: text('idp_subject'),
    email: text('email'),
    ip: text('ip'),
    userAgent: text('user_agent'),
    outcome: text('outcome').$type<SignInOutcome>().notNull(),
    reason: text('reason'),
    detail: text('detail'),
    occurredAt: timestamp('occurred_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [
    index('sign_ins_organization_time_idx').on(t.organizationId, t.occurredAt.desc()),
    index('sign_ins_member_time_idx').on(t.memberId, t.occurredAt.desc()),
    check('sign_ins_outcome_check', sql`${t.outcome} in ('succeeded', 'failed')`),
  ],
);
