/**
 * Roster's console signs people in through the same SSO: their organization's SAML IdP here, with
 * a session row behind an opaque HttpOnly cookie, ended at once by deactivation or sign-out.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { schema } from '../../src/db/index.ts';
import { createSsoConnection, deactivateMember, listMembers, loadConnectionForSignIn, type OrgContext } from '../../src/directory/index.ts';
import { prepareSamlConnection } from '../../src/sso/index.ts';
import type { SamlSpSettings } from '../../src/sso/saml/index.ts';
import { testDatabaseKind, useTestDatabase } from '../support/database.ts';
import { createTestOrganization } from '../support/factories.ts';
import { startRosterServer, type TestRosterServer } from '../support/roster-server.ts';
import { browse, CookieJar } from '../support/test-app-client.ts';
import { createTestSamlIdp, type TestSamlIdp } from './saml/support/test-idp.ts';
import { postToAcs, readAuthnRequest } from './support/sign-in-chain.ts';

const database = useTestDatabase();

describe(`console sign-in on ${testDatabaseKind}`, () => {
  let server: TestRosterServer;
  let org: OrgContext;
  let idp: TestSamlIdp;
  let sp: SamlSpSettings;

  beforeAll(async () => {
    server = await startRosterServer(database.handle);
    org = await createTestOrganization(database.handle);
    idp = await createTestSamlIdp();
    const connection = await createSsoConnection(
      org,
      server.box,
      await prepareSamlConnection({ metadataXml: idp.metadataXml() }, { publicUrl: server.url, allowInsecureIdpUrls: false }),
    );
    const loaded = await loadConnectionForSignIn(database.handle.db, server.box, connection.id);
    sp = { entityId: String(loaded!.settings.spEntityId), acsUrl: String(loaded!.settings.acsUrl), privateKeyPem: loaded!.secret, certificatePem: String(loaded!.settings.spCertificatePem) };
  });
  afterAll(async () => {
    await server?.close();
  });

  async function signInToConsole(email: string) {
    const jar = new CookieJar();
    const toIdp = await browse(new URL(`/sso/console/sign-in?organization=${org.organization.slug}`, server.url), { jar, stopAt: idp.ssoUrl });
    const authn = readAuthnRequest(toIdp.callback!);
    const acs = await postToAcs(sp.acsUrl, await idp.respond({ sp, inResponseTo: authn.id, nameId: email, attributes: { email } }), authn.relayState);
    expect(acs.status).toBe(303);
    expect(acs.headers.get('location')).toMatch(/^\/sso\/console\/finish\?flow=/);
    const finish = await fetch(new URL(acs.headers.get('location')!, server.url), { headers: { cookie: jar.header() }, redirect: 'manual' });
    expect(finish.status).toBe(303);
    expect(finish.headers.get('location')).toBe('/console');
    const setCookie = finish.headers.getSetCookie().find((line) => line.startsWith('roster_console='));
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Lax/i);
    jar.store(finish);
    return jar;
  }

  it('opens a session for the member the IdP signed in, stored only as a hash', async () => {
    const jar = await signInToConsole('ops@console.example');
    const page = await fetch(new URL('/console', server.url), { headers: { cookie: jar.header() }, redirect: 'manual' });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('ops@console.example');
    // Using the console counts as being seen.
    const [seen] = await database.handle.db.select({ lastSeenAt: schema.members.lastSeenAt }).from(schema.members).where(eq(schema.members.email, 'ops@console.example'));
    expect(seen?.lastSeenAt).toBeInstanceOf(Date);
    const cookieValue = /roster_console=([^;]+)/.exec(jar.header())![1]!;
    const rows = await database.handle.db.select().from(schema.consoleSessions);
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.some((r) => r.idHash === cookieValue)).toBe(false);
  });

  it('ends the session at once when the member is deactivated, and on sign-out', async () => {
    const jar = await signInToConsole('temp@console.example');
    const [member] = (await listMembers(org)).filter((m) => m.email === 'temp@console.example');
    await deactivateMember(org, member!.id);
    const after = await fetch(new URL('/console', server.url), { headers: { cookie: jar.header() }, redirect: 'manual' });
    expect(after.status).toBe(303);
    expect(after.headers.get('location')).toBe('/sso/console/sign-in');
    expect(await database.handle.db.select().from(schema.consoleSessions).where(eq(schema.consoleSessions.memberId, member!.id))).toHaveLength(0);

    const other = await signInToConsole('stays@console.example');
    const out = await fetch(new URL('/sso/console/sign-out', server.url), { method: 'POST', headers: { cookie: other.header() }, redirect: 'manual' });
    expect(out.status).toBe(303);
    const gone = await fetch(new URL('/console', server.url), { headers: { cookie: other.header() }, redirect: 'manual' });
    expect(gone.status).toBe(303);
  });

  it('does not let an app sign-in flow be finished as a console session', async () => {
    const jar = new CookieJar();
    const toIdp = await browse(new URL(`/sso/console/sign-in?organization=${org.organization.slug}`, server.url), { jar, stopAt: idp.ssoUrl });
    const authn = readAuthnRequest(toIdp.callback!);
    const acs = await postToAcs(sp.acsUrl, await idp.respond({ sp, inResponseTo: authn.id, nameId: 'x@console.example', attributes: { email: 'x@console.example' } }), authn.relayState);
    const flow = new URL(acs.headers.get('location')!, server.url).searchParams.get('flow')!;
    // The console flow presented to an app interaction's finish is refused.
    const wrong = await fetch(new URL(`/sso/interaction/some-uid/finish?flow=${encodeURIComponent(flow)}`, server.url), { headers: { cookie: jar.header() }, redirect: 'manual' });
    expect(wrong.status).toBe(400);
  });
});
