import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerApp } from '../../../src/directory/apps.ts';
import { providerRoutes } from '../../../src/sso/provider/index.ts';
import { testDatabaseKind, useTestDatabase } from '../../support/database.ts';
import { authorizationCode, authorizationRequest, browse, discoverApp, fetchUserInfo, signIn } from '../../support/test-app-client.ts';
import { memberClaims, startSecondInstance, startTestOp, testBox, type TestOp } from './op-server.ts';

const database = useTestDatabase();
const REDIRECT = 'http://127.0.0.1:9/callback';
const MEMBER = '0190d3a0-0000-7000-8000-0000000000aa';
const accounts = new Map([[MEMBER, memberClaims(MEMBER)]]);

let op: TestOp;
let app: { clientId: string; clientSecret: string };

beforeAll(async () => {
  op = await startTestOp(database.handle.db, { accounts });
  op.login.accountId = MEMBER;
  app = await registerApp(database.handle.db, testBox, { name: 'Test app', redirectUris: [REDIRECT], postLogoutRedirectUris: ['http://127.0.0.1:9/bye'] });
});
afterAll(async () => {
  await op?.close();
});

/** A token request as the app would make it, by hand, for the refusals openid-client would not send. */
async function tokenRequest(base: string, body: Record<string, string>, auth: { id: string; secret: string } | undefined = { id: app.clientId, secret: app.clientSecret }) {
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
  if (auth) headers.authorization = `Basic ${Buffer.from(`${encodeURIComponent(auth.id)}:${encodeURIComponent(auth.secret)}`).toString('base64')}`;
  const response = await fetch(`${base}/oauth2/token`, { method: 'POST', headers, body: new URLSearchParams(body) });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe(`Roster's OpenID Provider on ${testDatabaseKind}`, () => {
  it('publishes its discovery document and keys at the agreed paths', async () => {
    const discovery = (await (await fetch(`${op.issuer}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
    expect(discovery).toMatchObject({
      issuer: op.issuer,
      authorization_endpoint: `${op.issuer}/oauth2/authorize`,
      token_endpoint: `${op.issuer}/oauth2/token`,
      userinfo_endpoint: `${op.issuer}/oauth2/userinfo`,
      jwks_uri: `${op.issuer}/.well-known/jwks.json`,
      end_session_endpoint: `${op.issuer}/oauth2/logout`,
      revocation_endpoint: `${op.issuer}/oauth2/revoke`,
      introspection_endpoint: `${op.issuer}/oauth2/introspect`,
      response_types_supported: ['code'],
      code_challenge_methods_supported: ['S256'],
      backchannel_logout_supported: true,
    });
    expect(discovery.token_endpoint_auth_methods_supported).toEqual(expect.arrayContaining(['client_secret_basic', 'client_secret_post']));
    expect(discovery.claims_supported).toEqual(expect.arrayContaining(['org', 'role', 'permissions', 'teams', 'team_roles', 'groups', 'idp', 'email']));

    const jwks = (await (await fetch(`${op.issuer}/.well-known/jwks.json`)).json()) as { keys: Record<string, unknown>[] };
    expect(jwks.keys).toHaveLength(1);
    expect(jwks.keys[0]).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig' });
    // Only public parts are published.
    expect(Object.keys(jwks.keys[0]!).sort()).toEqual(['alg', 'e', 'kid', 'kty', 'n', 'use']);
  });

  it('signs a member in: the ID token carries the member, the organization, the upstream IdP and amr', async () => {
    const config = await discoverApp(op.issuer, app);
    const { tokens } = await signIn(config, { redirectUri: REDIRECT, params: { organization: 'acme' } });
    expect(tokens.refresh_token).toBeUndefined();

    const { payload, protectedHeader } = await jwtVerify(tokens.id_token!, createRemoteJWKSet(new URL(`${op.issuer}/.well-known/jwks.json`)), {
      algorithms: ['RS256'],
      issuer: op.issuer,
      audience: app.clientId,
    });
    expect(protectedHeader.kid).toBeTypeOf('string');
    expect(payload).toMatchObject({
      sub: MEMBER,
      email: `${MEMBER}@example.com`,
      email_verified: true,
      name: 'Ada Lovelace',
      org: { id: '0190d3a0-0000-7000-8000-000000000001', slug: 'acme' },
      role: 'admin',
      permissions: ['members.manage', 'roles.assign', 'teams.manage', 'sso.manage', 'audit.view', 'profile.edit'],
      teams: ['engineering'],
      team_roles: { engineering: 'admin' },
      groups: ['Engineers', 'Everyone'],
      idp: { connection: 'okta-main', type: 'saml' },
      amr: ['saml'],
    });
    expect(payload.exp! - payload.iat!).toBe(3600);

    const userinfo = await fetchUserInfo(config, tokens.access_token, MEMBER);
    expect(userinfo).toMatchObject({ sub: MEMBER, email: `${MEMBER}@example.com`, org: { slug: 'acme' }, role: 'admin', groups: ['Engineers', 'Everyone'] });
  });

  it('releases only the claims of the scopes asked for', async () => {
    const config = await discoverApp(op.issuer, app);
    const { tokens } = await signIn(config, { redirectUri: REDIRECT, scope: 'openid' });
    const claims = tokens.claims()!;
    expect(claims).toMatchObject({ sub: MEMBER, org: { slug: 'acme' }, role: 'admin' });
    expect(claims.email).toBeUndefined();
    expect(claims.name).toBeUndefined();
  });

  it('issues a refresh token with offline_access and prompt=consent, without asking for consent', async () => {
    const config = await discoverApp(op.issuer, app);
    const { tokens } = await signIn(config, { redirectUri: REDIRECT, scope: 'openid offline_access', params: { prompt: 'consent' } });
    expect(tokens.refresh_token).toBeTypeOf('string');
    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
    expect(refreshed.access_token).toBeTypeOf('string');
  });

  it('issues no token for a member it does not know (unknown or deactivated)', async () => {
    const config = await discoverApp(op.issuer, app);
    op.login.accountId = '0190d3a0-0000-7000-8000-0000000000ff';
    try {
      const request = await authorizationRequest(config, { redirectUri: REDIRECT });
      const { callback } = await browse(request.url, { stopAt: REDIRECT });
      expect(callback?.searchParams.get('error')).toBe('access_denied');
      expect(callback?.searchParams.get('code')).toBeNull();
    } finally {
      op.login.accountId = MEMBER;
    }
  });

  it('accepts the secret in the request body (client_secret_post) too', async () => {
    const config = await discoverApp(op.issuer, app, 'client_secret_post');
    const { tokens } = await signIn(config, { redirectUri: REDIRECT });
    expect(tokens.claims()?.sub).toBe(MEMBER);
  });

  it('refuses a wrong code, a reused code (and revokes what it issued), and a PKCE mismatch', async () => {
    const config = await discoverApp(op.issuer, app);
    const wrong = await tokenRequest(op.issuer, { grant_type: 'authorization_code', code: 'not-a-code', redirect_uri: REDIRECT, code_verifier: 'x'.repeat(43) });
    expect(wrong).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });

    const { code, request } = await authorizationCode(config, { redirectUri: REDIRECT });
    const exchange = { grant_type: 'authorization_code', code, redirect_uri: REDIRECT, code_verifier: request.checks.pkceCodeVerifier };
    const first = await tokenRequest(op.issuer, exchange);
    expect(first.status).toBe(200);
    const accessToken = first.body.access_token as string;
    const before = await fetch(`${op.issuer}/oauth2/userinfo`, { headers: { authorization: `Bearer ${accessToken}` } });
    expect(before.status).toBe(200);

    const again = await tokenRequest(op.issuer, exchange);
    expect(again).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    const after = await fetch(`${op.issuer}/oauth2/userinfo`, { headers: { authorization: `Bearer ${accessToken}` } });
    expect(after.status).toBe(401);

    const mismatch = await authorizationCode(config, { redirectUri: REDIRECT });
    const refused = await tokenRequest(op.issuer, { grant_type: 'authorization_code', code: mismatch.code, redirect_uri: REDIRECT, code_verifier: oidc.randomPKCECodeVerifier() });
    expect(refused).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
  });

  it('requires PKCE from every app', async () => {
    const config = await discoverApp(op.issuer, app);
    const request = await authorizationRequest(config, { redirectUri: REDIRECT, pkce: false });
    const { callback } = await browse(request.url, { stopAt: REDIRECT });
    expect(callback?.searchParams.get('error')).toBe('invalid_request');
    expect(callback?.searchParams.get('code')).toBeNull();
  });

  it('shows a plain error page for an unregistered redirect_uri, never redirecting to it', async () => {
    const config = await discoverApp(op.issuer, app);
    for (const redirectUri of ['https://evil.example/callback', `${REDIRECT}/more`, `${REDIRECT}?x=1`]) {
      const request = await authorizationRequest(config, { redirectUri });
      const { callback, response } = await browse(request.url, { stopAt: 'https://evil.example' });
      expect(callback).toBeUndefined();
      expect(response.status).toBe(400);
      const page = await response.text();
      expect(page).toContain('invalid_redirect_uri');
      expect(page).not.toContain('evil.example');
      expect(page).not.toContain(app.clientId);
    }
  });

  it('refuses a wrong client secret', async () => {
    const config = await discoverApp(op.issuer, app);
    const { code, request } = await authorizationCode(config, { redirectUri: REDIRECT });
    const refused = await tokenRequest(
      op.issuer,
      { grant_type: 'authorization_code', code, redirect_uri: REDIRECT, code_verifier: request.checks.pkceCodeVerifier },
      { id: app.clientId, secret: 'not-the-secret' },
    );
    expect(refused).toMatchObject({ status: 401, body: { error: 'invalid_client' } });
  });

  it('lets a second instance over the same database redeem a code the first issued', async () => {
    const second = await startSecondInstance(database.handle.db, op, accounts);
    try {
      const config = await discoverApp(op.issuer, app);
      const { code, request } = await authorizationCode(config, { redirectUri: REDIRECT });
      const redeemed = await tokenRequest(second.url, { grant_type: 'authorization_code', code, redirect_uri: REDIRECT, code_verifier: request.checks.pkceCodeVerifier });
      expect(redeemed.status).toBe(200);
      const { payload } = await jwtVerify(redeemed.body.id_token as string, createRemoteJWKSet(new URL(`${op.issuer}/.well-known/jwks.json`)), {
        algorithms: ['RS256'],
        issuer: op.issuer,
        audience: app.clientId,
      });
      expect(payload.sub).toBe(MEMBER);
      expect(decodeProtectedHeader(redeemed.body.id_token as string).kid).toBeTypeOf('string');
    } finally {
      await second.close();
    }
  });

  it('answers the client credentials grant (the admin API read scopes are tested in test/admin/app-token-api)', async () => {
    const granted = await tokenRequest(op.issuer, { grant_type: 'client_credentials' });
    expect(granted).toMatchObject({ status: 200, body: { token_type: 'Bearer', expires_in: 3600 } });
    const introspected = await fetch(`${op.issuer}/oauth2/introspect`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${app.clientId}:${app.clientSecret}`).toString('base64')}` },
      body: new URLSearchParams({ token: granted.body.access_token as string }),
    });
    expect(await introspected.json()).toMatchObject({ active: true, client_id: app.clientId });
  });

  it('answers 500 with a reason when called without a Node request (app.request)', async () => {
    const response = await providerRoutes(op.rp).request('/.well-known/openid-configuration');
    expect(response.status).toBe(500);
    expect(await response.text()).toMatch(/raw Node request/);
  });
});
