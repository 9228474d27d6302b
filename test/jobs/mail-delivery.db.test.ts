import type { AddressInfo } from 'node:net';
import { eq, inArray } from 'drizzle-orm';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config.ts';
import { schema } from '../../src/db/index.ts';
import { enqueueMails, hashInvitationToken, listOutbox, MAIL_MAX_ATTEMPTS } from '../../src/directory/index.ts';
import { deliverMail, mailBackoffMs, startMailDelivery } from '../../src/jobs/index.ts';
import { SecretBox } from '../../src/secrets/index.ts';
import { call, operatorCaller } from '../support/admin-api.ts';
import { buildTestApp, TEST_PUBLIC_URL, TEST_SECRET } from '../support/app.ts';
import { testDatabaseKind, useTestDatabase } from '../support/database.ts';
import { contextFor, createTestOrganization } from '../support/factories.ts';
import { capturedLogger } from '../support/logger.ts';

const database = useTestDatabase();
const box = SecretBox.fromSecrets(TEST_SECRET);

interface Received {
  from: string;
  to: string[];
  raw: string;
}

/** A real SMTP server on loopback that keeps what it receives and refuses the addresses in `refuse`. */
let smtp: SMTPServer;
let smtpUrl: string;
const received: Received[] = [];
const refuse = new Set<string>();

beforeAll(async () => {
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onRcptTo(address, _session, callback) {
      if (refuse.has(address.address)) return callback(Object.assign(new Error('mailbox unavailable'), { responseCode: 550 }));
      callback();
    },
    onData(stream, session, callback) {
      let raw = '';
      stream.on('data', (chunk: Buffer) => (raw += chunk.toString('utf8')));
      stream.on('end', () => {
        received.push({ from: session.envelope.mailFrom === false ? '' : session.envelope.mailFrom.address, to: session.envelope.rcptTo.map((r) => r.address), raw });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  smtpUrl = `smtp://127.0.0.1:${(smtp.server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise<void>((resolve) => smtp.close(() => resolve()));
});

/** The text of a MIME message as sent (quoted-printable undone). */
const decoded = (raw: string) => raw.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));

async function outboxRows(ids: readonly string[]) {
  return database.handle.db.select().from(schema.mailOutbox).where(inArray(schema.mailOutbox.id, [...ids]));
}

describe(`mail delivery on ${testDatabaseKind}`, () => {
  it('sends an invitation made over the API through SMTP, with a link that opens the invitation', async () => {
    const config = parseConfig({ SMTP_URL: smtpUrl, MAIL_FROM: 'Acme Access <access@acme.test>' });
    const { app } = buildTestApp(database.handle);
    const org = await createTestOrganization(database.handle);
    const operator = await operatorCaller(database.handle);
    const invited = await call<{ data: { id: string }[] }>(app, operator, 'POST', `/organizations/${org.organization.slug}/invitations`, { emails: ['ada@acme.test'], role: 'admin' });
    expect(invited.status).toBe(201);

    const { logger, lines } = capturedLogger();
    const before = received.length;
    const result = await deliverMail({ db: database.handle.db, box, logger, smtpUrl: config.smtpUrl, from: config.mailFrom });
    expect(result).toEqual({ sent: 1, logged: 0, failed: 0, gaveUp: 0 });
    const [message, ...more] = received.slice(before);
    expect(more).toEqual([]);
    expect(message!.from).toBe('access@acme.test');
    expect(message!.to).toEqual(['ada@acme.test']);
    const text = decoded(message!.raw);
    expect(text).toContain('From: Acme Access <access@acme.test>');
    expect(text).toContain(`Subject: You are invited to join Org ${org.organization.slug}`);
    expect(text).toContain('Auto-Submitted: auto-generated');
    expect(text).toMatch(/Content-Type: text\/html/);
    const token = new RegExp(`${TEST_PUBLIC_URL}/invitations/([A-Za-z0-9_-]{43})`).exec(text)?.[1];
    expect(token).toBeDefined();
    const [invitation] = await database.handle.db.select().from(schema.invitations).where(eq(schema.invitations.tokenHash, hashInvitationToken(token!)));
    expect(invitation?.memberId).toBe(invited.body.data[0]!.id);

    const [row] = await database.handle.db.select().from(schema.mailOutbox).where(eq(schema.mailOutbox.organizationId, org.organization.id));
    expect(row).toMatchObject({ sentVia: 'smtp', attempts: 0, lastError: null });
    expect(row!.sentAt).toBeInstanceOf(Date);
    // Sent means sent: nothing is sent twice, and nothing about it went to the log.
    expect(await deliverMail({ db: database.handle.db, box, logger, smtpUrl: config.smtpUrl, from: config.mailFrom })).toEqual({ sent: 0, logged: 0, failed: 0, gaveUp: 0 });
    expect(received.length).toBe(before + 1);
    expect(lines.join('\n')).not.toContain(token!);
  });

  it('without SMTP_URL writes each email to the log once and keeps it in the outbox', async () => {
    const org = await createTestOrganization(database.handle);
    const ids = await enqueueMails(database.handle.db, box, [
      { organizationId: org.organization.id, kind: 'invitation', to: 'dev@acme.test', subject: 'Join Acme', text: 'Accept the invitation: https://roster.test/invitations/abc\n', html: '<p>x</p>' },
    ]);
    const { logger, lines } = capturedLogger();
    const options = { db: database.handle.db, box, logger, smtpUrl: undefined, from: 'Roster <roster@localhost>' };
    expect(await deliverMail(options)).toEqual({ sent: 0, logged: 1, failed: 0, gaveUp: 0 });
    expect(await deliverMail(options)).toEqual({ sent: 0, logged: 0, failed: 0, gaveUp: 0 });
    const logged = lines.map((l) => JSON.parse(l) as { msg: string; mail?: Record<string, string> }).filter((l) => l.mail);
    expect(logged).toEqual([
      expect.objectContaining({
        msg: 'email not sent (SMTP_URL is not set): written to the log',
        mail: { id: ids[0], kind: 'invitation', to: 'dev@acme.test', subject: 'Join Acme', text: 'Accept the invitation: https://roster.test/invitations/abc\n' },
      }),
    ]);
    const [row] = await outboxRows(ids);
    expect(row).toMatchObject({ sentVia: 'log' });
    // Still there for an operator to read, with its text opened.
    const listed = await listOutbox(contextFor(database.handle), box, { organizationId: org.organization.id, limit: 5 });
    expect(listed).toEqual([
      { id: ids[0], to: 'dev@acme.test', kind: 'invitation', subject: 'Join Acme', text: 'Accept the invitation: https://roster.test/invitations/abc\n', createdAt: expect.any(Date), sentAt: row!.sentAt, sentVia: 'log' },
    ]);
  });

  it('tries a refused email again later, backing off, and gives up after the last attempt', async () => {
    const org = await createTestOrganization(database.handle);
    refuse.add('bounce@acme.test');
    const ids = await enqueueMails(database.handle.db, box, [
      { organizationId: org.organization.id, kind: 'invitation', to: 'bounce@acme.test', subject: 'Hello', text: 'hi' },
      { organizationId: org.organization.id, kind: 'invitation', to: 'fine@acme.test', subject: 'Hello', text: 'hi' },
    ]);
    const { logger, lines } = capturedLogger();
    let now = new Date(Date.now() + 1000);
    const options = { db: database.handle.db, box, logger, smtpUrl, from: 'Roster <roster@localhost>', now: () => now };
    expect(await deliverMail(options)).toEqual({ sent: 1, logged: 0, failed: 1, gaveUp: 0 });
    const [bounce] = await outboxRows([ids[0]!]);
    expect(bounce).toMatchObject({ attempts: 1, sentAt: null, nextAttemptAt: new Date(now.getTime() + mailBackoffMs(1)) });
    expect(bounce!.lastError).toMatch(/mailbox unavailable/);
    expect(lines.some((l) => l.includes('email not sent; it will be tried again'))).toBe(true);

    // Not before its time; then each failure doubles the wait, until the last attempt.
    expect(await deliverMail(options)).toEqual({ sent: 0, logged: 0, failed: 0, gaveUp: 0 });
    for (let attempt = 2; attempt <= MAIL_MAX_ATTEMPTS; attempt++) {
      now = new Date(now.getTime() + mailBackoffMs(attempt - 1));
      expect(await deliverMail(options)).toEqual({ sent: 0, logged: 0, failed: attempt < MAIL_MAX_ATTEMPTS ? 1 : 0, gaveUp: attempt < MAIL_MAX_ATTEMPTS ? 0 : 1 });
    }
    expect(lines.some((l) => l.includes(`email given up after ${MAIL_MAX_ATTEMPTS} attempts`))).toBe(true);
    now = new Date(now.getTime() + 365 * 24 * 3600_000);
    refuse.delete('bounce@acme.test');
    expect(await deliverMail(options)).toEqual({ sent: 0, logged: 0, failed: 0, gaveUp: 0 });
    const [given] = await outboxRows([ids[0]!]);
    expect(given).toMatchObject({ attempts: MAIL_MAX_ATTEMPTS, sentAt: null });
  });

  it('records a failure when the SMTP server cannot be reached, and sends once it can', async () => {
    const org = await createTestOrganization(database.handle);
    const ids = await enqueueMails(database.handle.db, box, [{ organizationId: org.organization.id, kind: 'invitation', to: 'later@acme.test', subject: 'Later', text: 'hi' }]);
    const { logger } = capturedLogger();
    let now = new Date(Date.now() + 1000);
    // A port nothing listens on: the connection is refused at once.
    const closed = new SMTPServer({ logger: false });
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const deadUrl = `smtp://127.0.0.1:${(closed.server.address() as AddressInfo).port}`;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    expect(await deliverMail({ db: database.handle.db, box, logger, smtpUrl: deadUrl, from: 'Roster <roster@localhost>', now: () => now })).toEqual({ sent: 0, logged: 0, failed: 1, gaveUp: 0 });
    const [row] = await outboxRows(ids);
    expect(row!.lastError).toMatch(/ECONNECTION|ECONNREFUSED/);
    now = new Date(now.getTime() + mailBackoffMs(1));
    expect(await deliverMail({ db: database.handle.db, box, logger, smtpUrl, from: 'Roster <roster@localhost>', now: () => now })).toEqual({ sent: 1, logged: 0, failed: 0, gaveUp: 0 });
    expect((await outboxRows(ids))[0]).toMatchObject({ sentVia: 'smtp', lastError: null, attempts: 1 });
  });

  it('sends each email once when several instances deliver at the same time', async () => {
    const org = await createTestOrganization(database.handle);
    const mails = Array.from({ length: 40 }, (_, i) => ({ organizationId: org.organization.id, kind: 'invitation', to: `many${i}@acme.test`, subject: `Mail ${i}`, text: 'hi' }));
    const ids = await enqueueMails(database.handle.db, box, mails);
    const before = received.length;
    const { logger } = capturedLogger();
    const options = { db: database.handle.db, box, logger, smtpUrl, from: 'Roster <roster@localhost>' };
    const results = await Promise.all([deliverMail(options), deliverMail(options), deliverMail(options)]);
    expect(results.reduce((n, r) => n + r.sent, 0)).toBe(40);
    const addresses = received.slice(before).flatMap((m) => m.to);
    expect(addresses.sort()).toEqual(mails.map((m) => m.to).sort());
    expect((await outboxRows(ids)).every((r) => r.sentVia === 'smtp')).toBe(true);
  });

  it('runs on a timer in the server, says once where emails go, and stops cleanly', async () => {
    const org = await createTestOrganization(database.handle);
    const { logger, lines } = capturedLogger();
    const task = startMailDelivery({ db: database.handle.db, box, logger, smtpUrl: undefined, from: 'Roster <roster@localhost>', intervalMs: 60_000 });
    // The task makes its first pass as it starts; the email below is for the next one.
    await task.runOnce();
    const ids = await enqueueMails(database.handle.db, box, [{ organizationId: org.organization.id, kind: 'invitation', to: 'timer@acme.test', subject: 'Timer', text: 'hi' }]);
    await task.runOnce();
    await task.stop();
    expect(lines.filter((l) => l.includes('SMTP_URL is not set: emails are written to the log'))).toHaveLength(1);
    expect((await outboxRows(ids))[0]).toMatchObject({ sentVia: 'log' });
    expect(await task.runOnce()).toBeUndefined();
  });
});

describe('mail configuration', () => {
  it('reads SMTP_URL and MAIL_FROM, refusing bad values without repeating a password', () => {
    expect(parseConfig({})).toMatchObject({ smtpUrl: undefined, mailFrom: 'Roster <roster@localhost>' });
    expect(parseConfig({ SMTP_URL: 'smtps://u:p@smtp.acme.test:465', MAIL_FROM: 'no-reply@acme.test' })).toMatchObject({
      smtpUrl: 'smtps://u:p@smtp.acme.test:465',
      mailFrom: 'no-reply@acme.test',
    });
    for (const bad of ['http://user:hunter2@smtp.acme.test', 'user:hunter2@smtp.acme.test', 'smtp://']) {
      expect(() => parseConfig({ SMTP_URL: bad })).toThrow(/^SMTP_URL must be smtp:\/\/user:password@host:port/);
      try {
        parseConfig({ SMTP_URL: bad });
      } catch (error) {
        expect((error as Error).message).not.toContain('hunter2');
      }
    }
    expect(() => parseConfig({ MAIL_FROM: 'Roster' })).toThrow(/^MAIL_FROM must be an address/);
    expect(() => parseConfig({ MAIL_FROM: 'Roster <roster@localhost>\r\nBcc: x@y.z' })).toThrow(/^MAIL_FROM must be an address/);
  });
});
