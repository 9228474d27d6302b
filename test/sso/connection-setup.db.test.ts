/**
 * Setting up connections from what an operator has: IdP metadata (XML or an https URL), or the
 * IdP's fields typed in; an OIDC issuer discovered and pinned. Everything an IdP administrator
 * could get wrong is refused with a line that says what.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSsoConnection, loadConnectionForSignIn, updateSsoConnection } from '../../src/directory/index.ts';
import { SecretBox } from '../../src/secrets/index.ts';
import { prepareSamlConnection } from '../../src/sso/index.ts';
import { TEST_SECRET } from '../support/app.ts';
import { testDatabaseKind, useTestDatabase } from '../support/database.ts';
import { createTestOrganization } from '../support/factories.ts';
import { createTestSamlIdp, type TestSamlIdp } from './saml/support/test-idp.ts';

const database = useTestDatabase();
const box = SecretBox.fromSecrets(TEST_SECRET);
const PUBLIC_URL = 'https://roster.example';

describe(`SAML connection set-up on ${testDatabaseKind}`, () => {
  let idp: TestSamlIdp;
  let server: http.Server;
  let base: string;
  const routes = new Map<string, (res: http.ServerResponse) => void>();

  beforeAll(async () => {
    idp = await createTestSamlIdp();
    server = http.createServer((req, res) => (routes.get(req.url ?? '') ?? ((r: http.ServerResponse) => r.writeHead(404).end()))(res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    routes.set('/metadata', (res) => res.writeHead(200, { 'content-type': 'application/xml' }).end(idp.metadataXml()));
    routes.set('/moved', (res) => res.writeHead(302, { location: '/metadata' }).end());
    routes.set('/huge', (res) => res.writeHead(200).end('<x>' + 'a'.repeat(2 * 1024 * 1024) + '</x>'));
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it('fetches metadata from a URL only over https, unless the operator allowed loopback http', async () => {
    await expect(prepareSamlConnection({ metadataUrl: `${base}/metadata` }, { publicUrl: PUBLIC_URL, allowInsecureIdpUrls: false })).rejects.toThrow(
      /must use https.*ALLOW_INSECURE_IDP_URLS/,
    );
    const input = await prepareSamlConnection({ metadataUrl: `${base}/metadata` }, { publicUrl: PUBLIC_URL, allowInsecureIdpUrls: true });
    expect(input.settings).toMatchObject({ idpEntityId: idp.entityId, ssoUrl: idp.ssoUrl, metadataUrl: `${base}/metadata` });
    await expect(prepareSamlConnection({ metadataUrl: `${base}/moved` }, { publicUrl: PUBLIC_URL, allowInsecureIdpUrls: true })).rejects.toThrow(/redirects/);
    await expect(prepareSamlConnection({ metadataUrl: `${base}/huge` }, { publicUrl: PUBLIC_URL, allowInsecureIdpUrls: true })).rejects.toThrow(/larger than/);
    await expect(prepareSamlConnection({ metadataUrl: `${base}/missing` }, { publicUrl: PUBLIC_URL, allowInsecureIdpUrls: true })).rejects.toThrow(/HTTP 404/);
  });

  it('takes the IdP as typed-in fields, with every certificate checked, and stores the SP key sealed', async () => {
    const org = await createTestOrganization(database.handle);
    const second = await createTestSamlIdp();
    const input = await prepareSamlConnection(
      { manual: { idpEntityId: idp.entityId, ssoUrl: idp.ssoUrl, certificates: [idp.certificatePem, second.certificatePem] }, preset: 'google', name: 'Google Workspace' },
      { publicUrl: PUBLIC_URL, allowInsecureIdpUrls: false },
    );
    const created = await createSsoConnection(org, box, input);
    expect(created.settings.certificates).toHaveLength(2);
    expect(created.settings).toMatchObject({ spEntityId: `${PUBLIC_URL}/sso/saml/${created.id}`, acsUrl: `${PUBLIC_URL}/sso/saml/${created.id}/acs` });
    const loaded = await loadConnectionForSignIn(database.handle.db, box, created.id);
    expect(loaded!.secret).toContain('PRIVATE KEY');
    expect(JSON.stringify(created)).not.toContain('PRIVATE KEY');

    await expect(
      prepareSamlConnection({ manual: { idpEntityId: 'x', ssoUrl: idp.ssoUrl, certificates: ['not a certificate'] } }, { publicUrl: PUBLIC_URL, allowInsecureIdpUrls: false }),
    ).rejects.toThrow(/certificate #1 is not an X.509/);
    await expect(
      prepareSamlConnection({ manual: { idpEntityId: 'x', ssoUrl: 'http://idp.example/sso', certificates: [idp.certificatePem] } }, { publicUrl: PUBLIC_URL, allowInsecureIdpUrls: false }),
    ).rejects.toThrow(/sign-on URL must use https/);
    await expect(
      prepareSamlConnection({ manual: { idpEntityId: 'x', ssoUrl: idp.ssoUrl, certificates: [] } }, { publicUrl: PUBLIC_URL, allowInsecureIdpUrls: false }),
    ).rejects.toThrow(/no IdP certificate/);
    await expect(
      prepareSamlConnection({ metadataXml: idp.metadataXml(), manual: { idpEntityId: 'x', ssoUrl: idp.ssoUrl, certificates: [] } }, { publicUrl: PUBLIC_URL, allowInsecureIdpUrls: false }),
    ).rejects.toThrow(/exactly one/);

    // A certificate rotation replaces the list in place; the last certificate cannot be removed.
    const rotated = await updateSsoConnection(org, created.id, { settings: { certificates: [second.certificatePem] } });
    expect(rotated.settings.certificates).toEqual([second.certificatePem]);
    expect(rotated.settings.spEntityId).toBe(created.settings.spEntityId);
    await expect(updateSsoConnection(org, created.id, { settings: { certificates: [] } })).rejects.toMatchObject({ code: 'invalid_input' });
    const other = await createTestOrganization(database.handle);
    await expect(updateSsoConnection(other, created.id, { name: 'stolen' })).rejects.toMatchObject({ code: 'not_found' });
  });

  it('refuses metadata without a signing certificate: a connection fails closed', async () => {
    const xml = idp.metadataXml().replace(/<(\w+:)?KeyDescriptor[\s\S]*?<\/(\w+:)?KeyDescriptor>/g, '');
    await expect(prepareSamlConnection({ metadataXml: xml }, { publicUrl: PUBLIC_URL, allowInsecureIdpUrls: false })).rejects.toThrow(/certificate/);
    await expect(prepareSamlConnection({ metadataXml: idp.metadataXml(), preset: 'generic-oidc' }, { publicUrl: PUBLIC_URL, allowInsecureIdpUrls: false })).rejects.toThrow(
      /for OIDC connections/,
    );
  });
});
