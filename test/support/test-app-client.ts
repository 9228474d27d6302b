/**
 * The app that signs people in through Roster's OpenID Provider, played with openid-client v6
 * over real HTTP: discovery, an authorization request with PKCE, state and nonce, a browser that
 * follows redirects with a cookie jar (fetch with `redirect: 'manual'`), the code exchange and
 * userinfo. The browser stops at the app's redirect URI, where the app would take over.
 */
import * as oidc from 'openid-client';

export type ClientAuthMethod = 'client_secret_basic' | 'client_secret_post';

/** openid-client's configuration for an app registered with Roster (plain http allowed: tests). */
export async function discoverApp(
  issuer: string,
  app: { clientId: string; clientSecret: string },
  auth: ClientAuthMethod = 'client_secret_basic',
): Promise<oidc.Configuration> {
  const clientAuth = auth === 'client_secret_post' ? oidc.ClientSecretPost(app.clientSecret) : oidc.ClientSecretBasic(app.clientSecret);
  return oidc.discovery(new URL(issuer), app.clientId, undefined, clientAuth, { execute: [oidc.allowInsecureRequests] });
}

/** A browser's cookies for one host: enough for oidc-provider's session and interaction cookies. */
export class CookieJar {
  readonly #cookies = new Map<string, string>();

  store(response: Response): void {
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair?.indexOf('=') ?? -1;
      if (!pair || eq <= 0) continue;
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const expired = /;\s*expires=Thu, 01 Jan 1970/i.test(line) || /;\s*max-age=0/i.test(line);
      if (expired || value === '') this.#cookies.delete(name);
      else this.#cookies.set(name, value);
    }
  }

  header(): string {
    return [...this.#cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }
}

export interface BrowseResult {
  /** The redirect to `stopAt` (the app's callback), when the chain reached it. */
  callback: URL | undefined;
  /** The last response that was not followed: the page shown, or the redirect to the app. */
  response: Response;
  /** Every URL visited, in order. */
  visited: string[];
}

/** Follows redirects like a browser until a page is shown or a redirect leads to `stopAt`. */
export async function browse(start: URL, options: { jar?: CookieJar; stopAt?: string; maxRedirects?: number } = {}): Promise<BrowseResult> {
  const jar = options.jar ?? new CookieJar();
  const visited: string[] = [];
  let url = start;
  for (let hop = 0; hop <= (options.maxRedirects ?? 10); hop++) {
    visited.push(url.href);
    const cookie = jar.header();
    const response = await fetch(url, { redirect: 'manual', headers: cookie ? { cookie } : {} });
    jar.store(response);
    const location = response.headers.get('location');
    if (response.status < 300 || response.status >= 400 || location === null) return { callback: undefined, response, visited };
    const next = new URL(location, url);
    if (options.stopAt !== undefined && next.href.startsWith(options.stopAt)) {
      await response.body?.cancel();
      return { callback: next, response, visited };
    }
    await response.body?.cancel();
    url = next;
  }
  throw new Error(`more than ${options.maxRedirects ?? 10} redirects from ${start.href}`);
}

export interface AuthorizationRequest {
  url: URL;
  redirectUri: string;
  checks: { pkceCodeVerifier: string; expectedState: string; expectedNonce: string };
}

/** An authorization request as the app sends it: code flow, PKCE S256, state and nonce. */
export async function authorizationRequest(
  config: oidc.Configuration,
  options: { redirectUri: string; scope?: string; params?: Record<string, string>; pkce?: boolean },
): Promise<AuthorizationRequest> {
  const pkceCodeVerifier = oidc.randomPKCECodeVerifier();
  const expectedState = oidc.randomState();
  const expectedNonce = oidc.randomNonce();
  const parameters: Record<string, string> = {
    redirect_uri: options.redirectUri,
    scope: options.scope ?? 'openid email profile',
    state: expectedState,
    nonce: expectedNonce,
    ...(options.pkce === false ? {} : { code_challenge: await oidc.calculatePKCECodeChallenge(pkceCodeVerifier), code_challenge_method: 'S256' }),
    ...options.params,
  };
  return { url: oidc.buildAuthorizationUrl(config, parameters), redirectUri: options.redirectUri, checks: { pkceCodeVerifier, expectedState, expectedNonce } };
}

export interface SignedIn {
  tokens: Awaited<ReturnType<typeof oidc.authorizationCodeGrant>>;
  callback: URL;
  request: AuthorizationRequest;
  jar: CookieJar;
}

/**
 * The whole sign-in: the authorization request, the browser through the interaction and back to
 * the app's redirect URI, then the code exchange (which checks state, nonce and the ID token's
 * issuer and audience).
 */
export async function signIn(
  config: oidc.Configuration,
  options: { redirectUri: string; scope?: string; params?: Record<string, string>; jar?: CookieJar },
): Promise<SignedIn> {
  const request = await authorizationRequest(config, options);
  const jar = options.jar ?? new CookieJar();
  const { callback, response, visited } = await browse(request.url, { jar, stopAt: options.redirectUri });
  if (!callback) throw new Error(`the sign-in did not come back to the app: ${response.status} after ${visited.join(' → ')}\n${await response.text()}`);
  const tokens = await oidc.authorizationCodeGrant(config, callback, { ...request.checks, idTokenExpected: true });
  return { tokens, callback, request, jar };
}

/** The code the provider sent back to the app, for tests that redeem it by hand. */
export async function authorizationCode(
  config: oidc.Configuration,
  options: { redirectUri: string; scope?: string; params?: Record<string, string>; pkce?: boolean },
): Promise<{ code: string; callback: URL; request: AuthorizationRequest }> {
  const request = await authorizationRequest(config, options);
  const { callback, response } = await browse(request.url, { stopAt: options.redirectUri });
  if (!callback) throw new Error(`no code: ${response.status} ${await response.text()}`);
  const code = callback.searchParams.get('code');
  if (!code) throw new Error(`no code in ${callback.href}`);
  return { code, callback, request };
}

export const fetchUserInfo = oidc.fetchUserInfo;
