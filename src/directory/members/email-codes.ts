/**
 * One-time codes sent by email, for people whose organization has no IdP to sign them in (Roster
 * holds no passwords): six digits, valid ten minutes, for the browser that asked only, five tries,
 * used once. Everything is in the database, so the code sent by one instance is checked by another.
 *
 * A code is stored as HMAC-SHA256(browser secret, row id ‖ code). The browser secret is the random
 * value of a cookie of the browser that asked (only its SHA-256 is stored), so a dump of the table
 * neither reveals a code (a million guesses need the secret) nor lets anyone else use one.
 */
import { createHash, createHmac, randomInt, timingSafeEqual } from 'node:crypto';
import { and, asc, eq, gt, inArray, isNull, lt, notExists, sql } from 'drizzle-orm';
import { schema, withTransaction, type Database } from '../../db/index.ts';
import { DomainError } from '../../errors.ts';
import { newId, type OrganizationId } from '../../ids.ts';
import type { SecretBox } from '../../secrets/index.ts';
import { nowOf, type Context, type OrgContext } from '../context.ts';
import { enqueueMails, type OutgoingMail } from '../mail/index.ts';

/** What a code is for: accepting an invitation (an invited member) or signing in (an active one). */
export type EmailCodePurpose = 'invitation' | 'sign_in';

/** Long enough to switch to the mailbox and back; short enough that a forgotten code is useless. */
export const EMAIL_CODE_TTL_SECONDS = 600;
/** Wrong tries before a code is dead: 5 in a million. */
export const EMAIL_CODE_MAX_ATTEMPTS = 5;
/** At most this many codes per member per window, whatever the purpose. */
export const EMAIL_CODE_LIMIT = { codes: 5, windowSeconds: 900 } as const;
export const EMAIL_CODE_MAIL_KIND = 'sign_in_code';

const CODE_DIGITS = 6;

export const hashCodeBrowser = (browserSecret: string) => createHash('sha256').update(browserSecret, 'utf8').digest('base64url');
const codeHashOf = (browserSecret: string, rowId: string, code: string) => createHmac('sha256', browserSecret).update(`${rowId}:${code}`, 'utf8').digest();

/** What a person may type: the six digits, perhaps with spaces or a dash in between. */
export function normaliseEmailCode(raw: string): string | undefined {
  const code = raw.replace(/[\s-]/g, '');
  return new RegExp(`^\\d{${CODE_DIGITS}}$`).test(code) ? code : undefined;
}

export interface IssuedEmailCode {
  /** The code rows written, one per member the code signs in. */
  ids: string[];
  expiresAt: Date;
}

/**
 * Sends a code to one member's address: for accepting their invitation (`invitation`, the member
 * is invited) or for signing in (`sign_in`, the member is active). Refused with limit_exceeded,
 * and when to try again, after EMAIL_CODE_LIMIT codes in its window.
 */
export async function issueEmailCode(
  ctx: OrgContext,
  box: SecretBox,
  input: { memberId: string; purpose: EmailCodePurpose; browserSecret: string },
): Promise<IssuedEmailCode> {
  if (input.browserSecret.length < 16) throw new DomainError('invalid_input', 'the browser secret is too short to bind a code to', { details: { field: 'browserSecret' } });
  return withTransaction(ctx.db, async (tx) => {
    const [member] = await tx
      .select({ id: schema.members.id, email: schema.members.email, status: schema.members.status, organizationName: schema.organizations.name })
      .from(schema.members)
      .innerJoin(schema.organizations, eq(schema.organizations.id, schema.members.organizationId))
      .where(and(eq(schema.members.organizationId, ctx.organization.id), eq(schema.members.id, input.memberId)))
      .for('update', { of: schema.members });
    if (!member) throw new DomainError('not_found', `no member ${input.memberId} in this organization`);
    const wanted = input.purpose === 'invitation' ? 'invited' : 'active';
    if (member.status !== wanted) {
      throw new DomainError('precondition_failed', `member ${input.memberId} is ${member.status}: a code ${input.purpose === 'invitation' ? 'to accept an invitation' : 'to sign in'} goes to ${wanted} members only`);
    }
    const now = nowOf(ctx);
    const throttle = await throttleOf(tx, input.memberId, now);
    if (throttle !== undefined) {
      throw new DomainError(
        'limit_exceeded',
        `${EMAIL_CODE_LIMIT.codes} codes were sent to this address in the last ${EMAIL_CODE_LIMIT.windowSeconds / 60} minutes; try again in ${minutesText(throttle)}`,
        { details: { limit: EMAIL_CODE_LIMIT.codes, windowSeconds: EMAIL_CODE_LIMIT.windowSeconds, retryAfterSeconds: throttle } },
      );
    }
    const code = newCode();
    const issued = await insertCodes(tx, [{ organizationId: ctx.organization.id, memberId: input.memberId }], { purpose: input.purpose, browserSecret: input.browserSecret, code, now });
    await enqueueMails(tx, box, [codeMail({ to: member.email, organizations: [{ id: ctx.organization.id, name: member.organizationName }], purpose: input.purpose, code, expiresAt: issued.expiresAt })]);
    return issued;
  });
}

/**
 * Sends one sign-in code to an address, for each organization where it is an active member and
 * which has no SSO connection (only `organizationSlug`'s when the request names one). The answer
 * says nothing of whether the address is anyone's: the caller shows the same page either way.
 * Members whose codes are used up for the window are skipped.
 */
export async function issueSignInCode(
  ctx: Context,
  box: SecretBox,
  input: { email: string; organizationSlug?: string | undefined; browserSecret: string },
): Promise<{ sent: boolean; throttled: boolean }> {
  if (input.browserSecret.length < 16) throw new DomainError('invalid_input', 'the browser secret is too short to bind a code to', { details: { field: 'browserSecret' } });
  const key = input.email.trim().toLowerCase();
  return withTransaction(ctx.db, async (tx) => {
    const members = await tx
      .select({ id: schema.members.id, email: schema.members.email, organizationId: schema.members.organizationId, organizationName: schema.organizations.name })
      .from(schema.members)
      .innerJoin(schema.organizations, eq(schema.organizations.id, schema.members.organizationId))
      .where(
        and(
          eq(schema.members.emailKey, key),
          eq(schema.members.status, 'active'),
          input.organizationSlug === undefined ? undefined : eq(schema.organizations.slug, input.organizationSlug),
          notExists(tx.select({ one: sql`1` }).from(schema.ssoConnections).where(eq(schema.ssoConnections.organizationId, schema.members.organizationId))),
        ),
      )
      .orderBy(asc(schema.organizations.name), asc(schema.members.id))
      .limit(20)
      .for('update', { of: schema.members });
    const now = nowOf(ctx);
    const allowed: typeof members = [];
    for (const member of members) if ((await throttleOf(tx, member.id, now)) === undefined) allowed.push(member);
    if (allowed.length === 0) return { sent: false, throttled: members.length > 0 };
    const code = newCode();
    const issued = await insertCodes(
      tx,
      allowed.map((m) => ({ organizationId: m.organizationId as OrganizationId, memberId: m.id })),
      { purpose: 'sign_in', browserSecret: input.browserSecret, code, now },
    );
    await enqueueMails(tx, box, [
      codeMail({
        to: allowed[0]!.email,
        organizations: allowed.map((m) => ({ id: m.organizationId as OrganizationId, name: m.organizationName })),
        purpose: 'sign_in',
        code,
        expiresAt: issued.expiresAt,
      }),
    ]);
    return { sent: true, throttled: allowed.length < members.length };
  });
}

/** A member a code was checked for. */
export interface EmailCodeMember {
  memberId: string;
  organizationId: OrganizationId;
  organizationSlug: string;
  organizationName: string;
  email: string;
}

/**
 * Why a code was not accepted. `malformed`: not six digits (no try is spent); `no_code`: this
 * browser asked for none (or it was used, or its member can no longer have it); `expired`;
 * `used_up`: its wrong tries are spent; `wrong_code` (with the tries left).
 */
export type EmailCodeRefusal = 'malformed' | 'no_code' | 'expired' | 'used_up' | 'wrong_code';

export type EmailCodeCheck =
  /** The code is right and is now used: it signs in `member`. */
  | { ok: true; member: EmailCodeMember }
  /** The code is right for several organizations: check it again naming the member chosen. */
  | { ok: 'choose'; members: EmailCodeMember[] }
  | { ok: false; reason: EmailCodeRefusal; attemptsLeft: number };

/**
 * Checks a code typed in the browser that asked for it (its cookie's secret): compared in constant
 * time, a wrong one spends a try (the try is committed even though the answer is a refusal), a right
 * one is used up at once with every other code of that request. `memberId` narrows it to one
 * member (after a choice between organizations); `organizationSlug` to one organization. A sign-in
 * code records the member's sign-in time.
 */
export async function verifyEmailCode(
  ctx: Context,
  input: { purpose: EmailCodePurpose; browserSecret: string; code: string; memberId?: string | undefined; organizationSlug?: string | undefined },
): Promise<EmailCodeCheck> {
  const code = normaliseEmailCode(input.code);
  if (code === undefined) return { ok: false, reason: 'malformed', attemptsLeft: EMAIL_CODE_MAX_ATTEMPTS };
  const browserHash = hashCodeBrowser(input.browserSecret);
  return withTransaction(ctx.db, async (tx) => {
    const rows = await tx
      .select({
        id: schema.emailCodes.id,
        codeHash: schema.emailCodes.codeHash,
        attempts: schema.emailCodes.attempts,
        expiresAt: schema.emailCodes.expiresAt,
        memberId: schema.members.id,
        memberStatus: schema.members.status,
        email: schema.members.email,
        organizationId: schema.organizations.id,
        organizationSlug: schema.organizations.slug,
        organizationName: schema.organizations.name,
      })
      .from(schema.emailCodes)
      .innerJoin(schema.members, and(eq(schema.members.organizationId, schema.emailCodes.organizationId), eq(schema.members.id, schema.emailCodes.memberId)))
      .innerJoin(schema.organizations, eq(schema.organizations.id, schema.emailCodes.organizationId))
      .where(
        and(
          eq(schema.emailCodes.browserHash, browserHash),
          eq(schema.emailCodes.purpose, input.purpose),
          isNull(schema.emailCodes.consumedAt),
          input.memberId === undefined ? undefined : eq(schema.emailCodes.memberId, input.memberId),
          input.organizationSlug === undefined ? undefined : eq(schema.organizations.slug, input.organizationSlug),
        ),
      )
      .orderBy(asc(schema.emailCodes.createdAt), asc(schema.emailCodes.id))
      .for('update', { of: schema.emailCodes });
    const now = nowOf(ctx);
    if (rows.length === 0) return { ok: false, reason: 'no_code', attemptsLeft: 0 };
    const live = rows.filter((r) => r.expiresAt > now);
    if (live.length === 0) return { ok: false, reason: 'expired', attemptsLeft: 0 };
    const usable = live.filter((r) => r.attempts < EMAIL_CODE_MAX_ATTEMPTS);
    if (usable.length === 0) return { ok: false, reason: 'used_up', attemptsLeft: 0 };

    const right = usable.filter((r) => {
      const expected = Buffer.from(r.codeHash, 'base64url');
      const actual = codeHashOf(input.browserSecret, r.id, code);
      return expected.length === actual.length && timingSafeEqual(expected, actual);
    });
    if (right.length === 0) {
      const spent = await tx
        .update(schema.emailCodes)
        .set({ attempts: sql`${schema.emailCodes.attempts} + 1` })
        .where(inArray(schema.emailCodes.id, usable.map((r) => r.id)))
        .returning({ attempts: schema.emailCodes.attempts });
      const attemptsLeft = Math.max(0, EMAIL_CODE_MAX_ATTEMPTS - Math.min(...spent.map((r) => r.attempts)));
      return { ok: false, reason: 'wrong_code', attemptsLeft };
    }
    // A member deactivated (or an invitation accepted) since the code was sent can no longer use it.
    const wanted = input.purpose === 'invitation' ? 'invited' : 'active';
    const members = right
      .filter((r, i) => r.memberStatus === wanted && right.findIndex((o) => o.memberId === r.memberId) === i)
      .map((r) => ({
        memberId: r.memberId,
        organizationId: r.organizationId as OrganizationId,
        organizationSlug: r.organizationSlug,
        organizationName: r.organizationName,
        email: r.email,
      }));
    if (members.length === 0) return { ok: false, reason: 'no_code', attemptsLeft: 0 };
    if (members.length > 1) return { ok: 'choose', members };
    // Used: this code and every other one sent for the same request in this browser.
    await tx
      .update(schema.emailCodes)
      .set({ consumedAt: now })
      .where(and(eq(schema.emailCodes.browserHash, browserHash), eq(schema.emailCodes.purpose, input.purpose), isNull(schema.emailCodes.consumedAt)));
    const member = members[0]!;
    if (input.purpose === 'sign_in') {
      await tx.update(schema.members).set({ lastSignInAt: now }).where(and(eq(schema.members.organizationId, member.organizationId), eq(schema.members.id, member.memberId)));
    }
    return { ok: true, member };
  });
}

/** Deletes codes that can no longer be used nor count towards a throttle. */
export async function pruneEmailCodes(db: Database, now = new Date()): Promise<number> {
  const cutoff = new Date(now.getTime() - Math.max(EMAIL_CODE_TTL_SECONDS, EMAIL_CODE_LIMIT.windowSeconds) * 1000);
  const deleted = await db.delete(schema.emailCodes).where(lt(schema.emailCodes.expiresAt, cutoff)).returning({ id: schema.emailCodes.id });
  return deleted.length;
}

/** Seconds until the member may have another code, or undefined when they may now. */
async function throttleOf(tx: Database, memberId: string, now: Date): Promise<number | undefined> {
  const since = new Date(now.getTime() - EMAIL_CODE_LIMIT.windowSeconds * 1000);
  const recent = await tx
    .select({ createdAt: schema.emailCodes.createdAt })
    .from(schema.emailCodes)
    .where(and(eq(schema.emailCodes.memberId, memberId), gt(schema.emailCodes.createdAt, since)))
    .orderBy(asc(schema.emailCodes.createdAt))
    .limit(EMAIL_CODE_LIMIT.codes);
  if (recent.length < EMAIL_CODE_LIMIT.codes) return undefined;
  const oldest = recent[0]!.createdAt.getTime();
  return Math.max(1, Math.ceil((oldest + EMAIL_CODE_LIMIT.windowSeconds * 1000 - now.getTime()) / 1000));
}

function newCode(): string {
  return String(randomInt(0, 10 ** CODE_DIGITS)).padStart(CODE_DIGITS, '0');
}

async function insertCodes(
  tx: Database,
  members: readonly { organizationId: OrganizationId; memberId: string }[],
  input: { purpose: EmailCodePurpose; browserSecret: string; code: string; now: Date },
): Promise<IssuedEmailCode> {
  const expiresAt = new Date(input.now.getTime() + EMAIL_CODE_TTL_SECONDS * 1000);
  const browserHash = hashCodeBrowser(input.browserSecret);
  const rows = members.map((m) => {
    const id = newId();
    return {
      id,
      organizationId: m.organizationId,
      memberId: m.memberId,
      purpose: input.purpose,
      codeHash: codeHashOf(input.browserSecret, id, input.code).toString('base64url'),
      browserHash,
      expiresAt,
      createdAt: input.now,
    };
  });
  await tx.insert(schema.emailCodes).values(rows);
  return { ids: rows.map((r) => r.id), expiresAt };
}

function minutesText(seconds: number): string {
  const minutes = Math.ceil(seconds / 60);
  return `${minutes} minute${minutes === 1 ? '' : 's'}`;
}

/** "Mon, 14 Dec 2026 10:00 UTC": unambiguous whatever the reader's locale. */
const whenText = (date: Date) => `${date.toUTCString().replace(/:\d\d GMT$/, '')} UTC`;

function codeMail(input: { to: string; organizations: { id: OrganizationId; name: string }[]; purpose: EmailCodePurpose; code: string; expiresAt: Date }): OutgoingMail {
  const oneLine = (value: string) => value.replace(/\s+/g, ' ').trim();
  const names = input.organizations.map((o) => oneLine(o.name));
  const where = names.length === 1 ? names[0]! : `${names.slice(0, -1).join(', ')} or ${names.at(-1)!}`;
  // The subject is stored unsealed in the outbox: it never carries the code.
  const subject = input.purpose === 'invitation' ? `Your code to join ${where}` : `Your code to sign in to ${where}`;
  const doing = input.purpose === 'invitation' ? `To accept your invitation to ${where}, enter this code:` : `To sign in to ${where}, enter this code:`;
  const expires = `It works once, in the browser where you asked for it, and expires in ${EMAIL_CODE_TTL_SECONDS / 60} minutes (${whenText(input.expiresAt)}).`;
  const ignore = 'If you did not ask for it, you can ignore this email: no one can use the code without your browser.';
  const text = [doing, '', `    ${input.code}`, '', expires, ignore, ''].join('\n');
  const html = [
    '<!DOCTYPE html><html><body style="font-family: sans-serif; line-height: 1.5">',
    `<p>${escapeHtml(doing)}</p>`,
    `<p style="font-size: 1.6em; letter-spacing: .2em"><strong>${input.code}</strong></p>`,
    `<p>${escapeHtml(expires)}<br>${escapeHtml(ignore)}</p>`,
    '</body></html>',
  ].join('\n');
  return { organizationId: input.organizations.length === 1 ? input.organizations[0]!.id : null, kind: EMAIL_CODE_MAIL_KIND, to: input.to, subject, text, html };
}

function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch] ?? ch);
}
