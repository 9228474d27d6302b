/**
 * The sign-in routes under /sso: the interaction Roster's OpenID Provider sends a browser to, the
 * SAML ACS and SP metadata, and the OIDC callback. Each handler parses, calls the verbs, and maps
 * the outcome to a redirect or a page; every refusal is recorded with a reference the page shows.
 */
import type { HttpBindings } from '@hono/node-server';
import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response';
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { getCookie, setCookie } from 'hono/cookie';
import {
  appForIdpInitiatedLogin,
  consumeCompletedFlow,
  hashBrowserSecret,
  loadConnectionForSignIn,
  takeFlowForAnswer,
  type SsoConnectionForSignIn,
} from '../directory/index.ts';
import { isUuid } from '../ids.ts';
import { samlSettingsOf } from './connection-settings.ts';
import { consoleSignInRoutes } from './console-sign-in.ts';
import type { SsoDeps } from './deps.ts';
import { MAX_SAML_MESSAGE_BYTES, spMetadataXml } from './saml/index.ts';
import { browserOf, showFailure, signInStarter, type C, type SignInTarget } from './sign-in-start.ts';
import { answerOidc, answerSaml, fail } from './upstream.ts';
import { CONSOLE_FINISH_PATH, flowCookie, interactionPath } from './urls.ts';

type Env = { Bindings: HttpBindings };

/** The form a SAML response is posted in: base64 of at most MAX_SAML_MESSAGE_BYTES, and RelayState. */
const ACS_BODY_LIMIT = Math.ceil((MAX_SAML_MESSAGE_BYTES * 4) / 3) + 16 * 1024;

/** The connection a sign-in begun at the IdP came through, for the app's authorization request that follows. */
const IDP_INITIATED_COOKIE = 'roster_idp_initiated';

/** Where the browser picks up the result of its sign-in: the app's interaction, or the console. */
const finishUrl = (answer: { flowId: string; interactionUid: string; purpose: 'app' | 'console' }) =>
  answer.purpose === 'console'
    ? `${CONSOLE_FINISH_PATH}?flow=${encodeURIComponent(answer.flowId)}`
    : `${interactionPath(answer.interactionUid)}/finish?flow=${encodeURIComponent(answer.flowId)}`;

export function ssoRoutes(deps: SsoDeps): Hono<Env> {
  const app = new Hono<Env>();
  const secure = deps.publicUrl.startsWith('https:');
  const starter = signInStarter(deps);
  const failed = showFailure;

  /** The app's interaction: its pages, and the organization its authorization request names. */
  const appTarget = (uid: string, params: Record<string, unknown>): SignInTarget => ({
    purpose: 'app',
    interactionUid: uid,
    emailAction: `${interactionPath(uid)}/email`,
    startHref: (id, hint) => `${interactionPath(uid)}/start?connection=${id}${hint ? `&login_hint=${encodeURIComponent(hint)}` : ''}`,
    organization: typeof params.organization === 'string' && params.organization !== '' ? params.organization : undefined,
    codeAction: `${interactionPath(uid)}/code`,
    restartHref: interactionPath(uid),
    cookiePath: interactionPath(uid),
  });

  /**
   * The interaction this browser is in, or a failure page: a bookmarked or shared interaction URL,
   * an expired one, or a browser without the provider's interaction cookie has none.
   */
  async function interactionOf(c: C) {
    try {
      return await deps.rp.provider.interactionDetails(c.env.incoming, c.env.outgoing);
    } catch (error) {
      return fail(deps, undefined, browserOf(c), {
        reason: 'interaction_not_found',
        detail: `no interaction for this browser at ${c.req.path}: ${(error as Error).message}`,
      });
    }
  }

  // The interaction: oidc-provider sends the browser here when the app's request needs a login.
  // (Apps are first-party: their grants are loaded without a consent prompt, see provider.ts.)
  app.get('/interaction/:uid', async (c) => {
    const details = await interactionOf(c);
    if ('ok' in details) return failed(c, details);
    if (details.uid !== c.req.param('uid')) return failed(c, await fail(deps, undefined, browserOf(c), { reason: 'interaction_mismatch', detail: 'the interaction cookie names another interaction' }));
    const params = details.params as Record<string, string | undefined>;
    const target = appTarget(details.uid, params);
    const loginHint = params.login_hint?.trim() || undefined;
    if (params.connection) return starter.connection(c, target, params.connection, loginHint, params.organization);
    if (params.organization) return starter.organization(c, target, params.organization, loginHint);
    // After a sign-in begun at the IdP, the connection it came through (see the ACS) comes first.
    const idpInitiated = getCookie(c, IDP_INITIATED_COOKIE);
    if (idpInitiated) return starter.connection(c, target, idpInitiated, loginHint);
    // A hinted address that no IdP signs in is confirmed by the person before a code is sent.
    if (loginHint) return starter.email(c, target, loginHint, { send: false });
    return starter.askEmail(c, target);
  });

  app.post('/interaction/:uid/email', bodyLimit({ maxSize: 4096 }), async (c) => {
    const details = await interactionOf(c);
    if ('ok' in details) return failed(c, details);
    return starter.emailForm(c, appTarget(details.uid, details.params));
  });

  // The one-time code of a member whose organization has no SSO: checked, it ends the interaction
  // as an upstream sign-in does, with amr `otp`.
  app.post('/interaction/:uid/code', bodyLimit({ maxSize: 4096 }), async (c) => {
    const details = await interactionOf(c);
    if ('ok' in details) return failed(c, details);
    if (details.uid !== c.req.param('uid')) return failed(c, await fail(deps, undefined, browserOf(c), { reason: 'interaction_mismatch', detail: 'the interaction cookie names another interaction' }));
    return starter.code(c, appTarget(details.uid, details.params), async (member) => {
      try {
        await deps.rp.provider.interactionFinished(
          c.env.incoming,
          c.env.outgoing,
          { login: { accountId: member.memberId, amr: ['otp'], remember: true } },
          { mergeWithLastSubmission: false },
        );
      } catch (error) {
        return failed(
          c,
          await fail(deps, undefined, browserOf(c), {
            reason: 'interaction_not_found',
            detail: `the code was right but interaction ${details.uid} is gone: ${(error as Error).message}`,
            memberId: member.memberId,
          }),
        );
      }
      return RESPONSE_ALREADY_SENT;
    });
  });

  app.get('/interaction/:uid/start', async (c) => {
    const details = await interactionOf(c);
    if ('ok' in details) return failed(c, details);
    const params = details.params as Record<string, string | undefined>;
    return starter.connection(c, appTarget(details.uid, params), c.req.query('connection') ?? '', c.req.query('login_hint') ?? params.login_hint, params.organization);
  });

  // Back from the IdP: hand the member to the OpenID Provider, which redirects to the app with a code.
  app.get('/interaction/:uid/finish', async (c) => {
    const flowId = c.req.query('flow') ?? '';
    const browserSecret = getCookie(c, flowCookie(flowId));
    const uid = c.req.param('uid');
    const done = browserSecret === undefined ? undefined : await consumeCompletedFlow(deps.db, { flowId, interactionUid: uid, browserSecret }, deps.now?.());
    if (!done) {
      return failed(
        c,
        await fail(deps, undefined, browserOf(c), {
          reason: browserSecret === undefined ? 'flow_cookie_missing' : 'flow_not_completable',
          detail: `flow ${flowId.slice(0, 8)}… for interaction ${uid} is unknown, already used, expired, or was started in another browser`,
        }),
      );
    }
    try {
      await deps.rp.provider.interactionFinished(
        c.env.incoming,
        c.env.outgoing,
        { login: { accountId: done.memberId, amr: [done.amr], remember: true } },
        { mergeWithLastSubmission: false },
      );
    } catch (error) {
      // The app's request expired (or its cookie is gone) while the person was at their IdP.
      return failed(
        c,
        await fail(deps, undefined, browserOf(c), {
          reason: 'interaction_not_found',
          detail: `the sign-in succeeded (${done.signInId}) but interaction ${uid} is gone: ${(error as Error).message}`,
          memberId: done.memberId,
        }),
      );
    }
    return RESPONSE_ALREADY_SENT;
  });

  app.get('/saml/:connectionId/metadata', async (c) => {
    const connection = await connectionFor(deps, c.req.param('connectionId'));
    if (!connection || connection.type !== 'saml') return c.text('no such SAML connection', 404);
    return c.body(spMetadataXml(samlSettingsOf(connection).sp), 200, { 'content-type': 'application/samlmetadata+xml; charset=utf-8' });
  });

  app.post(
    '/saml/:connectionId/acs',
    bodyLimit({ maxSize: ACS_BODY_LIMIT, onError: async (c) => failed(c as C, await fail(deps, undefined, browserOf(c as C), { reason: 'saml.too_large', detail: 'the posted form exceeds the ACS limit' })) }),
    async (c) => {
      const browser = browserOf(c);
      const connection = await connectionFor(deps, c.req.param('connectionId'));
      if (!connection || connection.type !== 'saml') {
        return failed(c, await fail(deps, undefined, browser, { reason: 'unknown_connection', detail: `ACS of unknown connection ${c.req.param('connectionId')}` }));
      }
      const form = await c.req.parseBody();
      const samlResponse = typeof form.SAMLResponse === 'string' ? form.SAMLResponse : '';
      const relayState = typeof form.RelayState === 'string' ? form.RelayState : '';
      if (samlResponse === '') return failed(c, await fail(deps, connection, browser, { reason: 'saml.malformed', detail: 'no SAMLResponse in the posted form' }));
      // RelayState is only ever a key to a flow of this connection; anything else is treated as
      // absent (an IdP-initiated response), never followed as a URL.
      const flow = relayState === '' ? undefined : await takeFlowForAnswer(deps.db, deps.box, { flowId: relayState, connectionId: connection.id }, deps.now?.());
      // IdPs send a configured default RelayState with IdP-initiated responses (Okta, Google):
      // where those are allowed, an unknown RelayState is ignored (never followed) rather than refused.
      if (relayState !== '' && !flow && !samlSettingsOf(connection).idp.allowIdpInitiated) {
        return failed(c, await fail(deps, connection, browser, { reason: 'saml.unknown_relay_state', detail: 'RelayState names no open sign-in of this connection (unknown, used, or expired)' }));
      }
      const answer = await answerSaml(deps, connection, flow, samlResponse, browser);
      if (answer.ok === 'unsolicited') {
        // A sign-in begun at the IdP has no authorization request of the app to answer. It is
        // turned into an ordinary one (OIDC Core §4, third-party-initiated login): the person goes
        // to the app's initiate-login URI, the app sends them back through /oauth2/authorize, and
        // this connection (remembered for five minutes) signs them in again, silently at the IdP.
        const target = await appForIdpInitiatedLogin(deps.db);
        if (!target.ok) {
          return failed(c, await fail(deps, connection, browser, { reason: 'saml.idp_initiated_unrouted', detail: `IdP-initiated sign-in accepted, but ${target.reason}` }));
        }
        setCookie(c, IDP_INITIATED_COOKIE, connection.id, { httpOnly: true, sameSite: 'Lax', secure, path: '/sso', maxAge: 300 });
        const url = new URL(target.initiateLoginUri);
        url.searchParams.set('iss', deps.publicUrl);
        url.searchParams.set('login_hint', answer.email);
        return c.redirect(url.href, 303);
      }
      if (!answer.ok) return failed(c, answer);
      return c.redirect(finishUrl(answer), 303);
    },
  );

  app.get('/oidc/:connectionId/callback', async (c) => {
    const browser = browserOf(c);
    const connection = await connectionFor(deps, c.req.param('connectionId'));
    if (!connection || connection.type !== 'oidc') {
      return failed(c, await fail(deps, undefined, browser, { reason: 'unknown_connection', detail: `callback of unknown connection ${c.req.param('connectionId')}` }));
    }
    const state = c.req.query('state') ?? '';
    const browserSecret = getCookie(c, flowCookie(state));
    const flow = state === '' ? undefined : await takeFlowForAnswer(deps.db, deps.box, { flowId: state, connectionId: connection.id }, deps.now?.());
    if (!flow) return failed(c, await fail(deps, connection, browser, { reason: 'oidc.state_mismatch', detail: 'state names no open sign-in of this connection (unknown, used, or expired)' }));
    // The callback is a top-level GET, so the flow's SameSite=Lax cookie is sent: check it here
    // already, before spending a code, and again when the interaction resumes.
    if (browserSecret === undefined || hashBrowserSecret(browserSecret) !== flow.browserHash) {
      return failed(c, await fail(deps, connection, browser, { reason: 'oidc.browser_mismatch', detail: 'the callback reached a browser other than the one that started the sign-in' }));
    }
    const answer = await answerOidc(deps, connection, flow, new URL(c.req.url).search, browser);
    if (answer.ok === 'unsolicited') throw new Error('an OIDC answer always has its flow');
    if (!answer.ok) return failed(c, answer);
    return c.redirect(finishUrl(answer), 303);
  });

  app.route('/console', consoleSignInRoutes(deps));

  return app;
}

async function connectionFor(deps: SsoDeps, raw: string): Promise<SsoConnectionForSignIn | undefined> {
  return isUuid(raw) ? loadConnectionForSignIn(deps.db, deps.box, raw.toLowerCase()) : undefined;
}
