/**
 * Deactivating a member signs them out of the apps too: the OpenID Provider's sessions and tokens
 * end in the deactivation's transaction, and the app that registered a back-channel logout URI
 * receives a logout token for that member, signed with the provider's key.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import type * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSsoConnection, deactivateMember, loadConnectionForSignIn, registerApp, type OrgContext } from '../../src/directory/index.ts';
import { deliverBackchannelLogouts } from '../../src/sso/provider/index.ts';
import { prepareSamlConnection } from '../../src/sso/index.ts';
import type { SamlSpSettings } from '../../src/sso/saml/index.ts';
import { testDatabaseKind, useTestDatabase } from '../support/database.ts';
import { createTestOrganization } from '../support/factories.ts';
import { startRosterServer, type TestRosterServer } from '../support/roster-server.ts';
import { discoverApp } from '../support/test-app-client.ts';
import { createTestSamlIdp, type TestSamlIdp } from './saml/support/test-idp.ts';
import { APP_REDIRECT_URI, exchange, samlSignIn } from './support/sign-in-chain.ts';

const database = useTestDatabase();

describe(`deactivation signs the member out of apps on ${testDatabaseKind}`, () => {
  let server: TestRosterServer;
  let org: OrgContext;
  let idp: TestSamlIdp;
  let sp: SamlSpSettings;
  let app: oidc.Configuration;
  let clientId: string;
  let receiver: http.Server;
  const received: string[] = [];

  beforeAll(async () => {
    receiver = http.createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        received.push(new URLSearchParams(body).get('logout_token') ?? '');
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    server = await startRosterServer(database.handle);
    org = await createTestOrganization(database.handle);
    idp = await createTestSamlIdp();
    const connection = await createSsoConnection(org, server.box, await prepareSamlConnection({ metadataXml: idp.metadataXml() }, { publicUrl: server.url, allowInsecureIdpUrls: false }));
    const loaded = await loadConnectionForSignIn(database.handle.db, server.box, connection.id);
    sp = { entityId: String(loaded!.settings.spEntityId), acsUrl: String(loaded!.settings.acsUrl), privateKeyPem: loaded!.secret, certificatePem: String(loaded!.settings.spCertificatePem) };
    const registered = await registerApp(database.handle.db, server.box, {
      name: 'Demo',
      redirectUris: [APP_REDIRECT_URI],
      backchannelLogoutUri: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/backchannel`,
    });
    clientId = registered.clientId;
    app = await discoverApp(server.url, registered);
  });
  afterAll(async () => {
    await server?.close();
    await new Promise((resolve) => receiver?.close(resolve));
  });

  it('sends the app a logout token naming the member, once', async () => {
    const chain = await samlSignIn(app, idp, sp, {
      params: { organization: org.organization.slug },
      user: { nameId: 'hana@logout.example', attributes: { email: 'hana@logout.example' } },
    });
    const tokens = await exchange(app, chain);
    const sub = tokens.claims()!.sub;

    const result = await deactivateMember(org, sub);
    expect(result.logoutsQueued).toBe(1);
    const delivery = await deliverBackchannelLogouts(server.rp, { db: database.handle.db });
    expect(delivery.delivered).toBe(1);
    expect(received).toHaveLength(1);
    const jwks = createRemoteJWKSet(new URL('/.well-known/jwks.json', server.url));
    const { payload, protectedHeader } = await jwtVerify(received[0]!, jwks, { issuer: server.url, audience: clientId, algorithms: ['RS256'] });
    expect(protectedHeader.typ).toBe('logout+jwt');
    expect(payload.sub).toBe(sub);
    expect(payload.events).toEqual({ 'http://schemas.openid.net/event/backchannel-logout': {} });

    // Delivered once: a second run sends nothing more.
    expect((await deliverBackchannelLogouts(server.rp, { db: database.handle.db })).delivered).toBe(0);
  });
});
