/**
 * Emails are written to the outbox in the transaction that decides to send them: an invitation is
 * never committed without its email, nor an email sent for a rolled-back one. The delivery job
 * (src/jobs) sends them afterwards. Bodies carry live links and codes, so they are sealed.
 */
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

/** Queues emails in one statement; returns their ids in order. */
export async function enqueueMails(db: Database, box: SecretBox, mails: readonly OutgoingMail[]): Promise<string[]> {
  if (mails.length === 0) return [];
  const rows = mails.map((mail) => {
    const id = newId();
    const body: MailBody = mail.html === undefined ? { text: mail.text } : { text: mail.text, html: mail.html };
    return {
      id,
      organizationId: mail.organizationId,
      kind: mail.kind,
      toAddress: mail.to,
      subject: mail.subject,
      bodySealed: box.seal(JSON.stringify(body), sealContext(MAIL_OUTBOX_TABLE, id)),
    };
  });
  await db.insert(schema.mailOutbox).values(rows);
  return rows.map((r) => r.id);
}

export function openMailBody(box: SecretBox, id: string, sealed: string): MailBody {
  return JSON.parse(box.open(sealed, sealContext(MAIL_OUTBOX_TABLE, id))) as MailBody;
}
