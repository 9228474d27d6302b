/**
 * Sends the outbox's emails (src/directory/mail): over SMTP when SMTP_URL is set, otherwise into
 * the log, once each, where a developer reads them (the rows stay for `roster mail list`). Rows are
 * claimed with a lease, so several instances send side by side without sending one twice; a
 * failed email is tried again later, backing off, until MAIL_MAX_ATTEMPTS.
 */
import nodemailer, { type Transporter } from 'nodemailer';
import type { Database } from '../db/index.ts';
import { claimDueMails, MAIL_MAX_ATTEMPTS, markMailFailed, markMailsSent, openMailBody, type DueMail, type MailBody } from '../directory/index.ts';
import type { Logger } from '../http/index.ts';
import { failureSummary } from '../http/index.ts';
import type { SecretBox } from '../secrets/index.ts';
import { startPeriodicTask, type PeriodicTask } from './periodic-task.ts';

const BATCH = 100;
/** Longer than a batch can take to send (each connection step times out well within it). */
const LEASE_MS = 5 * 60_000;
const BASE_DELAY_MS = 30_000;
const SMTP_TIMEOUTS = { connectionTimeout: 15_000, greetingTimeout: 15_000, socketTimeout: 30_000 } as const;

export interface MailDeliveryOptions {
  db: Database;
  box: SecretBox;
  logger: Logger;
  /** SMTP_URL; absent, emails are written to the log instead. */
  smtpUrl: string | undefined;
  /** MAIL_FROM. */
  from: string;
  /** The time due emails are compared with; absent, the system clock (tests move it). */
  now?: () => Date;
}

export interface MailDeliveryResult {
  /** Sent over SMTP. */
  sent: number;
  /** Written to the log (no SMTP_URL). */
  logged: number;
  /** Failed; tried again later. */
  failed: number;
  /** Failed for the last time: left with their last error. */
  gaveUp: number;
}

/** The delay before attempt `attempts + 1`: 30 s, 1 min, 2 min, … (about an hour in all). */
export function mailBackoffMs(attempts: number): number {
  return BASE_DELAY_MS * 2 ** Math.max(0, attempts - 1);
}

type Transport = Pick<Transporter, 'sendMail' | 'close'>;

/**
 * Sends every email due now, a batch at a time, until none is due (or `shouldStop` says so). One
 * pooled SMTP connection set serves the whole pass and is closed after it.
 */
export async function deliverMail(options: MailDeliveryOptions, shouldStop: () => boolean = () => false): Promise<MailDeliveryResult> {
  const result: MailDeliveryResult = { sent: 0, logged: 0, failed: 0, gaveUp: 0 };
  const now = options.now ?? (() => new Date());
  let transport: Transport | undefined;
  try {
    while (!shouldStop()) {
      const due = await claimDueMails(options.db, { now: now(), limit: BATCH, leaseMs: LEASE_MS });
      if (due.length === 0) break;
      if (options.smtpUrl === undefined) {
        await writeToLog(options, due, now(), result);
      } else {
        transport ??= nodemailer.createTransport({ url: options.smtpUrl, pool: true, maxConnections: 3, ...SMTP_TIMEOUTS });
        await sendOverSmtp(options, transport, due, now, result);
      }
      if (due.length < BATCH) break;
    }
  } finally {
    transport?.close();
  }
  return result;
}

async function writeToLog(options: MailDeliveryOptions, due: readonly DueMail[], at: Date, result: MailDeliveryResult): Promise<void> {
  const written: string[] = [];
  for (const mail of due) {
    const body = openBody(options, mail);
    if (typeof body === 'string') {
      await recordFailure(options, mail, body, at, result);
      continue;
    }
    options.logger.info({ mail: { id: mail.id, kind: mail.kind, to: mail.to, subject: mail.subject, text: body.text } }, 'email not sent (SMTP_URL is not set): written to the log');
    written.push(mail.id);
  }
  await markMailsSent(options.db, written, 'log', at);
  result.logged += written.length;
}

async function sendOverSmtp(options: MailDeliveryOptions, transport: Transport, due: readonly DueMail[], now: () => Date, result: MailDeliveryResult): Promise<void> {
  // The pool sends a few at a time; the batch waits for all of them.
  const outcomes = await Promise.all(
    due.map(async (mail) => {
      const body = openBody(options, mail);
      if (typeof body === 'string') return { mail, problem: body };
      try {
        await transport.sendMail({
          from: options.from,
          to: mail.to,
          subject: mail.subject,
          text: body.text,
          ...(body.html === undefined ? {} : { html: body.html }),
          headers: { 'Auto-Submitted': 'auto-generated' },
        });
        return { mail, problem: undefined };
      } catch (error) {
        return { mail, problem: describe(error) };
      }
    }),
  );
  const at = now();
  const sent = outcomes.filter((o) => o.problem === undefined).map((o) => o.mail.id);
  await markMailsSent(options.db, sent, 'smtp', at);
  result.sent += sent.length;
  for (const { mail, problem } of outcomes) if (problem !== undefined) await recordFailure(options, mail, problem, at, result);
}

async function recordFailure(options: MailDeliveryOptions, mail: DueMail, problem: string, at: Date, result: MailDeliveryResult): Promise<void> {
  const attempts = mail.attempts + 1;
  await markMailFailed(options.db, mail.id, { attempts, error: problem, nextAttemptAt: new Date(at.getTime() + mailBackoffMs(attempts)) });
  if (attempts >= MAIL_MAX_ATTEMPTS) {
    result.gaveUp++;
    options.logger.warn({ mail: { id: mail.id, kind: mail.kind, to: mail.to }, attempts, error: problem }, `email given up after ${attempts} attempts`);
  } else {
    result.failed++;
    options.logger.warn({ mail: { id: mail.id, kind: mail.kind, to: mail.to }, attempts, error: problem }, 'email not sent; it will be tried again');
  }
}

/** The opened body, or why it does not open (a body sealed under a secret this server lacks). */
function openBody(options: MailDeliveryOptions, mail: DueMail): MailBody | string {
  try {
    return openMailBody(options.box, mail.id, mail.bodySealed);
  } catch (error) {
    return `the body does not open: ${describe(error)}`;
  }
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as { code?: unknown }).code;
  return `${typeof code === 'string' ? `${code}: ` : ''}${error.message}`.slice(0, 500);
}

/**
 * Delivers due emails every few seconds. `runOnce` sends what is due now (e.g. right after an
 * invitation commits); `stop()` lets the batch in flight finish and starts no other.
 */
export function startMailDelivery(options: MailDeliveryOptions & { intervalMs?: number }): PeriodicTask<MailDeliveryResult | undefined> {
  const { logger } = options;
  let stopping = false;
  if (options.smtpUrl === undefined) logger.info('SMTP_URL is not set: emails are written to the log (and kept for `roster mail list`)');
  const task = startPeriodicTask(
    async () => {
      try {
        const result = await deliverMail(options, () => stopping);
        if (result.sent + result.failed + result.gaveUp > 0) logger.info({ ...result }, 'emails delivered');
        return result;
      } catch (error) {
        logger.warn({ err: failureSummary(error) }, 'email delivery failed; retrying at the next interval');
        return undefined;
      }
    },
    undefined,
    options.intervalMs ?? 5_000,
  );
  return {
    runOnce: () => task.runOnce(),
    stop: async () => {
      stopping = true;
      await task.stop();
    },
  };
}
