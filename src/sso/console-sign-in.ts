/**
 * Signing in to Roster's own console with the same SSO as the apps: the person's organization
 * connection, the same flows and checks, and at the end a console session instead of a code for
 * an app. The session is an opaque id in an HttpOnly, SameSite=Lax cookie (Secure under https)
 * backed by a row, so deactivating the member ends it at once on every instance.
 */
import type { HttpBindings } from '@hono/node-server';
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { closeConsoleSession, consumeCompletedFlow, CONSOLE_SESSION_TTL_SECONDS, openConsoleSession } from '../directory/index.ts';
import type { SsoDeps } from './deps.ts';
import { browserOf, showFailure, signInStarter, type SignInTarget } from './sign-in-start.ts';
import { fail } from './upstream.ts';
import { CONSOLE_SESSION_COOKIE, CONSOLE_SIGN_IN_PATH } from '../http/index.ts';
import { flowCookie } from './urls.ts';

/** Where a signed-in person lands. */
export const CONSOLE_HOME = '/console';

const target: SignInTarget = {
  purpose: 'console',
  interactionUid: '',
  emailAction: CONSOLE_SIGN_IN_PATH,
  startHref: (id) => `${CONSOLE_SIGN_IN_PATH}?connection=${id}`,
};

/** Mounted under /sso/console. */
export function consoleSignInRoutes(deps: SsoDeps): Hono<{ Bindings: HttpBindings }> {
  const routes = new Hono<{ Bindings: HttpBindings }>();
  const starter = signInStarter(deps);
  const secure = deps.publicUrl.startsWith('https:');

  routes.get('/sign-in', async (c) => {
    const connection = c.req.query('connection');
    const organization = c.req.query('organization');
    if (connection) return starter.connection(c, target, connection, undefined, organization);
    if (organization) return starter.organization(c, target, organization, undefined);
    return starter.askEmail(c, target);
  });

  routes.post('/sign-in', bodyLimit({ maxSize: 4096 }), (c) => starter.emailForm(c, target));

  routes.get('/finish', async (c) => {
    const flowId = c.req.query('flow') ?? '';
    const browserSecret = getCookie(c, flowCookie(flowId));
    const done =
      browserSecret === undefined
        ? undefined
        : await consumeCompletedFlow(deps.db, { flowId, interactionUid: '', browserSecret, purpose: 'console' }, deps.now?.());
    if (!done) {
      return showFailure(
        c,
        await fail(deps, undefined, browserOf(c), {
          reason: browserSecret === undefined ? 'flow_cookie_missing' : 'flow_not_completable',
          detail: 'console sign-in flow unknown, already used, expired, or started in another browser',
        }),
      );
    }
    const session = await openConsoleSession(deps.db, { organizationId: done.organizationId, memberId: done.memberId }, deps.now?.());
    setCookie(c, CONSOLE_SESSION_COOKIE, session.id, { httpOnly: true, sameSite: 'Lax', secure, path: '/', maxAge: CONSOLE_SESSION_TTL_SECONDS });
    deleteCookie(c, flowCookie(flowId), { path: '/sso', secure });
    return c.redirect(CONSOLE_HOME, 303);
  });

  // A POST, so a link or an image elsewhere cannot sign someone out; SameSite=Lax keeps the
  // cookie off cross-site POSTs.
  routes.post('/sign-out', async (c) => {
    const id = getCookie(c, CONSOLE_SESSION_COOKIE);
    if (id) await closeConsoleSession(deps.db, id);
    deleteCookie(c, CONSOLE_SESSION_COOKIE, { path: '/', secure });
    return c.redirect(CONSOLE_SIGN_IN_PATH, 303);
  });

  return routes;
}
