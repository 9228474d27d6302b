/**
 * One-time email codes in the domain: stored only as a keyed hash, bound to the browser that asked,
 * five tries, used once, ten minutes, five codes per member per quarter hour (with when to retry),
 * none for deactivated members, and sign-in codes only where no IdP signs people in.
 */
import { randomBytes } from 'node:crypto';
import { desc, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { schema } from '../../src/db/index.ts';
import {
  createSsoConnection,
  EMAIL_CODE_MAX_ATTEMPTS,
  hashCodeBrowser,
  issueEmailCode,
  issueSignInCode,
  openMailBody,
  pruneEmailCodes,
  verifyEmailCode,
  type OrgContext,
} from '../../src/directory/index.ts';
import { DomainError } from '../../src/errors.ts';
import { newId } from '../../src/ids.ts';
import { SecretBox } from '../../src/secrets/index.ts';
import { TEST_SECRET } from '../support/app.ts';
import { testDatabaseKind, useTestDatabase } from '../support/database.ts';
import { createTestOrganization, uniqueSlug } from '../support/factories.ts';

const database = useTestDatabase();
const box = SecretBox.fromSecrets(TEST_SECRET);
const browser = () => randomBytes(32).toString('base64url');

/** A context whose clock the test moves. */
function clocked(org: OrgContext, start = new Date('2031-03-01T09:00:00Z')) {
  const clock = { ms: start.getTime() };
  const ctx: OrgContext = { ...org, clock: () => new Date(clock.ms) };
  return { ctx, advance: (seconds: number) => (clock.ms += seconds * 1000) };
}

async function addMember(org: OrgContext, email: string, status: 'active' | 'invited' | 'deactivated' = 'active') {
  const id = newId();
  await database.handle.db.insert(schema.members).values({
    id,
    organizationId: org.organization.id,
    email,
    emailKey: email.toLowerCase(),
    status,
    role: 'member',
    source: 'admin',
  });
  return id;
}

async function mailsTo(address: string) {
  const rows = await database.handle.db.select().from(schema.mailOutbox).where(eq(schema.mailOutbox.toAddress, address)).orderBy(desc(schema.mailOutbox.id));
  return rows.map((r) => ({ ...r, body: openMailBody(box, r.id, r.bodySealed) }));
}

async function latestCode(address: string): Promise<string> {
  const [mail] = await mailsTo(address);
  const code = /^\s+(\d{6})$/m.exec(mail?.body.text ?? '')?.[1];
  if (!code) throw new Error(`no code mailed to ${address}`);
  return code;
}

const other = (code: string) => String((Number(code) + 1) % 1_000_000).padStart(6, '0');

describe(`email codes on ${testDatabaseKind}`, () => {
  it('mails a six-digit code naming the organization and its expiry, and stores only a keyed hash bound to the browser', async () => {
    const org = await createTestOrganization(database.handle);
    const { ctx } = clocked(org);
    const email = `ada@${uniqueSlug('codes')}.example`;
    const memberId = await addMember(org, email);
    const secret = browser();
    const issued = await issueEmailCode(ctx, box, { memberId, purpose: 'sign_in', browserSecret: secret });
    expect(issued.expiresAt.toISOString()).toBe('2031-03-01T09:10:00.000Z');

    const [mail] = await mailsTo(email);
    const code = await latestCode(email);
    expect(mail).toMatchObject({ kind: 'sign_in_code', organizationId: org.organization.id, subject: `Your code to sign in to Org ${org.organization.slug}` });
    expect(mail!.subject).not.toContain(code);
    expect(mail!.body.text).toContain(`To sign in to Org ${org.organization.slug}, enter this code:`);
    expect(mail!.body.text).toContain('expires in 10 minutes (Sat, 01 Mar 2031 09:10 UTC)');
    expect(mail!.body.html).toContain(`<strong>${code}</strong>`);
    // The outbox row holds the body sealed.
    expect(mail!.bodySealed).not.toContain(code);

    const [row] = await database.handle.db.select().from(schema.emailCodes).where(eq(schema.emailCodes.id, issued.ids[0]!));
    expect(row).toMatchObject({ memberId, purpose: 'sign_in', attempts: 0, consumedAt: null });
    expect(row!.codeHash).not.toContain(code);
    expect(row!.browserHash).not.toBe(secret);
  });

  it('accepts the right code once, in the browser that asked for it only, and records the sign-in time', async () => {
    const org = await createTestOrganization(database.handle);
    const { ctx } = clocked(org);
    const email = `bo@${uniqueSlug('codes')}.example`;
    const memberId = await addMember(org, email);
    const secret = browser();
    await issueEmailCode(ctx, box, { memberId, purpose: 'sign_in', browserSecret: secret });
    const code = await latestCode(email);

    // Another browser, with the right code: as if it had asked for nothing; no try is spent.
    expect(await verifyEmailCode(ctx, { purpose: 'sign_in', browserSecret: browser(), code })).toEqual({ ok: false, reason: 'no_code', attemptsLeft: 0 });
    // The right browser, for another purpose: nothing either.
    expect(await verifyEmailCode(ctx, { purpose: 'invitation', browserSecret: secret, code })).toMatchObject({ ok: false, reason: 'no_code' });

    const accepted = await verifyEmailCode(ctx, { purpose: 'sign_in', browserSecret: secret, code: ` ${code.slice(0, 3)} ${code.slice(3)} ` });
    expect(accepted).toEqual({
      ok: true,
      member: { memberId, organizationId: org.organization.id, organizationSlug: org.organization.slug, organizationName: `Org ${org.organization.slug}`, email },
    });
    const [member] = await database.handle.db.select().from(schema.members).where(eq(schema.members.id, memberId));
    expect(member!.lastSignInAt?.toISOString()).toBe('2031-03-01T09:00:00.000Z');
    const [row] = await database.handle.db.select().from(schema.emailCodes).where(eq(schema.emailCodes.memberId, memberId));
    expect(row!.consumedAt?.toISOString()).toBe('2031-03-01T09:00:00.000Z');

    // Used: the same code again finds nothing.
    expect(await verifyEmailCode(ctx, { purpose: 'sign_in', browserSecret: secret, code })).toMatchObject({ ok: false, reason: 'no_code' });
  });

  it(`is dead after ${EMAIL_CODE_MAX_ATTEMPTS} wrong tries, even for the right code; a malformed entry spends no try`, async () => {
    const org = await createTestOrganization(database.handle);
    const { ctx } = clocked(org);
    const email = `cy@${uniqueSlug('codes')}.example`;
    const memberId = await addMember(org, email);
    const secret = browser();
    await issueEmailCode(ctx, box, { memberId, purpose: 'sign_in', browserSecret: secret });
    const code = await latestCode(email);

    expect(await verifyEmailCode(ctx, { purpose: 'sign_in', browserSecret: secret, code: '12a456' })).toMatchObject({ ok: false, reason: 'malformed' });
    const left: number[] = [];
    for (let i = 0; i < EMAIL_CODE_MAX_ATTEMPTS; i++) {
      const check = await verifyEmailCode(ctx, { purpose: 'sign_in', browserSecret: secret, code: other(code) });
      expect(check).toMatchObject({ ok: false, reason: 'wrong_code' });
      if (check.ok === false) left.push(check.attemptsLeft);
    }
    expect(left).toEqual([4, 3, 2, 1, 0]);
    expect(await verifyEmailCode(ctx, { purpose: 'sign_in', browserSecret: secret, code })).toEqual({ ok: false, reason: 'used_up', attemptsLeft: 0 });
    const [row] = await database.handle.db.select().from(schema.emailCodes).where(eq(schema.emailCodes.memberId, memberId));
    expect(row).toMatchObject({ attempts: EMAIL_CODE_MAX_ATTEMPTS, consumedAt: null });
  });

  it('expires ten minutes after it was sent', async () => {
    const org = await createTestOrganization(database.handle);
    const { ctx, advance } = clocked(org);
    const email = `di@${uniqueSlug('codes')}.example`;
    const memberId = await addMember(org, email);
    const secret = browser();
    await issueEmailCode(ctx, box, { memberId, purpose: 'sign_in', browserSecret: secret });
    const code = await latestCode(email);
    advance(600);
    expect(await verifyEmailCode(ctx, { purpose: 'sign_in', browserSecret: secret, code })).toEqual({ ok: false, reason: 'expired', attemptsLeft: 0 });
  });

  it('sends at most five codes per member per fifteen minutes, and says when to try again', async () => {
    const org = await createTestOrganization(database.handle);
    const { ctx, advance } = clocked(org);
    const email = `ed@${uniqueSlug('codes')}.example`;
    const memberId = await addMember(org, email);
    for (let i = 0; i < 5; i++) {
      await issueEmailCode(ctx, box, { memberId, purpose: 'sign_in', browserSecret: browser() });
      advance(60);
    }
    // Five minutes after the first code: ten minutes to wait.
    const refused = await issueEmailCode(ctx, box, { memberId, purpose: 'sign_in', browserSecret: browser() }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(DomainError);
    expect(refused).toMatchObject({ code: 'limit_exceeded', details: { limit: 5, windowSeconds: 900, retryAfterSeconds: 600 } });
    expect((refused as Error).message).toContain('try again in 10 minutes');
    expect(await mailsTo(email)).toHaveLength(5);
    // The sign-in path skips the member silently (it must not tell that the address is one).
    expect(await issueSignInCode(ctx, box, { email, browserSecret: browser() })).toEqual({ sent: false, throttled: true });

    advance(600);
    await issueEmailCode(ctx, box, { memberId, purpose: 'sign_in', browserSecret: browser() });
    expect(await mailsTo(email)).toHaveLength(6);
  });

  it('sends deactivated members nothing, and refuses a code sent before the deactivation', async () => {
    const org = await createTestOrganization(database.handle);
    const { ctx } = clocked(org);
    const email = `fay@${uniqueSlug('codes')}.example`;
    const gone = await addMember(org, email, 'deactivated');
    await expect(issueEmailCode(ctx, box, { memberId: gone, purpose: 'sign_in', browserSecret: browser() })).rejects.toMatchObject({ code: 'precondition_failed' });
    expect(await issueSignInCode(ctx, box, { email, browserSecret: browser() })).toEqual({ sent: false, throttled: false });
    expect(await mailsTo(email)).toHaveLength(0);

    const later = `gil@${uniqueSlug('codes')}.example`;
    const memberId = await addMember(org, later);
    const secret = browser();
    await issueEmailCode(ctx, box, { memberId, purpose: 'sign_in', browserSecret: secret });
    const code = await latestCode(later);
    await database.handle.db.update(schema.members).set({ status: 'deactivated' }).where(eq(schema.members.id, memberId));
    expect(await verifyEmailCode(ctx, { purpose: 'sign_in', browserSecret: secret, code })).toMatchObject({ ok: false, reason: 'no_code' });
  });

  it('signs in by address only where no IdP does, says nothing of unknown addresses, and lets a member of several organizations choose', async () => {
    const first = await createTestOrganization(database.handle);
    const second = await createTestOrganization(database.handle);
    const withSso = await createTestOrganization(database.handle);
    await createSsoConnection(withSso, box, {
      id: newId(),
      type: 'oidc',
      name: 'IdP',
      preset: undefined,
      settings: { issuer: 'https://idp.example' },
      mapping: {},
      secret: 'client-secret',
    });
    const { ctx } = clocked(first);
    const email = `Hal@${uniqueSlug('codes')}.example`;
    const a = await addMember(first, email);
    const b = await addMember(second, email);
    await addMember(withSso, email);

    expect(await issueSignInCode(ctx, box, { email: `nobody@${uniqueSlug('codes')}.example`, browserSecret: browser() })).toEqual({ sent: false, throttled: false });

    const secret = browser();
    expect(await issueSignInCode(ctx, box, { email: email.toUpperCase(), browserSecret: secret })).toEqual({ sent: true, throttled: false });
    const mails = await mailsTo(email);
    expect(mails).toHaveLength(1);
    expect(mails[0]!.organizationId).toBeNull();
    expect(mails[0]!.body.text).not.toContain(withSso.organization.slug);
    const code = await latestCode(email);

    const choice = await verifyEmailCode(ctx, { purpose: 'sign_in', browserSecret: secret, code });
    expect(choice.ok).toBe('choose');
    if (choice.ok !== 'choose') throw new Error('unreachable');
    expect(choice.members.map((m) => m.memberId).sort()).toEqual([a, b].sort());

    const chosen = await verifyEmailCode(ctx, { purpose: 'sign_in', browserSecret: secret, code, memberId: b });
    expect(chosen).toMatchObject({ ok: true, member: { memberId: b, organizationSlug: second.organization.slug } });
    // One code, one sign-in: the other organization's copy is used too.
    expect(await verifyEmailCode(ctx, { purpose: 'sign_in', browserSecret: secret, code, memberId: a })).toMatchObject({ ok: false, reason: 'no_code' });

    // Naming the organization narrows the code to it.
    const narrowed = browser();
    await issueSignInCode(ctx, box, { email, organizationSlug: first.organization.slug, browserSecret: narrowed });
    const [row] = await database.handle.db.select().from(schema.emailCodes).where(eq(schema.emailCodes.browserHash, hashCodeBrowser(narrowed)));
    expect(row!.memberId).toBe(a);
    // An SSO organization named outright sends nothing.
    expect(await issueSignInCode(ctx, box, { email, organizationSlug: withSso.organization.slug, browserSecret: browser() })).toEqual({ sent: false, throttled: false });
  });

  it('prunes codes once they can neither be used nor count towards the throttle', async () => {
    const org = await createTestOrganization(database.handle);
    const { ctx, advance } = clocked(org, new Date('2040-01-01T00:00:00Z'));
    const memberId = await addMember(org, `ivy@${uniqueSlug('codes')}.example`);
    const old = await issueEmailCode(ctx, box, { memberId, purpose: 'sign_in', browserSecret: browser() });
    advance(25 * 60);
    const recent = await issueEmailCode(ctx, box, { memberId, purpose: 'sign_in', browserSecret: browser() });
    const left = async () =>
      (await database.handle.db.select({ id: schema.emailCodes.id }).from(schema.emailCodes).where(eq(schema.emailCodes.memberId, memberId)).orderBy(schema.emailCodes.id)).map((r) => r.id);
    // The first code expired at 00:10 and counts towards the throttle until 00:15; it is kept a little longer still.
    await pruneEmailCodes(database.handle.db, new Date('2040-01-01T00:24:59Z'));
    expect(await left()).toEqual([...old.ids, ...recent.ids]);
    expect(await pruneEmailCodes(database.handle.db, new Date('2040-01-01T00:25:01Z'))).toBe(1);
    expect(await left()).toEqual(recent.ids);
  });
});
