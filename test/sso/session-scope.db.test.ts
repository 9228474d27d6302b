/**
 * A browser signed in once is signed in again without a trip to its IdP (the provider's session),
 * but only for requests its member can answer: an app asking for another organization, or for a
 * connection the member never used, sends the person to sign in there.
 */
import type * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSsoConnection, loadConnectionForSignIn, registerApp, type OrgContext } from '../../src/directory/index.ts';
import { prepareSamlConnection } from '../../src/sso/index.ts';
import type { SamlSpSettings } from '../../src/sso/saml/index.ts';
import { testDatabaseKind, useTestDatabase } from '../support/database.ts';
import { createTestOrganization } from '../support/factories.ts';
import { startRosterServer, type TestRosterServer } from '../support/roster-server.ts';
import { authorizationRequest, browse, CookieJar, discoverApp } from '../support/test-app-client.ts';
import { createTestSamlIdp, type TestSamlIdp } from './saml/support/test-idp.ts';
import { APP_REDIRECT_URI, exchange, samlSignIn } from './support/sign-in-chain.ts';

const database = useTestDatabase();

describe(`sessions answer only their own organization on ${testDatabaseKind}`, () => {
  let server: TestRosterServer;
  let app: oidc.Configuration;
  const orgs: { org: OrgContext; idp: TestSamlIdp; sp: SamlSpSettings; connectionId: string }[] = [];

  beforeAll(async () => {
    server = await startRosterServer(database.handle);
    for (const name of ['a', 'b']) {
      const org = await createTestOrganization(database.handle);
      const idp = await createTestSamlIdp({ entityId: `https://idp-${name}.example/metadata`, ssoUrl: `https://idp-${name}.example/sso` });
      const connection = await createSsoConnection(org, server.box, await prepareSamlConnection({ metadataXml: idp.metadataXml() }, { publicUrl: server.url, allowInsecureIdpUrls: false }));
      const loaded = await loadConnectionForSignIn(database.handle.db, server.box, connection.id);
      const sp = { entityId: String(loaded!.settings.spEntityId), acsUrl: String(loaded!.settings.acsUrl), privateKeyPem: loaded!.secret, certificatePem: String(loaded!.settings.spCertificatePem) };
      orgs.push({ org, idp, sp, connectionId: connection.id });
    }
    app = await discoverApp(server.url, await registerApp(database.handle.db, server.box, { name: 'Demo', redirectUris: [APP_REDIRECT_URI] }));
  });
  afterAll(async () => {
    await server?.close();
  });

  it('reuses the session for its organization, and sends a request for another one to that IdP', async () => {
    const [a, b] = orgs as [(typeof orgs)[0], (typeof orgs)[0]];
    const jar = new CookieJar();
    const first = await samlSignIn(app, a.idp, a.sp, { params: { organization: a.org.organization.slug }, user: { nameId: 'ivy@a.example', attributes: { email: 'ivy@a.example' } }, jar });
    const sub = (await exchange(app, first)).claims()!.sub;

    // Same organization: straight back to the app, no IdP visited.
    const again = await authorizationRequest(app, { redirectUri: APP_REDIRECT_URI, params: { organization: a.org.organization.slug } });
    const reused = await browse(again.url, { jar, stopAt: APP_REDIRECT_URI });
    expect(reused.visited.some((u) => u.startsWith('https://idp-'))).toBe(false);
    expect((await exchange(app, { request: again, end: reused })).claims()!.sub).toBe(sub);

    // Another organization: the person is sent to that organization's IdP, not handed over as Ivy.
    const other = await authorizationRequest(app, { redirectUri: APP_REDIRECT_URI, params: { organization: b.org.organization.slug } });
    const toB = await browse(other.url, { jar, stopAt: b.idp.ssoUrl });
    expect(toB.callback?.href.startsWith(b.idp.ssoUrl)).toBe(true);

    // A connection of the member's own organization they never used is another sign-in too; prompt=none cannot do it.
    const silent = await authorizationRequest(app, { redirectUri: APP_REDIRECT_URI, params: { connection: b.connectionId, prompt: 'none' } });
    const refused = await browse(silent.url, { jar, stopAt: APP_REDIRECT_URI });
    expect(refused.callback?.searchParams.get('error')).toBe('login_required');
  });
});
