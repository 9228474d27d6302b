/**
 * The sign-in routes under /sso: the interaction Roster's OpenID Provider sends a browser to, the
 * SAML ACS and SP metadata, and the OIDC callback. Each handler parses, calls the verbs, and maps
 * the outcome to a redirect or a page; every refusal is recorded with a reference the page shows.
 */
import type { HttpBindings } from '@hono/node-server';
import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response';
import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { getCookie, setCookie } from 'hono/cookie';
import {
  appForIdpInitiatedLogin,
  connectionsOfOrganization,
  consumeCompletedFlow,
  FLOW_TTL_SECONDS,
  hashBrowserSecret,
  loadConnectionForSignIn,
  organizationForEmail,
  takeFlowForAnswer,
  type SsoConnectionForSignIn,
  type SsoConnectionInfo,
} from '../directory/index.ts';
import { isUuid } from '../ids.ts';
import { samlSettingsOf } from './connection-settings.ts';
import type { SsoDeps } from './deps.ts';
import { chooseConnectionPage, emailPage, failurePage } from './pages.ts';
import { MAX_SAML_MESSAGE_BYTES, spMetadataXml } from './saml/index.ts';
import { answerOidc, answerSaml, beginUpstream, fail, type Browser, type SignInFailure } from './upstream.ts';
import { interactionPath } from './urls.ts';

type Env = { Bindings: HttpBindings };
type C = Context<Env>;

/** The form a SAML response is posted in: base64 of at most MAX_SAML_MESSAGE_BYTES, and RelayState. */
const ACS_BODY_LIMIT = Math.ceil((MAX_SAML_MESSAGE_BYTES * 4) / 3) + 16 * 1024;

/** The connection a sign-in begun at the IdP came through, for the app's authorization request that follows. */
const IDP_INITIATED_COOKIE = 'roster_idp_initiated';

/** One cookie per flow, so two sign-ins in two tabs do not overwrite each other's binding. */
const flowCookie = (flowId: string) => `roster_flow_${flowId.slice(0, 16)}`;

export function ssoRoutes(deps: SsoDeps): Hono<Env> {
  const app = new Hono<Env>();
  const secure = deps.publicUrl.startsWith('https:');

  const browserOf = (c: C): Browser => ({
    ip: c.env?.incoming?.socket?.remoteAddress ?? null,
    userAgent: c.req.header('user-agent') ?? null,
  });
  const failed = (c: C, failure: SignInFailure) => c.html(failurePage(failure.reference), failure.status);

  async function start(c: C, uid: string, connection: SsoConnectionForSignIn, loginHint: string | undefined) {
    const { redirectTo, flowId, browserSecret } = await beginUpstream(deps, connection, { interactionUid: uid, loginHint });
    setCookie(c, flowCookie(flowId), browserSecret, { httpOnly: true, sameSite: 'Lax', secure, path: '/sso', maxAge: FLOW_TTL_SECONDS });
    return c.redirect(redirectTo, 303);
  }

  /** Starts the one connection of an organization, or lets the person choose when it has several. */
  async function startForOrganization(c: C, uid: string, slug: string, loginHint: string | undefined) {
    const connections = await connectionsOfOrganization(deps.db, slug);
    if (connections.length === 0) {
      return failed(c, await fail(deps, undefined, browserOf(c), { reason: 'no_connection', detail: `organization "${slug}" has no SSO connection (or does not exist)` }));
    }
    if (connections.length > 1) {
      const hint = loginHint ? `&login_hint=${encodeURIComponent(loginHint)}` : '';
      return c.html(
        chooseConnectionPage(connections.map((k: SsoConnectionInfo) => ({ href: `${interactionPath(uid)}/start?connection=${k.id}${hint}`, name: k.name }))),
      );
    }
    return startConnection(c, uid, connections[0]!.id, loginHint, slug);
  }

  async function startConnection(c: C, uid: string, connectionId: string, loginHint: string | undefined, organizationSlug?: string) {
    const connection = isUuid(connectionId) ? await loadConnectionForSignIn(deps.db, deps.box, connectionId.toLowerCase()) : undefined;
    if (!connection || (organizationSlug !== undefined && connection.organizationSlug !== organizationSlug)) {
      return failed(c, await fail(deps, undefined, browserOf(c), { reason: 'unknown_connection', detail: `no connection ${connectionId}${organizationSlug ? ` in ${organizationSlug}` : ''}` }));
    }
    return start(c, uid, connection, loginHint);
  }

  async function startForEmail(c: C, uid: string, email: string) {
    const organization = await organizationForEmail(deps.db, email);
    if (!organization) return c.html(emailPage(`${interactionPath(uid)}/email`, 'No organization signs in with that email domain. Check the address.'), 400);
    return startForOrganization(c, uid, organization.slug, email);
  }

  // The interaction: oidc-provider sends the browser here when the app's request needs a login
  // (or, for these first-party apps, a consent that is granted at once).
  app.get('/interaction/:uid', async (c) => {
    const { incoming, outgoing } = c.env;
    const details = await deps.rp.provider.interactionDetails(incoming, outgoing);
    if (details.uid !== c.req.param('uid')) return c.html(failurePage('interaction-mismatch'), 400);
    if (details.prompt.name === 'consent') {
      await grantConsent(deps, details);
      await deps.rp.provider.interactionFinished(incoming, outgoing, { consent: { grantId: details.grantId ?? (await grantConsent(deps, details)) } }, { mergeWithLastSubmission: true });
      return RESPONSE_ALREADY_SENT;
    }
    const params = details.params as Record<string, string | undefined>;
    const loginHint = params.login_hint?.trim() || undefined;
    if (params.connection) return startConnection(c, details.uid, params.connection, loginHint, params.organization);
    if (params.organization) return startForOrganization(c, details.uid, params.organization, loginHint);
    // After a sign-in begun at the IdP, the connection it came through (see the ACS) comes first.
    const idpInitiated = getCookie(c, IDP_INITIATED_COOKIE);
    if (idpInitiated) return startConnection(c, details.uid, idpInitiated, loginHint);
    if (loginHint) return startForEmail(c, details.uid, loginHint);
    return c.html(emailPage(`${interactionPath(details.uid)}/email`));
  });

  app.post('/interaction/:uid/email', bodyLimit({ maxSize: 4096 }), async (c) => {
    const details = await deps.rp.provider.interactionDetails(c.env.incoming, c.env.outgoing);
    const form = await c.req.parseBody();
    const email = typeof form.email === 'string' ? form.email.trim() : '';
    if (!/^[^\s@]+@[^\s@]+$/.test(email) || email.length > 320) return c.html(emailPage(`${interactionPath(details.uid)}/email`, 'Enter your work email address.'), 400);
    return startForEmail(c, details.uid, email);
  });

  app.get('/interaction/:uid/start', async (c) => {
    const details = await deps.rp.provider.interactionDetails(c.env.incoming, c.env.outgoing);
    const params = details.params as Record<string, string | undefined>;
    return startConnection(c, details.uid, c.req.query('connection') ?? '', c.req.query('login_hint') ?? params.login_hint, params.organization);
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
    await deps.rp.provider.interactionFinished(
      c.env.incoming,
      c.env.outgoing,
      { login: { accountId: done.memberId, amr: [done.amr], remember: true } },
      { mergeWithLastSubmission: false },
    );
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
      return c.redirect(`${interactionPath(answer.interactionUid)}/finish?flow=${encodeURIComponent(answer.flowId)}`, 303);
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
    return c.redirect(`${interactionPath(answer.interactionUid)}/finish?flow=${encodeURIComponent(answer.flowId)}`, 303);
  });

  return app;
}

async function connectionFor(deps: SsoDeps, raw: string): Promise<SsoConnectionForSignIn | undefined> {
  return isUuid(raw) ? loadConnectionForSignIn(deps.db, deps.box, raw.toLowerCase()) : undefined;
}

/**
 * Apps registered with Roster are the operator's own (first-party): the consent prompt is
 * answered at once with exactly what the app asked for.
 */
async function grantConsent(deps: SsoDeps, details: Awaited<ReturnType<SsoDeps['rp']['provider']['interactionDetails']>>): Promise<string> {
  const { Grant } = deps.rp.provider;
  const accountId = details.session?.accountId;
  const clientId = details.params.client_id as string;
  const grant = details.grantId ? ((await Grant.find(details.grantId)) ?? new Grant({ accountId, clientId })) : new Grant({ accountId, clientId });
  const missing = details.prompt.details as { missingOIDCScope?: string[]; missingOIDCClaims?: string[]; missingResourceScopes?: Record<string, string[]> };
  if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
  if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
  for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes ?? {})) grant.addResourceScope(indicator, scopes.join(' '));
  return grant.save();
}
