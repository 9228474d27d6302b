/**
 * Choosing the connection a person signs in with, and sending the browser to its IdP: the same
 * for an app's authorization request (its OpenID Provider interaction) and for Roster's console.
 * A connection is named outright, or found through the organization, or through the verified
 * domain of the person's work email; an organization with several connections lets them choose.
 * An address no IdP signs in gets a one-time code instead (email-code-sign-in.ts).
 */
import type { HttpBindings } from '@hono/node-server';
import type { Context } from 'hono';
import { setCookie } from 'hono/cookie';
import {
  connectionsOfOrganization,
  enterOrganization,
  FLOW_TTL_SECONDS,
  loadConnectionForSignIn,
  organizationForEmail,
  type SsoConnectionForSignIn,
} from '../directory/index.ts';
import { isDomainError } from '../errors.ts';
import { isUuid } from '../ids.ts';
import type { SsoDeps } from './deps.ts';
import { emailCodeSignIn, type CodeTarget } from './email-code-sign-in.ts';
import { chooseConnectionPage, emailPage, failurePage } from './pages.ts';
import { beginUpstream, fail, type Browser, type SignInFailure } from './upstream.ts';
import { flowCookie } from './urls.ts';

export type C = Context<{ Bindings: HttpBindings }>;

/** Who the sign-in is for, and where its own pages post and link to. */
export interface SignInTarget extends CodeTarget {
  purpose: 'app' | 'console';
  /** The OpenID Provider interaction ('' for the console). */
  interactionUid: string;
  /** Where the work-email form posts. */
  emailAction: string;
  /** The link that starts one connection, from the choice page. */
  startHref(connectionId: string, loginHint: string | undefined): string;
}

export function browserOf(c: C): Browser {
  return { ip: c.env?.incoming?.socket?.remoteAddress ?? null, userAgent: c.req.header('user-agent') ?? null };
}

export const showFailure = (c: C, failure: SignInFailure) => c.html(failurePage(failure.reference), failure.status);

export function signInStarter(deps: SsoDeps) {
  const secure = deps.publicUrl.startsWith('https:');
  const codes = emailCodeSignIn(deps);

  async function start(c: C, target: SignInTarget, connection: SsoConnectionForSignIn, loginHint: string | undefined) {
    const { redirectTo, flowId, browserSecret } = await beginUpstream(deps, connection, {
      interactionUid: target.interactionUid,
      purpose: target.purpose,
      loginHint,
    });
    setCookie(c, flowCookie(flowId), browserSecret, { httpOnly: true, sameSite: 'Lax', secure, path: '/sso', maxAge: FLOW_TTL_SECONDS });
    return c.redirect(redirectTo, 303);
  }

  async function connection(c: C, target: SignInTarget, connectionId: string, loginHint: string | undefined, organizationSlug?: string) {
    const found = isUuid(connectionId) ? await loadConnectionForSignIn(deps.db, deps.box, connectionId.toLowerCase()) : undefined;
    if (!found || (organizationSlug !== undefined && found.organizationSlug !== organizationSlug)) {
      return showFailure(
        c,
        await fail(deps, undefined, browserOf(c), { reason: 'unknown_connection', detail: `no connection ${connectionId}${organizationSlug ? ` in ${organizationSlug}` : ''}` }),
      );
    }
    return start(c, target, found, loginHint);
  }

  async function organization(c: C, target: SignInTarget, slug: string, loginHint: string | undefined) {
    const connections = await connectionsOfOrganization(deps.db, slug);
    // An organization without SSO signs its members in with a code sent to their address.
    if (connections.length === 0 && (await organizationExists(slug))) return c.html(emailPage(target.emailAction, undefined, loginHint));
    if (connections.length === 0) {
      return showFailure(c, await fail(deps, undefined, browserOf(c), { reason: 'no_connection', detail: `organization "${slug}" has no SSO connection (or does not exist)` }));
    }
    if (connections.length > 1) {
      return c.html(chooseConnectionPage(connections.map((k) => ({ href: target.startHref(k.id, loginHint), name: k.name }))));
    }
    return connection(c, target, connections[0]!.id, loginHint, slug);
  }

  /**
   * Signs in the owner of an address: through its organization's IdP (the one the request names,
   * or the one that verified the address's domain) when it has one; otherwise with a one-time code,
   * sent right away for a posted address (`send`), or after the person confirms a hinted one.
   */
  async function email(c: C, target: SignInTarget, address: string, options: { send: boolean } = { send: true }) {
    const slug = target.organization ?? (await organizationForEmail(deps.db, address))?.slug;
    if (slug !== undefined && (await connectionsOfOrganization(deps.db, slug)).length > 0) return organization(c, target, slug, address);
    if (!options.send) return c.html(emailPage(target.emailAction, undefined, address));
    return codes.send(c, target, address);
  }

  async function organizationExists(slug: string) {
    try {
      await enterOrganization({ db: deps.db, actor: { type: 'system', id: 'sign-in' } }, slug);
      return true;
    } catch (error) {
      if (isDomainError(error) && error.code === 'not_found') return false;
      throw error;
    }
  }

  /** The posted work-email form. */
  async function emailForm(c: C, target: SignInTarget) {
    const form = await c.req.parseBody();
    const address = typeof form.email === 'string' ? form.email.trim() : '';
    if (!/^[^\s@]+@[^\s@]+$/.test(address) || address.length > 320) return c.html(emailPage(target.emailAction, 'Enter your work email address.'), 400);
    return email(c, target, address);
  }

  return {
    connection,
    organization,
    email,
    emailForm,
    askEmail: (c: C, target: SignInTarget) => c.html(emailPage(target.emailAction)),
    /** The posted one-time code, for a sign-in that `finish`es it. */
    code: codes.verify,
  };
}
