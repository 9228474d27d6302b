/**
 * A demo OpenID Provider that plays a customer's IdP (their Okta, Entra ID, Google…), so that
 * Roster's SSO can be tried on one machine. Built with oidc-provider.
 *
 * DEMO ONLY, never for real people: there are no passwords (the login page lets you pick one of
 * the accounts below), everything is kept in memory, signing keys are new at every start, and the
 * one client accepts any redirect URI under Roster's `/sso/oidc/` (see `redirectUriAllowed`).
 *
 *   npx tsx examples/test-idp/oidc-idp.ts
 *
 * Environment:
 *   IDP_PORT           port to listen on, on 127.0.0.1 (default 5555; 0 picks a free one)
 *   ROSTER_URL         Roster's PUBLIC_URL, whose /sso/oidc/<connection id>/callback URIs are accepted
 *                      (default http://127.0.0.1:3000)
 *   IDP_CLIENT_ID      the client Roster signs in as (default roster)
 *   IDP_CLIENT_SECRET  its secret (default demo-secret)
 *
 * Then, in Roster: roster connection create --org acme --type oidc --issuer http://127.0.0.1:5555
 *   --client-id roster --client-secret demo-secret (with ALLOW_INSECURE_IDP_URLS=true: plain http).
 */
import { randomBytes } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair } from 'jose';
import Provider, { type Configuration } from 'oidc-provider';

/** The people of this IdP: pick one on the login page. The key is their `sub`. */
const ACCOUNTS: Record<string, { email: string; given_name: string; family_name: string; groups: string[] }> = {
  'demo-user-ada': { email: 'ada@acme.example', given_name: 'Ada', family_name: 'Lovelace', groups: ['Engineering'] },
  'demo-user-grace': { email: 'grace@acme.example', given_name: 'Grace', family_name: 'Hopper', groups: ['Engineering', 'Admins'] },
};

const port = Number(process.env.IDP_PORT ?? 5555);
const rosterUrl = (process.env.ROSTER_URL ?? 'http://127.0.0.1:3000').replace(/\/+$/, '');
const clientId = process.env.IDP_CLIENT_ID ?? 'roster';
const clientSecret = process.env.IDP_CLIENT_SECRET ?? 'demo-secret';

// Roster's redirect URI for a connection is ROSTER_URL/sso/oidc/<connection id>/callback, and the
// id exists only once `roster connection create` has run, which itself needs this IdP up (it reads
// the discovery document). A real IdP is given the exact URI the command prints; this demo accepts
// every URI under the prefix instead, so it can be started first and never reconfigured.
const redirectPrefix = `${rosterUrl}/sso/oidc/`;

// Listen first: the issuer is the URL, which holds the port (chosen by the system with IDP_PORT=0).
const server = http.createServer();
await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

const { privateKey } = await generateKeyPair('RS256', { extractable: true });
const configuration: Configuration = {
  clients: [
    {
      client_id: clientId,
      client_secret: clientSecret,
      // oidc-provider wants one registered URI; it stands for the prefix (see redirectUriAllowed).
      redirect_uris: [redirectPrefix],
      grant_types: ['authorization_code'],
      response_types: ['code'],
    },
  ],
  jwks: { keys: [{ ...(await exportJWK(privateKey)), alg: 'RS256', use: 'sig' }] },
  // A browser keeps cookies per host, not per port: beside Roster (oidc-provider too) on 127.0.0.1,
  // this IdP's cookies need names of their own, or each would overwrite the other's session.
  cookies: {
    keys: [randomBytes(32).toString('base64url')],
    names: { session: 'demo_idp_session', interaction: 'demo_idp_interaction', resume: 'demo_idp_resume' },
  },
  // ID tokens carry every claim of the granted scopes (Roster also reads userinfo when they don't).
  conformIdTokenClaims: false,
  scopes: ['openid', 'email', 'profile'],
  // Roster asks for openid, email and profile by default; `groups` rides along with profile here.
  claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name', 'given_name', 'family_name', 'groups'] },
  features: { devInteractions: { enabled: false } },
  interactions: { url: (_ctx, interaction) => `/login/${interaction.uid}` },
  ttl: { AuthorizationCode: 60, AccessToken: 600, IdToken: 600, Interaction: 600, Session: 3600, Grant: 3600 },
  async findAccount(_ctx, sub) {
    const account = ACCOUNTS[sub];
    if (!account) return undefined;
    const claims = { sub, ...account, email_verified: true, name: `${account.given_name} ${account.family_name}` };
    return { accountId: sub, claims: () => claims };
  },
};

const provider = new Provider(issuer, configuration);
const registered = provider.Client.prototype.redirectUriAllowed;
provider.Client.prototype.redirectUriAllowed = function (this: InstanceType<typeof provider.Client>, uri: string) {
  return (uri.startsWith(redirectPrefix) && !uri.includes('?') && !uri.includes('#')) || registered.call(this, uri);
};

const handle = provider.callback();
server.on('request', (req: IncomingMessage, res: ServerResponse) => {
  const path = new URL(req.url ?? '/', issuer).pathname;
  if (!path.startsWith('/login/')) return void handle(req, res);
  const page = req.method === 'POST' ? finishLogin(req, res) : loginPage(req, res);
  page.catch((error: unknown) => {
    if (!res.headersSent) res.writeHead(400, { 'content-type': 'text/plain; charset=utf-8' });
    res.end(`demo IdP: ${error instanceof Error ? error.message : String(error)}`);
  });
});

/** GET /login/<uid>: one button per account, and Cancel. */
async function loginPage(req: IncomingMessage, res: ServerResponse) {
  const { uid, params } = await provider.interactionDetails(req, res);
  const buttons = Object.entries(ACCOUNTS)
    .map(([sub, a]) => `<p><button name="account" value="${sub}">${esc(`${a.given_name} ${a.family_name}`)} &lt;${esc(a.email)}&gt;</button></p>`)
    .join('');
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
  res.end(
    `<!doctype html><meta charset="utf-8"><title>Demo IdP</title><h1>Demo IdP: sign in</h1>` +
      `<p>${esc(String(params.client_id))} asks who you are. This is a demo IdP: no passwords, pick an account.</p>` +
      `<form method="post" action="/login/${esc(uid)}">${buttons}<p><button name="cancel" value="1">Cancel</button></p></form>`,
  );
}

/** POST /login/<uid>: signs the chosen account in and grants what was asked (no consent step). */
async function finishLogin(req: IncomingMessage, res: ServerResponse) {
  const form = new URLSearchParams(await readBody(req));
  const { params } = await provider.interactionDetails(req, res);
  if (form.get('cancel')) {
    await provider.interactionFinished(req, res, { error: 'access_denied', error_description: 'the user cancelled' }, { mergeWithLastSubmission: false });
    return;
  }
  const accountId = form.get('account') ?? '';
  if (!ACCOUNTS[accountId]) throw new Error(`no account ${accountId}`);
  const grant = new provider.Grant({ accountId, clientId: String(params.client_id) });
  grant.addOIDCScope(String(params.scope));
  const grantId = await grant.save();
  await provider.interactionFinished(req, res, { login: { accountId }, consent: { grantId } }, { mergeWithLastSubmission: false });
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function esc(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

console.log(`demo OIDC IdP listening on ${issuer} (issuer ${issuer}, client ${clientId}, redirect URIs under ${redirectPrefix})`);
