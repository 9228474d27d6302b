/**
 * Signing in with a one-time code sent by email, for members of organizations that have no SSO
 * connection: the work-email step sends the code (to every organization without SSO where the
 * address is an active member, or only the one the request names), the code form checks it, and
 * the sign-in finishes as an SSO one does (recorded in the sign-in log, amr `otp`). The code is
 * bound to this browser by a cookie scoped to this sign-in's pages; an unknown address gets the
 * very same page and cookie, so the answer never tells whether the address is anyone's.
 */
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { EMAIL_CODE_TTL_SECONDS, issueSignInCode, normaliseEmailCode, randomFlowValue, recordSignIn, verifyEmailCode, type EmailCodeMember } from '../directory/index.ts';
import { isUuid } from '../ids.ts';
import type { SsoDeps } from './deps.ts';
import { chooseOrganizationPage, codeFormPage, sentIfMember } from './email-code-pages.ts';
import type { Html } from './pages.ts';
import { browserOf, type C } from './sign-in-start.ts';
import { fail } from './upstream.ts';

/** The cookie binding a code to the browser that asked for it. */
export const CODE_COOKIE = 'roster_code';

/** Where a code sign-in posts and starts again; the part of SignInTarget it needs. */
export interface CodeTarget {
  /** The organization the request names: codes go to its members only. */
  organization?: string | undefined;
  /** Where the code form posts. */
  codeAction: string;
  /** Where to start again for a new code. */
  restartHref: string;
  /** The path the code cookie is sent to: only this sign-in's pages. */
  cookiePath: string;
}

export function emailCodeSignIn(deps: SsoDeps) {
  const secure = deps.publicUrl.startsWith('https:');
  const ctx = () => ({ db: deps.db, actor: { type: 'system' as const, id: 'email-code-sign-in' }, clock: deps.now });
  const now = () => deps.now?.() ?? new Date();

  const form = (target: CodeTarget, intro: Html | string, problem?: string) =>
    codeFormPage({ action: target.codeAction, intro, problem, restart: { href: target.restartHref, label: 'Start again with a new code' } });

  /** Sends a code to the address if it may have one, and shows the code form either way. */
  async function send(c: C, target: CodeTarget, address: string) {
    const browserSecret = randomFlowValue();
    const result = await issueSignInCode(ctx(), deps.box, { email: address, organizationSlug: target.organization, browserSecret });
    if (result.throttled) deps.logger.info({ organization: target.organization }, 'sign-in code throttled for an address');
    setCookie(c, CODE_COOKIE, browserSecret, { httpOnly: true, sameSite: 'Lax', secure, path: target.cookiePath, maxAge: EMAIL_CODE_TTL_SECONDS });
    c.header('Cache-Control', 'no-store');
    return c.html(form(target, sentIfMember(address)));
  }

  /**
   * Checks the posted code (and, after a choice between organizations, the member chosen); a
   * right one is recorded as a sign-in and handed to `finish`.
   */
  async function verify(c: C, target: CodeTarget, finish: (member: EmailCodeMember) => Promise<Response>) {
    const body = await c.req.parseBody();
    const typed = typeof body.code === 'string' ? body.code : '';
    const memberId = typeof body.member === 'string' && isUuid(body.member) ? body.member.toLowerCase() : undefined;
    const browserSecret = getCookie(c, CODE_COOKIE);
    c.header('Cache-Control', 'no-store');
    const intro = 'Enter the code we emailed you.';
    if (browserSecret === undefined) {
      await fail(deps, undefined, browserOf(c), { reason: 'email_code.cookie_missing', detail: 'a code was posted by a browser that asked for none (or whose code cookie expired)' });
      return c.html(form(target, intro, 'This browser has no code waiting (codes work only in the browser that asked for them, for ten minutes). Start again.'), 400);
    }
    const check = await verifyEmailCode(ctx(), { purpose: 'sign_in', browserSecret, code: typed, memberId, organizationSlug: target.organization });
    if (check.ok === true) {
      const { member } = check;
      await recordSignIn(
        deps.db,
        { organizationId: member.organizationId, connectionId: null, memberId: member.memberId, email: member.email, ...browserOf(c), outcome: 'succeeded', reason: 'email_code' },
        now(),
      );
      deleteCookie(c, CODE_COOKIE, { path: target.cookiePath, secure });
      return finish(member);
    }
    if (check.ok === 'choose') {
      return c.html(chooseOrganizationPage(target.codeAction, normaliseEmailCode(typed) ?? typed, check.members.map((m) => ({ memberId: m.memberId, name: m.organizationName }))));
    }
    if (check.reason === 'malformed') return c.html(form(target, intro, 'Enter the six digits of the code from the email.'), 400);
    await fail(deps, undefined, browserOf(c), {
      reason: `email_code.${check.reason}`,
      detail: check.reason === 'wrong_code' ? `wrong code, ${check.attemptsLeft} tries left` : `no usable code for this browser (${check.reason})`,
    });
    // The same words whatever the reason: whether a code exists for this browser says whether the address is a member's.
    return c.html(
      form(target, intro, 'That code is not right, or it no longer works (codes expire after ten minutes, work once, and stop after five wrong tries). Check the latest email, or start again.'),
      400,
    );
  }

  return { send, verify };
}
