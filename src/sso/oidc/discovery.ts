/**
 * OpenID Connect discovery for a new connection: reads the IdP's discovery document once and pins
 * what sign-in needs, so a later change of that document (or whoever answers for it) cannot send
 * tokens elsewhere. Sign-in never rediscovers.
 */
import { usableSigningAlgs } from './signing-algorithms.ts';

/** What a connection stores after discovery: endpoints pinned so a later discovery change cannot redirect tokens. */
export interface PinnedOidcProvider {
  issuer: string;
  authorizationEndpoint: string;
  tokenEndpoint: string;
  jwksUri: string;
  userinfoEndpoint: string | undefined;
  /** From discovery, intersected with the allow-list of asymmetric algorithms: never `none` or HS*. */
  idTokenSigningAlgs: string[];
  /** RFC 9207: the IdP promises `iss` on every authorization response, so its absence is refused. */
  authorizationResponseIssParameterSupported: boolean;
}

export type DiscoveryResult = { ok: true; value: PinnedOidcProvider } | { ok: false; error: string };

const DISCOVERY_TIMEOUT_MS = 10_000;

/**
 * Fetches `{issuer}/.well-known/openid-configuration` and pins it.
 *
 * Refused, each with a one-line error: an issuer that is not https (unless `allowInsecureRequests`,
 * which only the operator's ALLOW_INSECURE_IDP_URLS turns on, for loopback test IdPs); an Entra ID
 * multi-tenant issuer (`/common/`, `/organizations/`, `{tenantid}`): a connection trusts exactly one
 * tenant, so its issuer must be the tenant's own `https://login.microsoftonline.com/{tenant id}/v2.0`;
 * a document whose `issuer` is not the configured issuer, compared as exact strings (the ID token's
 * `iss` is later compared the same way); an endpoint that is missing or not https; no signing
 * algorithm Roster accepts; an unreachable IdP, a redirect, or a body that is not a JSON object.
 */
export async function discoverOidcProvider(
  issuer: string,
  options: { allowInsecureRequests: boolean; fetch?: typeof fetch },
): Promise<DiscoveryResult> {
  const checked = checkIssuer(issuer, options.allowInsecureRequests);
  if (!checked.ok) return checked;
  const wellKnown = `${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`;

  const fetched = await fetchDocument(wellKnown, options.fetch ?? fetch);
  if (!fetched.ok) return fetched;
  const document = fetched.value;

  if (document.issuer !== issuer) {
    return fail(
      `the discovery document at ${wellKnown} names the issuer ${JSON.stringify(document.issuer)}, not ${JSON.stringify(issuer)}; ` +
        'configure the issuer exactly as the IdP names it',
    );
  }
  const endpoints: Record<string, string | undefined> = {};
  for (const [name, required] of [
    ['authorization_endpoint', true],
    ['token_endpoint', true],
    ['jwks_uri', true],
    ['userinfo_endpoint', false],
  ] as const) {
    const endpoint = checkEndpoint(document, name, required, options.allowInsecureRequests);
    if (!endpoint.ok) return endpoint;
    endpoints[name] = endpoint.value;
  }
  const responseTypes = document.response_types_supported;
  if (Array.isArray(responseTypes) && !responseTypes.includes('code')) {
    return fail(`the IdP does not offer the authorization code flow (response_types_supported lacks "code")`);
  }
  const offeredAlgs = Array.isArray(document.id_token_signing_alg_values_supported) ? document.id_token_signing_alg_values_supported : [];
  const idTokenSigningAlgs = usableSigningAlgs(offeredAlgs);
  if (idTokenSigningAlgs.length === 0) {
    return fail(
      `the IdP signs ID tokens with none of the accepted asymmetric algorithms (it offers ${JSON.stringify(offeredAlgs)}; ` +
        'none and HS* are never accepted)',
    );
  }
  return {
    ok: true,
    value: {
      issuer,
      authorizationEndpoint: endpoints.authorization_endpoint!,
      tokenEndpoint: endpoints.token_endpoint!,
      jwksUri: endpoints.jwks_uri!,
      userinfoEndpoint: endpoints.userinfo_endpoint,
      idTokenSigningAlgs,
      authorizationResponseIssParameterSupported: document.authorization_response_iss_parameter_supported === true,
    },
  };
}

/** Entra ID paths that stand for many tenants rather than one. */
const ENTRA_MULTI_TENANT_SEGMENTS = new Set(['common', 'organizations', 'consumers']);

function checkIssuer(issuer: string, allowInsecureRequests: boolean): { ok: true } | { ok: false; error: string } {
  let url: URL;
  try {
    url = new URL(issuer);
  } catch {
    return fail(`the issuer ${JSON.stringify(issuer)} is not a URL`);
  }
  if (/\{tenantid\}|%7btenantid%7d/i.test(issuer)) {
    return fail(
      'the issuer is an Entra ID multi-tenant template ({tenantid}); a connection trusts one tenant: ' +
        'use https://login.microsoftonline.com/<tenant id>/v2.0',
    );
  }
  const firstSegment = url.pathname.split('/')[1]?.toLowerCase() ?? '';
  if (ENTRA_MULTI_TENANT_SEGMENTS.has(firstSegment)) {
    return fail(
      `the issuer names the Entra ID multi-tenant endpoint /${firstSegment}/, which any tenant's tokens pass; ` +
        'a connection trusts one tenant: use https://login.microsoftonline.com/<tenant id>/v2.0',
    );
  }
  const insecure = checkScheme(url, allowInsecureRequests);
  if (insecure) return fail(`the issuer ${insecure}`);
  if (url.search || url.hash) return fail('the issuer must not have a query or fragment');
  return { ok: true };
}

/** Why `url`'s scheme is refused, or undefined when it is accepted. */
function checkScheme(url: URL, allowInsecureRequests: boolean): string | undefined {
  if (url.protocol === 'https:') return undefined;
  if (url.protocol === 'http:') {
    return allowInsecureRequests ? undefined : `${url.href} is not https (http is accepted only when ALLOW_INSECURE_IDP_URLS=true)`;
  }
  return `${url.href} is neither https nor http`;
}

function checkEndpoint(
  document: Record<string, unknown>,
  name: string,
  required: boolean,
  allowInsecureRequests: boolean,
): { ok: true; value: string | undefined } | { ok: false; error: string } {
  const value = document[name];
  if (value === undefined && !required) return { ok: true, value: undefined };
  if (typeof value !== 'string') return fail(`the discovery document has no ${name}`);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return fail(`the discovery document's ${name} ${JSON.stringify(value)} is not a URL`);
  }
  const insecure = checkScheme(url, allowInsecureRequests);
  if (insecure) return fail(`the discovery document's ${name} ${insecure}`);
  return { ok: true, value };
}

async function fetchDocument(
  wellKnown: string,
  fetcher: typeof fetch,
): Promise<{ ok: true; value: Record<string, unknown> } | { ok: false; error: string }> {
  let response: Response;
  try {
    response = await fetcher(wellKnown, {
      headers: { accept: 'application/json' },
      redirect: 'manual',
      signal: AbortSignal.timeout(DISCOVERY_TIMEOUT_MS),
    });
  } catch (error) {
    return fail(`the discovery document at ${wellKnown} is unreachable: ${reasonOf(error)}`);
  }
  if (response.status !== 200) {
    return fail(`the discovery document at ${wellKnown} answered HTTP ${response.status}, not 200`);
  }
  let body: unknown;
  try {
    body = JSON.parse(await response.text());
  } catch {
    return fail(`the discovery document at ${wellKnown} is not valid JSON`);
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return fail(`the discovery document at ${wellKnown} is not a JSON object`);
  }
  return { ok: true, value: body as Record<string, unknown> };
}

/** The most specific one-line reason of a network error (fetch hides the socket error in `cause`). */
function reasonOf(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause;
  if (cause instanceof Error) return `${error.message} (${'code' in cause && typeof cause.code === 'string' ? cause.code : cause.message})`;
  return error.message;
}

function fail(error: string): { ok: false; error: string } {
  return { ok: false, error };
}
