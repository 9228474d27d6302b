/**
 * The invitation link, `/invitations/:token`: the page says what the invitation is and how to
 * accept it. An organization with SSO is joined by signing in at its IdP (the invited address as
 * login hint): the sign-in's resolution accepts the invitation of the member the IdP vouches for,
 * and the person lands in the console. Otherwise a one-time code goes to the invited address, and
 * typing it in this browser accepts the invitation and opens a console session.
 *
 * Every form is a POST bound to this browser: the page sets an HttpOnly, SameSite=Lax cookie, and
 * each form carries a token derived from it, so another site cannot post them for the person.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { HttpBindings } from '@hono/node-server';
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { getCookie, setCookie, deleteCookie } from 'hono/cookie';
import {
  acceptInvitationWithCode,
  findInvitation,
  randomFlowValue,
  recordSignIn,
  sendInvitationCode,
  EMAIL_CODE_TTL_SECONDS,
  type Context as DomainContext,
  type EmailCodeRefusal,
  type InvitationView,
} from '../directory/index.ts';
import { isDomainError } from '../errors.ts';
import { consoleTarget, enterConsole } from './console-sign-in.ts';
import type { SsoDeps } from './deps.ts';
import { codeFormPage } from './email-code-pages.ts';
import { invitationExpiredPage, invitationFormExpiredPage, invitationInvalidPage, invitationPage, invitationThrottledPage } from './invitation-pages.ts';
import { browserOf, signInStarter, type C } from './sign-in-start.ts';

/** The page's cookie: the CSRF tokens of its forms are derived from it. */
const PAGE_COOKIE = 'roster_invitation';
/** The cookie a sent code is bound to. */
const CODE_COOKIE = 'roster_invitation_code';
const COOKIE_PATH = '/invitations';

const csrfOf = (secret: string) => createHash('sha256').update(`invitation-form:${secret}`, 'utf8').digest('base64url');

const paths = (token: string) => {
  const base = `${COOKIE_PATH}/${encodeURIComponent(token)}`;
  return { page: base, sso: `${base}/sso`, code: `${base}/code`, accept: `${base}/accept` };
};

/** Mounted under /invitations. */
export function invitationRoutes(deps: SsoDeps): Hono<{ Bindings: HttpBindings }> {
  const routes = new Hono<{ Bindings: HttpBindings }>();
  const starter = signInStarter(deps);
  const secure = deps.publicUrl.startsWith('https:');
  const ctx = (): DomainContext => ({ db: deps.db, actor: { type: 'system', id: 'invitation-link' }, clock: deps.now });

  // The token is in the address: no page of it may be cached or passed on as a referrer.
  routes.use('*', async (c, next) => {
    await next();
    c.header('Cache-Control', 'no-store');
    c.header('Referrer-Policy', 'no-referrer');
  });

  routes.get('/:token', async (c) => {
    const token = c.req.param('token');
    const found = await findInvitation(ctx(), token);
    if (found.state === 'unknown') return c.html(invitationInvalidPage(), 404);
    if (found.state === 'expired') return c.html(invitationExpiredPage(found.invitation), 410);
    let secret = getCookie(c, PAGE_COOKIE);
    if (secret === undefined || secret.length < 32) {
      secret = randomBytes(32).toString('base64url');
      setCookie(c, PAGE_COOKIE, secret, { httpOnly: true, sameSite: 'Lax', secure, path: COOKIE_PATH, maxAge: 86_400 });
    }
    const to = paths(token);
    return c.html(invitationPage(found.invitation, { csrf: csrfOf(secret), ssoAction: to.sso, codeAction: to.code }));
  });

  /** The posted form's CSRF token, when it matches this browser's page cookie. */
  async function formOf(c: C): Promise<{ csrf: string; code: string } | undefined> {
    const body = await c.req.parseBody();
    const secret = getCookie(c, PAGE_COOKIE);
    const posted = typeof body.csrf === 'string' ? body.csrf : '';
    if (secret === undefined) return undefined;
    const expected = Buffer.from(csrfOf(secret));
    const actual = Buffer.from(posted);
    if (expected.length !== actual.length || !timingSafeEqual(expected, actual)) return undefined;
    return { csrf: posted, code: typeof body.code === 'string' ? body.code : '' };
  }

  /** The invitation, or the page saying why it can no longer be accepted (gone, or expired). */
  async function usableInvitation(c: C, token: string): Promise<{ view: InvitationView } | Response> {
    const found = await findInvitation(ctx(), token);
    if (found.state === 'unknown') return c.html(invitationInvalidPage(), 404);
    if (found.state === 'expired') return c.html(invitationExpiredPage(found.invitation), 410);
    return { view: found.invitation };
  }

  // Single sign-on: the organization's IdP, for the invited address.
  routes.post('/:token/sso', bodyLimit({ maxSize: 4096 }), async (c) => {
    const token = c.req.param('token');
    if (!(await formOf(c))) return c.html(invitationFormExpiredPage(paths(token).page), 403);
    const found = await usableInvitation(c, token);
    if (found instanceof Response) return found;
    if (!found.view.signsInWithSso) return c.redirect(paths(token).page, 303);
    return starter.organization(c, consoleTarget(found.view.organization.slug), found.view.organization.slug, found.view.email);
  });

  const codeForm = (token: string, csrf: string, intro: string, problem?: string) =>
    codeFormPage({
      action: paths(token).accept,
      intro,
      hidden: { csrf },
      problem,
      restart: { action: paths(token).code, label: 'Send a new code' },
      button: 'Accept the invitation',
    });

  // A code to the invited address, bound to this browser by a fresh cookie.
  routes.post('/:token/code', bodyLimit({ maxSize: 4096 }), async (c) => {
    const token = c.req.param('token');
    const form = await formOf(c);
    if (!form) return c.html(invitationFormExpiredPage(paths(token).page), 403);
    const browserSecret = randomFlowValue();
    try {
      const sent = await sendInvitationCode(ctx(), deps.box, { token, browserSecret });
      setCookie(c, CODE_COOKIE, browserSecret, { httpOnly: true, sameSite: 'Lax', secure, path: COOKIE_PATH, maxAge: EMAIL_CODE_TTL_SECONDS });
      return c.html(codeForm(token, form.csrf, `We sent a code to ${sent.email}. It expires in ${EMAIL_CODE_TTL_SECONDS / 60} minutes and works only in this browser.`));
    } catch (error) {
      if (!isDomainError(error)) throw error;
      if (error.code === 'limit_exceeded') return c.html(invitationThrottledPage(error.message, paths(token).page), 429);
      if (error.details?.reason === 'sso_required') return c.redirect(paths(token).page, 303);
      const found = await usableInvitation(c, token);
      if (found instanceof Response) return found;
      throw error;
    }
  });

  // The code, typed in the browser that asked for it: the invitation is accepted and the member signed in.
  routes.post('/:token/accept', bodyLimit({ maxSize: 4096 }), async (c) => {
    const token = c.req.param('token');
    const form = await formOf(c);
    if (!form) return c.html(invitationFormExpiredPage(paths(token).page), 403);
    const browserSecret = getCookie(c, CODE_COOKIE);
    const intro = 'Enter the code we emailed to the invited address.';
    if (browserSecret === undefined) {
      const found = await usableInvitation(c, token);
      return found instanceof Response ? found : c.html(codeForm(token, form.csrf, intro, refusalText('no_code', 0)), 400);
    }
    try {
      const accepted = await acceptInvitationWithCode(ctx(), { token, code: form.code, browserSecret });
      if (!accepted.ok) return c.html(codeForm(token, form.csrf, intro, refusalText(accepted.reason, accepted.attemptsLeft)), 400);
      const { member } = accepted;
      await recordSignIn(
        deps.db,
        { organizationId: member.organizationId, connectionId: null, memberId: member.id, email: member.email, ...browserOf(c), outcome: 'succeeded', reason: 'invitation.email_code' },
        deps.now?.(),
      );
      deleteCookie(c, CODE_COOKIE, { path: COOKIE_PATH, secure });
      return enterConsole(c, deps, { organizationId: member.organizationId, memberId: member.id });
    } catch (error) {
      if (!isDomainError(error)) throw error;
      if (error.details?.reason === 'sso_required') return c.redirect(paths(token).page, 303);
      const found = await usableInvitation(c, token);
      if (found instanceof Response) return found;
      throw error;
    }
  });

  return routes;
}

function refusalText(reason: EmailCodeRefusal, attemptsLeft: number): string {
  switch (reason) {
    case 'malformed':
      return 'Enter the six digits of the code from the email.';
    case 'wrong_code':
      return attemptsLeft > 0
        ? `That code is not right. ${attemptsLeft} ${attemptsLeft === 1 ? 'try' : 'tries'} left.`
        : 'That code is not right, and it has had too many wrong tries: it no longer works. Send a new code.';
    case 'used_up':
      return 'This code had too many wrong tries and no longer works. Send a new code.';
    case 'expired':
      return 'This code has expired (codes work for ten minutes). Send a new code.';
    case 'no_code':
      return 'No code is waiting for this browser: it was used, or asked for in another browser. Send a new code.';
  }
}
