/**
 * Signing in to Roster's own console with the same SSO as the apps: the person's organization
 * connection, the same flows and checks, and at the end a console session instead of a code for
 * an app; or, in an organization without SSO, with a one-time code sent to the member's address.
 * The session is an opaque id in an HttpOnly, SameSite=Lax cookie (Secure under https) backed by
 * a row, so deactivating the member ends it at once on every instance.
 */
import type { HttpBindings } from '@hono/node-server';
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { closeConsoleSession, consumeCompletedFlow, CONSOLE_SESSION_TTL_SECONDS, openConsoleSession } from '../directory/index.ts';
import type { OrganizationId } from '../ids.ts';
import type { SsoDeps } from './deps.ts';
import { browserOf, showFailure, signInStarter, type C, type SignInTarget } from './sign-in-start.ts';
import { fail } from './upstream.ts';
import { CONSOLE_SESSION_COOKIE, CONSOLE_SIGN_IN_PATH } from '../http/index.ts';
import { flowCookie } from './urls.ts';

/** Where a signed-in person lands. */
export const CONSOLE_HOME = '/console';

const CONSOLE_CODE_PATH = '/sso/console/code';

const withOrganization = (path: string, organization: string | undefined) => (organization ? `${path}?organization=${encodeURIComponent(organization)}` : path);

/** A console sign-in, for the organization a link names (if any). */
export function consoleTarget(organization?: string): SignInTarget {
  return {
    purpose: 'console',
    interactionUid: '',
    emailAction: withOrganization(CONSOLE_SIGN_IN_PATH, organization),
    startHref: (id, hint) => `${CONSOLE_SIGN_IN_PATH}?connection=${id}${hint ? `&login_hint=${encodeURIComponent(hint)}` : ''}`,
    organization,
    codeAction: withOrganization(CONSOLE_CODE_PATH, organization),
    restartHref: withOrganization(CONSOLE_SIGN_IN_PATH, organization),
    cookiePath: '/sso/console',
  };
}

/** Opens a console session for a signed-in member: the cookie, and the way home. */
export async function enterConsole(c: C, deps: SsoDeps, member: { organizationId: OrganizationId; memberId: string }) {
  const session = await openConsoleSession(deps.db, { organizationId: member.organizationId, memberId: member.memberId }, deps.now?.());
  setCookie(c, CONSOLE_SESSION_COOKIE, session.id, { httpOnly: true, sameSite: 'Lax', secure: deps.publicUrl.startsWith('https:'), path: '/', maxAge: CONSOLE_SESSION_TTL_SECONDS });
  return c.redirect(CONSOLE_HOME, 303);
}

/** Mounted under /sso/console. */
export function consoleSignInRoutes(deps: SsoDeps): Hono<{ Bindings: HttpBindings }> {
  const routes = new Hono<{ Bindings: HttpBindings }>();
  const starter = signInStarter(deps);
  const secure = deps.publicUrl.startsWith('https:');

  routes.get('/sign-in', async (c) => {
    const connection = c.req.query('connection');
    const organization = c.req.query('organization') || undefined;
    const loginHint = c.req.query('login_hint')?.trim() || undefined;
    const target = consoleTarget(organization);
    if (connection) return starter.connection(c, target, connection, loginHint, organization);
    if (organization) return starter.organization(c, target, organization, loginHint);
    if (loginHint) return starter.email(c, target, loginHint, { send: false });
    return starter.askEmail(c, target);
  });

  routes.post('/sign-in', bodyLimit({ maxSize: 4096 }), (c) => starter.emailForm(c, consoleTarget(c.req.query('organization') || undefined)));

  routes.post('/code', bodyLimit({ maxSize: 4096 }), (c) => starter.code(c, consoleTarget(c.req.query('organization') || undefined), (member) => enterConsole(c, deps, member)));

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
    deleteCookie(c, flowCookie(flowId), { path: '/sso', secure });
    return enterConsole(c, deps, done);
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
