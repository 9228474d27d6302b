import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rowsOf } from '../../src/db/index.ts';
import { createApiKey, recordSignIn, resolveSignIn, type SignInProfile } from '../../src/directory/index.ts';
import { buildTestApp, TEST_PUBLIC_URL } from '../support/app.ts';
import { testDatabaseKind, useTestDatabase } from '../support/database.ts';
import { contextFor, createTestOrganization } from '../support/factories.ts';
import { startTestOidcIdp, type TestOidcIdp } from '../support/test-oidc-idp.ts';
import { createTestSamlIdp } from '../sso/saml/support/test-idp.ts';

const database = useTestDatabase();
const OIDC_CLIENT = { client_id: 'roster-api', client_secret: 'oidc-client-secret-never-shown', redirect_uris: ['https://roster.test/cb'] };

let idp: TestOidcIdp;
beforeAll(async () => {
  idp = await startTestOidcIdp({ clients: [{ ...OIDC_CLIENT, token_endpoint_auth_method: 'client_secret_basic' }], accounts: {} });
});
afterAll(async () => {
  await idp?.close();
});

/** The app (the IdP on loopback is plain http) and a live operator key's headers. */
async function api(env: Record<string, string> = { ALLOW_INSECURE_IDP_URLS: 'true' }) {
  const { app } = buildTestApp(database.handle, env);
  const key = await createApiKey(contextFor(database.handle), { name: 'sso' });
  const headers = { Authorization: `Bearer ${key.key}`, 'Content-Type': 'application/json' };
  const call = async (method: string, path: string, body?: unknown) => {
    const response = await app.request(`/api/v1${path}`, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> & { data?: Record<string, unknown>[] } };
  };
  return { app, call, headers };
}

const profile = (subject: string, email: string): SignInProfile => ({
  subject,
  email,
  emailVerified: true,
  givenName: 'Ada',
  familyName: 'Lovelace',
  displayName: undefined,
  groups: [],
  raw: {},
});

describe(`admin API for SSO on ${testDatabaseKind}`, () => {
  it('asks for an operator key before anything else', async () => {
    const { app } = buildTestApp(database.handle);
    for (const [method, path] of [
      ['POST', '/api/v1/organizations/acme/connections'],
      ['GET', '/api/v1/organizations/acme/members'],
      ['POST', '/api/v1/apps'],
    ] as const) {
      const response = await app.request(path, { method, ...(method === 'POST' ? { body: '{}' } : {}) });
      expect(response.status, path).toBe(401);
    }
  });

  it('creates SAML and OIDC connections and lists them without their secrets', async () => {
    const { call } = await api();
    const org = await createTestOrganization(database.handle);
    const slug = org.organization.slug;
    const samlIdp = await createTestSamlIdp();

    const saml = await call('POST', `/organizations/${slug}/connections`, { type: 'saml', preset: 'okta', metadataXml: samlIdp.metadataXml() });
    expect(saml.status).toBe(201);
    expect(Object.keys(saml.body).sort()).toEqual(['acsUrl', 'id', 'spEntityId', 'spMetadataUrl', 'type']);
    const base = `${TEST_PUBLIC_URL}/sso/saml/${String(saml.body.id)}`;
    expect(saml.body).toEqual({ id: saml.body.id, type: 'saml', spEntityId: base, acsUrl: `${base}/acs`, spMetadataUrl: `${base}/metadata` });

    const oidc = await call('POST', `/organizations/${slug}/connections`, {
      type: 'oidc',
      name: 'Okta OIDC',
      issuer: idp.url,
      clientId: OIDC_CLIENT.client_id,
      clientSecret: OIDC_CLIENT.client_secret,
    });
    expect(oidc.status).toBe(201);
    expect(oidc.body).toEqual({ id: expect.any(String), type: 'oidc', redirectUri: `${TEST_PUBLIC_URL}/sso/oidc/${String(oidc.body.id)}/callback` });

    const list = await call('GET', `/organizations/${slug}/connections`);
    expect(list.status).toBe(200);
    expect(list.body.data?.map((c) => Object.keys(c).sort())).toEqual([
      ['acsUrl', 'createdAt', 'id', 'mapping', 'name', 'preset', 'spEntityId', 'spMetadataUrl', 'type'],
      ['createdAt', 'id', 'mapping', 'name', 'preset', 'redirectUri', 'type'],
    ]);
    expect(list.body.data?.[0]).toMatchObject({ id: saml.body.id, name: samlIdp.entityId, preset: 'okta' });
    expect(list.body.data?.[1]).toMatchObject({ id: oidc.body.id, name: 'Okta OIDC', preset: null });
    const text = JSON.stringify(list.body);
    expect(text).not.toContain(OIDC_CLIENT.client_secret);
    expect(text).not.toContain('PRIVATE KEY');

    // Refusals, each as a problem (RFC 9457).
    const foreign = await call('POST', `/organizations/${slug}/connections`, { type: 'saml', metadataXml: samlIdp.metadataXml(), issuer: idp.url });
    expect(foreign).toMatchObject({ status: 400, body: { code: 'invalid_input', detail: 'issuer does not apply to SAML connections' } });
    const unknown = await call('POST', `/organizations/${slug}/connections`, { type: 'saml', metadataXml: samlIdp.metadataXml(), admin: true });
    expect(unknown.status).toBe(400);
    const raw = await api();
    const notJson = await raw.app.request(`/api/v1/organizations/${slug}/connections`, { method: 'POST', headers: raw.headers, body: 'type=saml' });
    expect(notJson.status).toBe(400);
    expect(await notJson.json()).toMatchObject({ code: 'invalid_input' });
    const { call: strict } = await api({});
    const insecure = await strict('POST', `/organizations/${slug}/connections`, { type: 'oidc', issuer: idp.url, clientId: 'x', clientSecret: 'y' });
    expect(insecure.status).toBe(400);
    expect(insecure.body.detail).toContain('ALLOW_INSECURE_IDP_URLS');
    const missing = await call('GET', '/organizations/nope-nope/connections');
    expect(missing).toMatchObject({ status: 404, body: { code: 'not_found', detail: 'no organization with slug "nope-nope"' } });
  });

  it('adds domains, one organization per verified domain', async () => {
    const { call } = await api();
    const first = await createTestOrganization(database.handle);
    const second = await createTestOrganization(database.handle);
    const domain = `${first.organization.slug}.example.com`;

    const added = await call('POST', `/organizations/${first.organization.slug}/domains`, { domain, verified: true });
    expect(added.status).toBe(201);
    expect(Object.keys(added.body).sort()).toEqual(['domain', 'id', 'verified', 'verifiedAt']);
    expect(added.body).toMatchObject({ domain, verified: true, verifiedAt: expect.any(String) });

    const conflict = await call('POST', `/organizations/${second.organization.slug}/domains`, { domain, verified: true });
    expect(conflict).toMatchObject({ status: 409, body: { code: 'conflict', detail: `${domain} is already verified for another organization` } });

    const list = await call('GET', `/organizations/${first.organization.slug}/domains`);
    expect(list.body.data).toEqual([expect.objectContaining({ id: added.body.id, domain, verified: true })]);
  });

  it('lists members and the sign-in log, and deactivates a member', async () => {
    const { call } = await api();
    const org = await createTestOrganization(database.handle);
    const slug = org.organization.slug;
    const samlIdp = await createTestSamlIdp();
    const connection = await call('POST', `/organizations/${slug}/connections`, { type: 'saml', metadataXml: samlIdp.metadataXml() });
    const connectionId = String(connection.body.id);
    const resolved = await resolveSignIn(database.handle.db, { organizationId: org.organization.id, connectionId, profile: profile('sub-ada', 'ada@example.com') });
    if (!resolved.ok) throw new Error(resolved.detail);
    const memberId = resolved.member.id;

    const members = await call('GET', `/organizations/${slug}/members`);
    expect(members.body.data).toEqual([expect.objectContaining({ id: memberId, email: 'ada@example.com', status: 'active', role: 'member', teams: [], source: 'jit' })]);

    for (const [i, outcome] of (['failed', 'succeeded'] as const).entries()) {
      await recordSignIn(
        database.handle.db,
        { organizationId: org.organization.id, connectionId, memberId, email: 'ada@example.com', ip: '127.0.0.1', userAgent: 'test', outcome, reason: outcome === 'failed' ? 'saml.wrong_audience' : null, detail: `attempt ${i}` },
        new Date(Date.UTC(2030, 0, 1, 0, i)),
      );
    }
    const signIns = await call('GET', `/organizations/${slug}/sign-ins?limit=1`);
    expect(signIns.body.data).toEqual([
      {
        id: expect.any(String),
        occurredAt: '2030-01-01T00:01:00.000Z',
        outcome: 'succeeded',
        reason: null,
        connectionId,
        memberId,
        email: 'ada@example.com',
        idpSubject: null,
        ip: '127.0.0.1',
        userAgent: 'test',
        detail: 'attempt 1',
      },
    ]);
    expect((await call('GET', `/organizations/${slug}/sign-ins?limit=0`)).status).toBe(400);
    expect((await call('GET', `/organizations/${slug}/sign-ins?limit=x`)).status).toBe(400);

    await database.handle.db.execute(
      sql`insert into oidc_provider_payloads (model, id, payload, account_id) values ('Session', ${`s-${memberId}`}, '{}'::jsonb, ${memberId})`,
    );
    const deactivated = await call('POST', `/organizations/${slug}/members/${memberId}/deactivate`);
    expect(deactivated.status).toBe(200);
    expect(deactivated.body).toEqual({ id: memberId, status: 'deactivated', sessionsEnded: 1, logoutsQueued: expect.any(Number) });
    const left = rowsOf(await database.handle.db.execute(sql`select id from oidc_provider_payloads where account_id = ${memberId}`));
    expect(left).toEqual([]);

    expect((await call('POST', `/organizations/${slug}/members/${crypto.randomUUID()}/deactivate`)).status).toBe(404);
    expect((await call('POST', `/organizations/${slug}/members/not-a-uuid/deactivate`)).status).toBe(400);
  });

  it('registers apps and lists them without their secrets', async () => {
    const { call } = await api();
    const created = await call('POST', '/apps', {
      name: 'Demo',
      redirectUris: ['http://127.0.0.1:4000/callback'],
      backchannelLogoutUri: 'https://demo.example.com/logout',
    });
    expect(created.status).toBe(201);
    expect(Object.keys(created.body).sort()).toEqual(['clientId', 'clientSecret', 'issuer']);
    expect(created.body.issuer).toBe(TEST_PUBLIC_URL);

    const list = await call('GET', '/apps');
    expect(list.body.data).toEqual(
      expect.arrayContaining([
        {
          clientId: created.body.clientId,
          name: 'Demo',
          redirectUris: ['http://127.0.0.1:4000/callback'],
          postLogoutRedirectUris: [],
          backchannelLogoutUri: 'https://demo.example.com/logout',
          initiateLoginUri: null,
          createdAt: expect.any(String),
        },
      ]),
    );
    expect(JSON.stringify(list.body)).not.toContain(String(created.body.clientSecret));

    const insecure = await call('POST', '/apps', { name: 'Bad', redirectUris: ['http://demo.example.com/callback'] });
    expect(insecure.status).toBe(400);
    expect(insecure.body.detail).toMatch(/must use https/);
    expect((await call('POST', '/apps', { name: 'None', redirectUris: [] })).status).toBe(400);
  });
});

describe(`secret rotation through the local control endpoint on ${testDatabaseKind}`, () => {
  it('refuses to re-seal with a server secret other than the one the command was given', async () => {
    const { app } = buildTestApp(database.handle, {}, 'c'.repeat(43));
    const response = await app.request('/_roster/control/secret.rotate', {
      method: 'POST',
      headers: { Authorization: `Bearer ${'c'.repeat(43)}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ keyId: 'another-key' }),
    });
    expect(response.status).toBe(412);
    const body = (await response.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('precondition_failed');
    expect(body.error.message).toMatch(/^the server running this command uses another ROSTER_SECRET/);
  });
});
