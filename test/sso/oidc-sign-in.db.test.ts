/**
 * The whole chain with an OpenID Connect IdP (a real oidc-provider): the app → Roster → the IdP →
 * Roster's callback → the app, and the refusals the callback makes before any member is touched.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type * as oidc from 'openid-client';
import { eq } from 'drizzle-orm';
import { schema } from '../../src/db/index.ts';
import { createSsoConnection, listMembers, registerApp, type OrgContext } from '../../src/directory/index.ts';
import { newId } from '../../src/ids.ts';
import { oidcRedirectUri, prepareOidcConnection } from '../../src/sso/index.ts';
import { testDatabaseKind, useTestDatabase } from '../support/database.ts';
import { createTestOrganization } from '../support/factories.ts';
import { startRosterServer, type TestRosterServer } from '../support/roster-server.ts';
import { authorizationRequest, browse, CookieJar, discoverApp } from '../support/test-app-client.ts';
import { startTestOidcIdp, type TestOidcIdp } from '../support/test-oidc-idp.ts';
import { APP_REDIRECT_URI, exchange } from './support/sign-in-chain.ts';

const database = useTestDatabase();

describe(`OIDC sign-in end to end on ${testDatabaseKind}`, () => {
  let server: TestRosterServer;
  let org: OrgContext;
  let idp: TestOidcIdp;
  let app: oidc.Configuration;
  const connectionId = newId();

  beforeAll(async () => {
    server = await startRosterServer(database.handle, { ALLOW_INSECURE_IDP_URLS: 'true' });
    org = await createTestOrganization(database.handle);
    idp = await startTestOidcIdp({
      clients: [
        { client_id: 'roster', client_secret: 'roster-secret-at-the-idp', redirect_uris: [oidcRedirectUri(server.url, connectionId)], token_endpoint_auth_method: 'client_secret_basic' },
      ],
      accounts: {
        'okta-user-1': { email: 'erin@acme.example', email_verified: true, given_name: 'Erin', family_name: 'Oidc', name: 'Erin Oidc', groups: ['Support'] },
        'okta-user-2': { email: 'frank@acme.example', email_verified: true },
      },
      claimsOnlyInUserinfo: ['okta-user-1'],
    });
    const input = await prepareOidcConnection(
      { issuer: idp.issuer, clientId: 'roster', clientSecret: 'roster-secret-at-the-idp', preset: 'okta', scopes: ['openid', 'email', 'profile', 'groups'] },
      { publicUrl: server.url, allowInsecureIdpUrls: true },
    );
    // The IdP had to know the redirect URI before the connection existed: give the connection the id it was told.
    await createSsoConnection(org, server.box, { ...input, id: connectionId, settings: { ...input.settings, redirectUri: oidcRedirectUri(server.url, connectionId) } });
    const registered = await registerApp(database.handle.db, server.box, { name: 'Demo', redirectUris: [APP_REDIRECT_URI] });
    app = await discoverApp(server.url, registered);
  });
  afterAll(async () => {
    await server?.close();
    await idp?.close();
  });

  async function toIdp(params: Record<string, string>) {
    const request = await authorizationRequest(app, { redirectUri: APP_REDIRECT_URI, params });
    const jar = new CookieJar();
    const sent = await browse(request.url, { jar, stopAt: idp.url });
    if (!sent.callback) throw new Error(`not sent to the IdP: ${sent.response.status} ${await sent.response.text()}`);
    return { request, jar, idpUrl: sent.callback };
  }

  it('signs a person in through the IdP, with claims from its userinfo, and hands the app its ID token', async () => {
    const { request, jar, idpUrl } = await toIdp({ organization: org.organization.slug });
    expect(idpUrl.searchParams.get('code_challenge_method')).toBe('S256');
    const callback = await idp.authorize(idpUrl, 'okta-user-1');
    const end = await browse(callback, { jar, stopAt: APP_REDIRECT_URI });
    const tokens = await exchange(app, { request, end });
    const [member] = (await listMembers(org)).filter((m) => m.email === 'erin@acme.example');
    expect(tokens.claims()).toMatchObject({
      sub: member!.id,
      email: 'erin@acme.example',
      email_verified: true,
      given_name: 'Erin',
      groups: ['Support'],
      idp: { connection: connectionId, type: 'oidc' },
      amr: ['oidc'],
    });
    const [identity] = await database.handle.db.select().from(schema.memberIdentities).where(eq(schema.memberIdentities.memberId, member!.id));
    expect(identity).toMatchObject({ connectionId, subject: 'okta-user-1' });
  });

  it('refuses a callback whose state names no sign-in, and one reaching another browser', async () => {
    const { idpUrl } = await toIdp({ connection: connectionId });
    const callback = await idp.authorize(idpUrl, 'okta-user-2');

    // Another browser (no flow cookie) cannot spend the code.
    const stranger = await fetch(callback, { redirect: 'manual' });
    expect(stranger.status).toBe(400);
    const ref = /<code>([0-9a-f-]{36})<\/code>/.exec(await stranger.text())?.[1];
    const [logged] = await database.handle.db.select().from(schema.signIns).where(eq(schema.signIns.id, ref!));
    expect(logged).toMatchObject({ outcome: 'failed', reason: 'oidc.browser_mismatch' });

    // The flow was claimed by that attempt: the state is single-use, whoever presents it.
    const forged = new URL(callback);
    forged.searchParams.set('state', 'not-a-flow');
    const unknown = await fetch(forged, { redirect: 'manual' });
    expect(unknown.status).toBe(400);
    expect(await unknown.text()).not.toContain('state');
  });

  it('shows the person a reference page when the IdP reports an error', async () => {
    const { jar, idpUrl } = await toIdp({ organization: org.organization.slug });
    const callback = await idp.authorize(idpUrl, 'okta-user-2', { deny: true });
    const end = await browse(callback, { jar, stopAt: APP_REDIRECT_URI });
    expect(end.callback).toBeUndefined();
    expect(end.response.status).toBe(400);
    const ref = /<code>([0-9a-f-]{36})<\/code>/.exec(await end.response.text())?.[1];
    const [logged] = await database.handle.db.select().from(schema.signIns).where(eq(schema.signIns.id, ref!));
    expect(logged).toMatchObject({ reason: 'oidc.idp_error', connectionId });
    expect(logged!.detail).toContain('access_denied');
  });
});
