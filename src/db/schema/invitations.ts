import { sql } from 'drizzle-orm';
import { check, foreignKey, index, integer, pgTable, text, timestamp, unique, uuid } from 'drizzle-orm/pg-core';
import { createdAt } from './columns.ts';
import { members } from './members.ts';
import { organizations } from './organizations.ts';

/**
 * The live invitation of an invited member (one at most): the emailed link carries a random token
 * of which only the SHA-256 hash is kept. Resending replaces the hash (the old link dies) and the
 * expiry; accepting or revoking deletes the row, so a link works once.
 */
export const invitations = pgTable(
  'invitations',
  {
    id: uuid('id').primaryKey(),
    organizationId: uuid('organization_id').notNull(),
    memberId: uuid('member_id').notNull(),
    tokenHash: text('token_hash').notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true, mode: 'date' }).notNull(),
    invitedByType: text('invited_by_type').notNull(),
    invitedById: text('invited_by_id').notNull(),
    sentCount: integer('sent_count').notNull().default(1),
    lastSentAt: timestamp('last_sent_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    createdAt: createdAt(),
  },
  (t) => [
    foreignKey({ name: 'invitations_member_fkey', columns: [t.organizationId, t.memberId], foreignColumns: [members.organizationId, members.id] }).onDelete(
      'cascade',
    ),
    unique('invitations_member_key').on(t.memberId),
    unique('invitations_token_hash_key').on(t.tokenHash),
    index('invitations_organization_expires_idx').on(t.organizationId, t.expiresAt),
  ],
);

export const EMAIL_CODE_PURPOSES = ['invitation', 'sign_in'] as const;
export type EmailCodePurpose = (typeof EMAIL_CODE_PURPOSES)[number];

/**
 * One-time sign-in codes sent by email, for organizations whose people do not sign in through an
 * IdP: short-lived, hashed, single-use, with a bounded number of attempts. Rows stay until they
 * expire so that how many were sent lately can be counted (throttling).
 */
export const emailCodes = pgTable(
  'email_codes',
  {
    id: uuid('id').primaryKey(),
    organizationId: uuid('organization_id').notNull(),
    memberId: uuid('member_id').notNull(),
    purpose: text('purpose').$type<EmailCodePurpose>().notNull(),
    codeHash: text('code_hash').notNull(),
    /** Binds the code to the browser that asked for it (hash of a cookie value). */
    browserHash: text('browser_hash').notNull(),
    attempts: integer('attempts').notNull().default(0),
    expiresAt: timestamp('expires_at', { withTimezone: true, mode: 'date' }).notNull(),
    consumedAt: timestamp('consumed_at', { withTimezone: true, mode: 'date' }),
    createdAt: createdAt(),
  },
  (t) => [
    foreignKey({ name: 'email_codes_member_fkey', columns: [t.organizationId, t.memberId], foreignColumns: [members.organizationId, members.id] }).onDelete(
      'cascade',
    ),
    index('email_codes_member_created_idx').on(t.memberId, t.createdAt),
    index('email_codes_expires_idx').on(t.expiresAt),
    check('email_codes_purpose_check', sql`${t.purpose} in ('invitation', 'sign_in')`),
  ],
);

/**
 * Every email Roster sends, written in the transaction that decides to send it (an invitation is
 * never committed without its email, nor an email sent for a rolled-back invitation). A delivery
 * job sends pending rows over SMTP when SMTP_URL is set; otherwise it writes them to the log and
 * they stay here for a developer to read (`roster mail list`). Bodies hold live links and codes,
 * so they are sealed with ROSTER_SECRET.
 */
export const mailOutbox = pgTable(
  'mail_outbox',
  {
    id: uuid('id').primaryKey(),
    organizationId: uuid('organization_id').references(() => organizations.id, { onDelete: 'cascade' }),
    kind: text('kind').notNull(),
    toAddress: text('to_address').notNull(),
    subject: text('subject').notNull(),
    /** The sealed JSON `{ text, html }` of the message. */
    bodySealed: text('body_sealed').notNull(),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    /** When it left: over SMTP, or to the log when no SMTP server is configured. */
    sentAt: timestamp('sent_at', { withTimezone: true, mode: 'date' }),
    sentVia: text('sent_via'),
    lastError: text('last_error'),
    createdAt: createdAt(),
  },
  (t) => [
    index('mail_outbox_pending_idx').on(t.nextAttemptAt).where(sql`${t.sentAt} is null`),
    index('mail_outbox_organization_created_idx').on(t.organizationId, t.createdAt),
  ],
);
