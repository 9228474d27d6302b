/**
 * The outbox as the delivery job and operators see it: due emails claimed for sending (with a
 * lease, so several instances send side by side without sending one twice), marked sent or failed,
 * and listed with their bodies opened for an operator.
 */
import { and, asc, desc, eq, isNull, lt, lte, sql } from 'drizzle-orm';
import { schema, withTransaction, type Database } from '../../db/index.ts';
import { DomainError } from '../../errors.ts';
import type { OrganizationId } from '../../ids.ts';
import { SecretBoxError, type SecretBox } from '../../secrets/index.ts';
import type { Context } from '../context.ts';
import { uuidArray } from '../sql-arrays.ts';
import { openMailBody, type MailBody } from './outbox.ts';

const outbox = schema.mailOutbox;

/** After this many failed attempts an email keeps its last error and is no longer tried. */
export const MAIL_MAX_ATTEMPTS = 8;

/** How an email left: over SMTP, or written to the log when no SMTP server is configured. */
export type MailChannel = 'smtp' | 'log';

export interface DueMail {
  id: string;
  kind: string;
  to: string;
  subject: string;
  bodySealed: string;
  /** Failed attempts so far. */
  attempts: number;
}

/**
 * Claims up to `limit` due emails: unsent, their next attempt reached, not given up. Their next
 * attempt moves `leaseMs` ahead in the same statement's transaction, so an instance that dies while
 * sending leaves them to be tried again after the lease, and other instances skip them meanwhile.
 */
export async function claimDueMails(db: Database, options: { now: Date; limit: number; leaseMs: number }): Promise<DueMail[]> {
  return withTransaction(db, async (tx) => {
    const rows = await tx
      .select({ id: outbox.id, kind: outbox.kind, to: outbox.toAddress, subject: outbox.subject, bodySealed: outbox.bodySealed, attempts: outbox.attempts })
      .from(outbox)
      .where(and(isNull(outbox.sentAt), lte(outbox.nextAttemptAt, options.now), lt(outbox.attempts, MAIL_MAX_ATTEMPTS)))
      .orderBy(asc(outbox.nextAttemptAt))
      .limit(options.limit)
      .for('update', { skipLocked: true });
    if (rows.length > 0) {
      await tx
        .update(outbox)
        .set({ nextAttemptAt: new Date(options.now.getTime() + options.leaseMs) })
        .where(sql`${outbox.id} = any(${uuidArray(rows.map((r) => r.id))})`);
    }
    return rows;
  });
}

export async function markMailsSent(db: Database, ids: readonly string[], via: MailChannel, at: Date): Promise<void> {
  if (ids.length === 0) return;
  await db
    .update(outbox)
    .set({ sentAt: at, sentVia: via, lastError: null })
    .where(and(sql`${outbox.id} = any(${uuidArray(ids)})`, isNull(outbox.sentAt)));
}

/** Counts a failed attempt; the email is tried again at `nextAttemptAt` while attempts remain. */
export async function markMailFailed(db: Database, id: string, failure: { attempts: number; error: string; nextAttemptAt: Date }): Promise<void> {
  await db
    .update(outbox)
    .set({ attempts: failure.attempts, lastError: failure.error.slice(0, 500), nextAttemptAt: failure.nextAttemptAt })
    .where(eq(outbox.id, id));
}

export interface OutboxEntry {
  id: string;
  to: string;
  kind: string;
  subject: string;
  text: string;
  createdAt: Date;
  sentAt: Date | null;
  sentVia: string | null;
}

export const MAX_OUTBOX_PAGE = 500;

/**
 * The newest emails, of one organization or all, with their text opened: for an operator reading
 * what Roster sent (or would have sent) without an SMTP server. Bodies hold live links, so only
 * operators (API keys, the CLI) may read them, never a member.
 */
export async function listOutbox(ctx: Context, box: SecretBox, options: { organizationId?: OrganizationId; limit: number }): Promise<OutboxEntry[]> {
  if (ctx.actor.type !== 'operator' && ctx.actor.type !== 'api_key' && ctx.actor.type !== 'system') {
    throw new DomainError('forbidden', 'only an operator may read the outbox: its emails hold live invitation links');
  }
  if (!Number.isInteger(options.limit) || options.limit < 1 || options.limit > MAX_OUTBOX_PAGE) {
    throw new DomainError('invalid_input', `limit must be a whole number from 1 to ${MAX_OUTBOX_PAGE}`, { details: { field: 'limit' } });
  }
  const rows = await ctx.db
    .select()
    .from(outbox)
    .where(options.organizationId === undefined ? undefined : eq(outbox.organizationId, options.organizationId))
    .orderBy(desc(outbox.createdAt), desc(outbox.id))
    .limit(options.limit);
  return rows.map((row) => ({
    id: row.id,
    to: row.toAddress,
    kind: row.kind,
    subject: row.subject,
    text: openedText(box, row.id, row.bodySealed),
    createdAt: row.createdAt,
    sentAt: row.sentAt,
    sentVia: row.sentVia,
  }));
}

// One email sealed under a secret this process does not hold must not hide the others.
function openedText(box: SecretBox, id: string, sealed: string): string {
  let body: MailBody;
  try {
    body = openMailBody(box, id, sealed);
  } catch (error) {
    if (error instanceof SecretBoxError) return `[the body does not open with this ROSTER_SECRET: ${error.message}]`;
    throw error;
  }
  return body.text;
}
