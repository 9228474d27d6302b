import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { discoverOidcProvider } from '../../../src/sso/oidc/index.ts';
import { startTestOidcIdp, type TestOidcIdp } from '../../support/test-oidc-idp.ts';
import { ACCOUNTS, BASIC_CLIENT } from './fixtures.ts';

const ENTRA_TENANT = '9b1c3a7e-4f0d-4c2e-8a51-2d7f6e0b9c13';
const ENTRA_ISSUER = `https://login.microsoftonline.com/${ENTRA_TENANT}/v2.0`;

/** Entra ID's discovery document as it is shaped: no code_challenge_methods_supported, no iss parameter. */
function entraDocument(issuer = ENTRA_ISSUER): Record<string, unknown> {
  const base = `https://login.microsoftonline.com/${ENTRA_TENANT}`;
  return {
    issuer,
    authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
    token_endpoint: `${base}/oauth2/v2.0/token`,
    jwks_uri: `${base}/discovery/v2.0/keys`,
    userinfo_endpoint: 'https://graph.microsoft.com/oidc/userinfo',
    response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
    id_token_signing_alg_values_supported: ['RS256'],
    token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
  };
}

/** A fetch that answers every request with `body` and records the URLs asked. */
function answering(body: string | Record<string, unknown>, init: ResponseInit = { status: 200 }) {
  const asked: string[] = [];
  const fake = (async (input: string | URL | Request) => {
    asked.push(String(input));
    return new Response(typeof body === 'string' ? body : JSON.stringify(body), { ...init, headers: { 'content-type': 'application/json' } });
  }) as typeof fetch;
  return { fetch: fake, asked };
}

describe('discovery of a real OpenID Provider', () => {
  let idp: TestOidcIdp;
  beforeAll(async () => {
    idp = await startTestOidcIdp({ clients: [BASIC_CLIENT], accounts: ACCOUNTS });
  });
  afterAll(() => idp.close());

  it('pins its endpoints, the accepted signing algorithms and its RFC 9207 promise', async () => {
    const discovered = await discoverOidcProvider(idp.issuer, { allowInsecureRequests: true });
    expect(discovered).toEqual({
      ok: true,
      value: {
        issuer: idp.issuer,
        authorizationEndpoint: `${idp.issuer}/auth`,
        tokenEndpoint: `${idp.issuer}/token`,
        jwksUri: `${idp.issuer}/jwks`,
        userinfoEndpoint: `${idp.issuer}/me`,
        // In the document's order; oidc-provider also offers Ed25519, which is not on the allow-list.
        idTokenSigningAlgs: ['PS256', 'RS256', 'ES256', 'EdDSA'],
        authorizationResponseIssParameterSupported: true,
      },
    });
  });

  it('refuses an http issuer unless insecure requests are allowed, before any request', async () => {
    const before = idp.requests.length;
    const discovered = await discoverOidcProvider(idp.issuer, { allowInsecureRequests: false });
    expect(discovered).toMatchObject({ ok: false, error: expect.stringContaining('is not https') });
    expect(idp.requests.length).toBe(before);
  });

  it('refuses an issuer that differs from the document’s by a trailing slash: the comparison is exact', async () => {
    const discovered = await discoverOidcProvider(`${idp.issuer}/`, { allowInsecureRequests: true });
    expect(discovered).toMatchObject({ ok: false, error: expect.stringContaining(`names the issuer "${idp.issuer}"`) });
  });
});

describe('discovery whose document names another issuer', () => {
  let idp: TestOidcIdp;
  beforeAll(async () => {
    idp = await startTestOidcIdp({ clients: [BASIC_CLIENT], accounts: ACCOUNTS, issuerOverride: '{origin}/tenant-b' });
  });
  afterAll(() => idp.close());

  it('is refused', async () => {
    expect(idp.issuer).not.toBe(idp.url);
    const discovered = await discoverOidcProvider(idp.url, { allowInsecureRequests: true });
    expect(discovered).toEqual({
      ok: false,
      error: expect.stringMatching(new RegExp(`names the issuer "${idp.issuer}", not "${idp.url}"; configure the issuer exactly`)),
    });
  });
});

describe('Entra ID', () => {
  it.each([
    'https://login.microsoftonline.com/common/v2.0',
    'https://login.microsoftonline.com/organizations/v2.0',
    'https://login.microsoftonline.com/Common/v2.0',
    'https://login.microsoftonline.com/{tenantid}/v2.0',
  ])('refuses the multi-tenant issuer %s: a connection trusts one tenant', async (issuer) => {
    const { fetch, asked } = answering(entraDocument(issuer));
    const discovered = await discoverOidcProvider(issuer, { allowInsecureRequests: false, fetch });
    expect(discovered).toMatchObject({ ok: false, error: expect.stringContaining('a connection trusts one tenant') });
    expect(asked).toEqual([]);
  });

  it('pins a tenant’s issuer, which advertises neither PKCE nor the iss parameter', async () => {
    const { fetch, asked } = answering(entraDocument());
    const discovered = await discoverOidcProvider(ENTRA_ISSUER, { allowInsecureRequests: false, fetch });
    expect(asked).toEqual([`${ENTRA_ISSUER}/.well-known/openid-configuration`]);
    expect(discovered).toMatchObject({
      ok: true,
      value: { issuer: ENTRA_ISSUER, idTokenSigningAlgs: ['RS256'], authorizationResponseIssParameterSupported: false },
    });
  });
});

describe('a discovery document that cannot be used', () => {
  const issuer = 'https://idp.example.test';
  const document = (changes: Record<string, unknown>) => ({ ...entraDocument(issuer), ...changes });

  it('keeps only the allow-listed algorithms', async () => {
    const { fetch } = answering(document({ id_token_signing_alg_values_supported: ['none', 'HS256', 'RS256', 'ES384', 'RS256'] }));
    expect(await discoverOidcProvider(issuer, { allowInsecureRequests: false, fetch })).toMatchObject({
      ok: true,
      value: { idTokenSigningAlgs: ['RS256', 'ES384'] },
    });
  });

  it.each([
    ['no accepted signing algorithm', document({ id_token_signing_alg_values_supported: ['HS256', 'none'] }), 'none of the accepted asymmetric algorithms'],
    ['no signing algorithms at all', document({ id_token_signing_alg_values_supported: undefined }), 'none of the accepted asymmetric algorithms'],
    ['no token endpoint', document({ token_endpoint: undefined }), 'has no token_endpoint'],
    ['an http endpoint', document({ jwks_uri: 'http://idp.example.test/keys' }), "jwks_uri http://idp.example.test/keys is not https"],
    ['no code flow', document({ response_types_supported: ['id_token'] }), 'authorization code flow'],
    ['not a JSON object', '["issuer"]', 'is not a JSON object'],
    ['not JSON', '<html>sign in</html>', 'is not valid JSON'],
  ])('is refused with %s', async (_case, body, error) => {
    const { fetch } = answering(body);
    expect(await discoverOidcProvider(issuer, { allowInsecureRequests: false, fetch })).toEqual({
      ok: false,
      error: expect.stringContaining(error),
    });
  });

  it('is refused when it answers with a redirect', async () => {
    const { fetch } = answering('', { status: 302, headers: { location: 'https://elsewhere.example.test/' } });
    expect(await discoverOidcProvider(issuer, { allowInsecureRequests: false, fetch })).toEqual({
      ok: false,
      error: `the discovery document at ${issuer}/.well-known/openid-configuration answered HTTP 302, not 200`,
    });
  });

  it('is refused when the IdP is unreachable', async () => {
    // A port that was just free: nothing listens on it.
    const server = http.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    await new Promise<void>((resolve) => server.close(() => resolve()));

    const discovered = await discoverOidcProvider(`http://127.0.0.1:${port}`, { allowInsecureRequests: true });
    expect(discovered).toEqual({ ok: false, error: expect.stringMatching(/is unreachable: fetch failed \(ECONNREFUSED\)$/) });
  });

  it.each([
    ['not a URL', 'idp.example.test', 'is not a URL'],
    ['neither https nor http', 'ftp://idp.example.test', 'neither https nor http'],
    ['a query', 'https://idp.example.test/?tenant=a', 'must not have a query'],
  ])('is not fetched when the issuer is %s', async (_case, configured, error) => {
    const { fetch, asked } = answering(document({}));
    expect(await discoverOidcProvider(configured, { allowInsecureRequests: true, fetch })).toEqual({
      ok: false,
      error: expect.stringContaining(error),
    });
    expect(asked).toEqual([]);
  });
});
