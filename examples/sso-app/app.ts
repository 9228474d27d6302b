/**
 * An app that signs people in through Roster, and shows what Roster says about them. Roster is an
 * ordinary OpenID Provider to the app: discovery, the authorization code flow with PKCE, state and
 * nonce, the code exchange, userinfo. Which company IdP (SAML or OIDC) the person signs in at is
 * Roster's business; the app only says which organization, or passes the person's work email.
 *
 *   CLIENT_ID=… CLIENT_SECRET=… npx tsx examples/sso-app/app.ts
 *
 * Environment: ROSTER_ISSUER (default http://127.0.0.1:3000), CLIENT_ID and CLIENT_SECRET (from
 * `roster app create --json`), PORT (default 4000). The app's redirect URI, registered with
 * `roster app create --redirect-uri`, is http://127.0.0.1:PORT/callback.
 *
 * This is an example: pending sign-ins are kept in this process's memory, and the callback only
 * shows the claims. A real app keeps them in its session store and starts its own session there.
 */
import { randomBytes } from 'node:crypto';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { html } from 'hono/html';
import * as oidc from 'openid-client';

const issuer = new URL(process.env.ROSTER_ISSUER ?? 'http://127.0.0.1:3000');
const port = Number(process.env.PORT ?? 4000);
const clientId = process.env.CLIENT_ID;
const clientSecret = process.env.CLIENT_SECRET;
if (!clientId || !clientSecret) {
  console.error('Set CLIENT_ID and CLIENT_SECRET: the clientId and clientSecret that `roster app create --json` printed.');
  process.exit(2);
}
const redirectUri = `http://127.0.0.1:${port}/callback`;

// openid-client refuses plain http, as it should. Roster on this machine is http, so it is allowed
// for a loopback issuer only; any other issuer must be https.
const loopback = issuer.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(issuer.hostname);
const config = await oidc.discovery(issuer, clientId, undefined, oidc.ClientSecretBasic(clientSecret), {
  execute: loopback ? [oidc.allowInsecureRequests] : [],
});

/** What the callback must check, per pending sign-in; the browser holds only the key, in a cookie. */
const pending = new Map<string, { codeVerifier: string; state: string; nonce: string }>();
const COOKIE = 'sso_example_login';

const page = (title: string, body: unknown) =>
  html`<!doctype html><meta charset="utf-8" /><title>${title}</title>
    <style>body{font-family:system-ui,sans-serif;max-width:48rem;margin:2rem auto}td{padding:.2rem .6rem;vertical-align:top}pre{background:#f4f4f4;padding:1rem;overflow:auto}</style>
    <h1>${title}</h1>${body}`;

const app = new Hono();

app.get('/', (c) =>
  c.html(
    page(
      'Example app',
      html`<form action="/login"><label>Organization <input name="organization" placeholder="acme" /></label> <button>Sign in with SSO</button></form>
        <form action="/login"><label>or work email <input name="login_hint" type="email" placeholder="ada@acme.example" /></label> <button>Sign in with SSO</button></form>
        <p>or <a href="/login">sign in</a> and let Roster ask for your work email.</p>`,
    ),
  ),
);

/** Sends the browser to Roster, with `organization`, `connection` or `login_hint` when given. */
app.get('/login', async (c) => {
  const codeVerifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  const parameters: Record<string, string> = {
    redirect_uri: redirectUri,
    scope: 'openid email profile',
    code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: 'S256',
    state,
    nonce,
  };
  for (const name of ['organization', 'connection', 'login_hint']) {
    const value = c.req.query(name)?.trim();
    if (value) parameters[name] = value;
  }
  const key = randomBytes(16).toString('base64url');
  pending.set(key, { codeVerifier, state, nonce });
  setTimeout(() => pending.delete(key), 10 * 60_000).unref();
  setCookie(c, COOKIE, key, { httpOnly: true, sameSite: 'Lax', path: '/', maxAge: 600 });
  return c.redirect(oidc.buildAuthorizationUrl(config, parameters).href);
});

/** Roster sends the browser back here with a code: exchange it, check the ID token, read userinfo. */
app.get('/callback', async (c) => {
  const key = getCookie(c, COOKIE) ?? '';
  const checks = pending.get(key);
  pending.delete(key);
  deleteCookie(c, COOKIE, { path: '/' });
  if (!checks) return c.html(page('Sign-in failed', html`<p>No sign-in was started in this browser. <a href="/">Start again</a>.</p>`), 400);

  // The URL Roster redirected to, on the redirect URI's origin (the app may sit behind a proxy).
  const callbackUrl = new URL(new URL(c.req.url).search, redirectUri);
  const tokens = await oidc.authorizationCodeGrant(config, callbackUrl, {
    pkceCodeVerifier: checks.codeVerifier,
    expectedState: checks.state,
    expectedNonce: checks.nonce,
    idTokenExpected: true,
  });
  const claims = tokens.claims()!;
  const userinfo = await oidc.fetchUserInfo(config, tokens.access_token, claims.sub);
  const rows = Object.entries(claims).map(([name, value]) => html`<tr><td><code>${name}</code></td><td><code>${JSON.stringify(value)}</code></td></tr>`);
  return c.html(
    page(
      `Signed in as ${String(claims.email ?? claims.sub)}`,
      html`<h2>ID token claims</h2><table>${rows}</table>
        <h2>Userinfo</h2><pre>${JSON.stringify(userinfo, null, 2)}</pre>
        <p><a href="/">Back</a></p>`,
    ),
  );
});

// A refused sign-in lands here: an error Roster redirected with (access_denied…), or a check of
// the callback or the ID token that failed.
app.onError((error, c) => {
  const refused = error instanceof oidc.AuthorizationResponseError || error instanceof oidc.ResponseBodyError;
  const reason = refused ? `${error.error}: ${error.error_description ?? ''}` : error.message;
  return c.html(page('Sign-in failed', html`<p>${reason}</p><p><a href="/">Start again</a></p>`), refused ? 400 : 500);
});

serve({ fetch: app.fetch, port, hostname: '127.0.0.1' }, (info) => {
  console.log(`example app listening on http://127.0.0.1:${info.port} (issuer ${config.serverMetadata().issuer})`);
});
