/**
 * The app reads the admin API with its own credentials: a client-credentials token from Roster's
 * OpenID Provider, limited to the read scopes it asked for, never writing, and dead once revoked.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerApp } from '../../src/directory/index.ts';
import { testDatabaseKind, useTestDatabase } from '../support/database.ts';
import { createTestOrganization } from '../support/factories.ts';
import { startRosterServer, type TestRosterServer } from '../support/roster-server.ts';

const database = useTestDatabase();

describe(`admin API with the app's own token on ${testDatabaseKind}`, () => {
  let server: TestRosterServer;
  let app: { clientId: string; clientSecret: string };
  beforeAll(async () => {
    server = await startRosterServer(database.handle);
    app = await registerApp(database.handle.db, server.box, { name: 'Helpdesk', redirectUris: ['https://helpdesk.example/cb'] });
  });
  afterAll(async () => {
    await server?.close();
  });

  const basic = () => `Basic ${Buffer.from(`${app.clientId}:${app.clientSecret}`).toString('base64')}`;

  async function token(scope: string) {
    const response = await fetch(`${server.url}/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic() },
      body: new URLSearchParams({ grant_type: 'client_credentials', scope }),
    });
    return { status: response.status, body: (await response.json()) as Record<string, string> };
  }

  const api = (accessToken: string, path: string, init: RequestInit = {}) =>
    fetch(`${server.url}/api/v1${path}`, { ...init, headers: { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json', ...init.headers } });

  it('reads what its scopes allow, and nothing else', async () => {
    const org = await createTestOrganization(database.handle);
    const slug = org.organization.slug;
    const granted = await token('audit:read directory:read');
    expect(granted.status).toBe(200);
    expect(granted.body.scope).toBe('audit:read directory:read');

    const orgs = await api(granted.body.access_token!, '/organizations');
    expect(orgs.status).toBe(200);
    expect(((await orgs.json()) as { data: { slug: string }[] }).data.map((o) => o.slug)).toContain(slug);
    expect((await api(granted.body.access_token!, `/organizations/${slug}/audit-log`)).status).toBe(200);
    expect((await api(granted.body.access_token!, `/organizations/${slug}/connections`)).status).toBe(200);

    const auditOnly = await token('audit:read');
    const refused = await api(auditOnly.body.access_token!, `/organizations/${slug}/directories`);
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({ code: 'forbidden', scope: 'directory:read' });

    // An app token never writes, whatever its scopes.
    const write = await api(granted.body.access_token!, `/organizations/${slug}/domains`, { method: 'POST', body: JSON.stringify({ domain: 'x.example', verified: true }) });
    expect(write.status).toBe(403);
    expect(await write.json()).toMatchObject({ code: 'forbidden', detail: expect.stringMatching(/may only read/) });
    expect((await api(granted.body.access_token!, '/apps')).status).toBe(403);
  });

  it('is granted no scope Roster does not define, and a revoked or unknown token is 401', async () => {
    const unknown = await token('admin:write');
    expect(unknown.body.scope ?? '').not.toContain('admin:write');
    if (unknown.status === 200) expect((await api(unknown.body.access_token!, '/organizations/x/audit-log')).status).not.toBe(200);
    const granted = await token('members:read');
    const revoked = await fetch(`${server.url}/oauth2/revoke`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic() },
      body: new URLSearchParams({ token: granted.body.access_token! }),
    });
    expect(revoked.status).toBe(200);
    const after = await api(granted.body.access_token!, '/organizations');
    expect(after.status).toBe(401);
    expect(after.headers.get('www-authenticate')).toContain('error="invalid_token"');
    expect((await api('not-a-token', '/organizations')).status).toBe(401);
  });
});
