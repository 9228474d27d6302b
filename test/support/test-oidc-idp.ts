/**
 * A real OpenID Provider (oidc-provider) on 127.0.0.1, over real HTTP, for relying-party tests.
 *
 * Sign-in is driven without a browser: `authorize(url, accountId)` follows the redirects the way a
 * browser would (keeping the provider's cookies), and the provider's login step is a tiny URL of
 * this IdP that finishes the interaction for the account named in its query, granting every
 * requested scope. The answer is the callback URL the browser would land on, with code, state and
 * iss (or error).
 *
 * ID tokens carry every claim the granted scopes allow (conformIdTokenClaims off), except for the
 * accounts listed in `claimsOnlyInUserinfo`: theirs carry only `sub`, as oidc-provider's default
 * and Okta's org server do, so the relying party must fetch userinfo for email, name and groups.
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import Provider, { type ClientMetadata, type Configuration } from 'oidc-provider';
import { CookieJar } from './test-app-client.ts';

export interface TestOidcClient {
  client_id: string;
  client_secret: string;
  redirect_uris: string[];
  token_endpoint_auth_method: 'client_secret_basic' | 'client_secret_post';
}

export interface TestOidcIdpOptions {
  clients: TestOidcClient[];
  /** Claims per account id (the `sub`). */
  accounts: Record<string, Record<string, unknown>>;
  /** Accounts whose ID tokens carry only `sub`; their other claims come from userinfo alone. */
  claimsOnlyInUserinfo?: string[];
  /** The algorithm ID tokens are signed with. Default RS256. */
  idTokenSigningAlg?: 'RS256' | 'PS256' | 'ES256' | 'EdDSA';
  /**
   * The issuer the provider names in its discovery document and tokens, in place of the URL it
   * is served at (`{origin}` is replaced by that URL): makes an IdP whose discovery disagrees with
   * the address it was asked at.
   */
  issuerOverride?: string;
}

export interface TestOidcIdp {
  /** The URL the provider is served at, which is its issuer unless `issuerOverride` was given. */
  readonly url: string;
  /** The issuer the provider puts in discovery, tokens and the callback's `iss`. */
  readonly issuer: string;
  /** Every request the provider received, as `METHOD /path`. */
  readonly requests: string[];
  /** The Authorization header's scheme of each token request ('' without one). */
  readonly tokenRequestAuthSchemes: string[];
  /**
   * Plays the browser from the authorization URL to the redirect back to the client, signing in
   * as `accountId`, or refusing (`deny`) as a user who cancels would.
   */
  authorize(url: URL, accountId: string, options?: { deny?: boolean }): Promise<URL>;
  close(): Promise<void>;
}

const LOGIN_PATH = '/test-login/';

export async function startTestOidcIdp(options: TestOidcIdpOptions): Promise<TestOidcIdp> {
  const keys = await signingKeys();
  const requests: string[] = [];
  const tokenRequestAuthSchemes: string[] = [];
  // Listening first: the provider's issuer includes the port the system picks.
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const issuer = options.issuerOverride?.replace('{origin}', url) ?? url;

  const userinfoOnly = new Set(options.claimsOnlyInUserinfo ?? []);
  const configuration: Configuration = {
    clients: options.clients.map(
      (client): ClientMetadata => ({ ...client, grant_types: ['authorization_code'], response_types: ['code'] }),
    ),
    clientDefaults: { id_token_signed_response_alg: options.idTokenSigningAlg ?? 'RS256' },
    jwks: { keys },
    cookies: { keys: ['test-oidc-idp-cookie-key'] },
    conformIdTokenClaims: false,
    scopes: ['openid', 'email', 'profile', 'groups'],
    claims: {
      openid: ['sub'],
      email: ['email', 'email_verified'],
      profile: ['name', 'given_name', 'family_name'],
      groups: ['groups'],
    },
    features: { devInteractions: { enabled: false } },
    interactions: { url: (_ctx, interaction) => `${LOGIN_PATH}${interaction.uid}` },
    async findAccount(_ctx, sub) {
      const claims = options.accounts[sub];
      if (!claims) return undefined;
      return {
        accountId: sub,
        claims: (use) => (use === 'id_token' && userinfoOnly.has(sub) ? { sub } : { ...claims, sub }),
      };
    },
  };
  const provider = new Provider(issuer, configuration);
  const handle = provider.callback();
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? '/', 'http://idp').pathname;
    requests.push(`${req.method} ${path}`);
    if (path === '/token') tokenRequestAuthSchemes.push(req.headers.authorization?.split(' ', 1)[0] ?? '');
    if (path.startsWith(LOGIN_PATH)) {
      finishLogin(provider, req, res).catch((error: unknown) => {
        res.writeHead(500, { 'content-type': 'text/plain' }).end(String(error));
      });
      return;
    }
    void handle(req, res);
  });

  return {
    url,
    issuer,
    requests,
    tokenRequestAuthSchemes,
    authorize: (authorizationUrl, accountId, authorizeOptions) =>
      browse(url, authorizationUrl, accountId, authorizeOptions?.deny ?? false),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

/** The login step: signs in the account named in the query and grants what was asked. */
async function finishLogin(provider: Provider, req: IncomingMessage, res: ServerResponse) {
  const query = new URL(req.url ?? '/', 'http://idp').searchParams;
  const details = await provider.interactionDetails(req, res);
  if (query.get('deny') === '1') {
    await provider.interactionFinished(
      req,
      res,
      { error: 'access_denied', error_description: 'the user cancelled the sign-in' },
      { mergeWithLastSubmission: false },
    );
    return;
  }
  const accountId = query.get('account') ?? '';
  const grant = new provider.Grant({ accountId, clientId: String(details.params.client_id) });
  grant.addOIDCScope(String(details.params.scope));
  const grantId = await grant.save();
  await provider.interactionFinished(req, res, { login: { accountId }, consent: { grantId } }, { mergeWithLastSubmission: false });
}

/** Follows redirects with a cookie jar until one leaves the IdP: that is the client's callback. */
async function browse(idpUrl: string, start: URL, accountId: string, deny: boolean): Promise<URL> {
  const jar = new CookieJar();
  let next = new URL(start.href);
  for (let hop = 0; hop < 10; hop++) {
    if (next.origin !== new URL(idpUrl).origin) return next;
    if (next.pathname.startsWith(LOGIN_PATH)) {
      next.searchParams.set('account', accountId);
      if (deny) next.searchParams.set('deny', '1');
    }
    const cookie = jar.header();
    const response = await fetch(next, { redirect: 'manual', headers: cookie ? { cookie } : {} });
    jar.store(response);
    const location = response.headers.get('location');
    if (!location) {
      throw new Error(`the test IdP answered ${response.status} without a redirect: ${await response.text()}`);
    }
    next = new URL(location, next);
  }
  throw new Error('the test IdP redirected more than 10 times');
}

async function signingKeys(): Promise<JWK[]> {
  const jwk = async (alg: string, options?: { crv?: string; modulusLength?: number }) => {
    const { privateKey } = await generateKeyPair(alg, { ...options, extractable: true });
    return { ...(await exportJWK(privateKey)), use: 'sig' };
  };
  return [await jwk('RS256', { modulusLength: 2048 }), await jwk('ES256'), await jwk('EdDSA', { crv: 'Ed25519' })];
}
