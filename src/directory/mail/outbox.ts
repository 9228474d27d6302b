/**
 * Emails are written to the outbox in the transaction that decides to send them: an invitation is
 * never committed without its email, nor an email sent for a rolled-back one. The delivery job
 * (src/jobs) sends them afterwards. Bodies carry live links and codes, so they are sealed.
 */
import { and, eq, isNull, sql } from 'drizzle-orm';
import { schema, type Database } from '../../db/index.ts';
import { newId, type OrganizationId } from '../../ids.ts';
import { sealContext, type SecretBox } from '../../secrets/index.ts';

export interface OutgoingMail {
  organizationId: OrganizationId | null;
  /** What the email is for (`invitation`, `sign_in_code`, …): listed by `roster mail list`. */
  kind: string;
  to: string;
  subject: string;
  text: string;
  html?: string;
}

export interface MailBody {
  text: string;
  html?: string;
}

export const MAIL_OUTBOX_TABLE = 'mail_outbox';

/** The context a body is sealed under: its row. */
export const mailSealContext = (id: string) => sealContext(MAIL_OUTBOX_TABLE, id);

/**
 * Queues emails in one statement whatever their number (the rows travel as one JSON parameter, so
 * ten thousand invitations do not meet the protocol's 65,535-parameter limit); returns their ids
 * in order.
 */
export async function enqueueMails(db: Database, box: SecretBox, mails: readonly OutgoingMail[]): Promise<string[]> {
  if (mails.length === 0) return [];
  const rows = mails.map((mail) => {
    const id = newId();
    const body: MailBody = mail.html === undefined ? { text: mail.text } : { text: mail.text, html: mail.html };
    return {
      id,
      organization_id: mail.organizationId,
      kind: mail.kind,
      to_address: mail.to,
      subject: mail.subject,
      body_sealed: box.seal(JSON.stringify(body), mailSealContext(id)),
    };
  });
  await db.execute(sql`
    insert into mail_outbox (id, organization_id, kind, to_address, subject, body_sealed)
    select r.id, r.organization_id, r.kind, r.to_address, r.subject, r.body_sealed
    from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb)
      as r(id uuid, organization_id uuid, kind text, to_address text, subject text, body_sealed text)`);
  return rows.map((r) => r.id);
}

export function openMailBody(box: SecretBox, id: string, sealed: string): MailBody {
  return JSON.parse(box.open(sealed, mailSealContext(id))) as MailBody;
}

/**
 * Drops the emails of one kind to one address that have not left yet: an invitation revoked or
 * replaced by a resend must not still arrive with a link that no longer works.
 */
export async function withdrawUnsentMails(db: Database, input: { organizationId: OrganizationId; kind: string; to: string }): Promise<number> {
  const withdrawn = await db
    .delete(schema.mailOutbox)
    .where(
      and(
        eq(schema.mailOutbox.organizationId, input.organizationId),
        eq(schema.mailOutbox.kind, input.kind),
        eq(schema.mailOutbox.toAddress, input.to),
        isNull(schema.mailOutbox.sentAt),
      ),
    )
    .returning({ id: schema.mailOutbox.id });
  return withdrawn.length;
}
