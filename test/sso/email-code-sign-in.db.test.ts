/**
 * Signing in with a one-time code, over real HTTP, for members of organizations without SSO: the
 * app (openid-client) → Roster's OpenID Provider → the work-email step → the code from the outbox
 * → the app's ID token; the console the same way. Unknown and deactivated addresses get the same
 * page as members and no code; a domain with a connection still goes to its IdP.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as oidc from 'openid-client';
import { and, desc, eq } from 'drizzle-orm';
import { schema } from '../../src/db/index.ts';
import { addOrganizationDomain, createSsoConnection, deactivateMember, openMailBody, registerApp, type OrgContext } from '../../src/directory/index.ts';
import { newId } from '../../src/ids.ts';
import { prepareSamlConnection } from '../../src/sso/index.ts';
import { testDatabaseKind, useTestDatabase } from '../support/database.ts';
import { createTestOrganization, uniqueSlug } from '../support/factories.ts';
import { startRosterServer, type TestRosterServer } from '../support/roster-server.ts';
import { authorizationRequest, browse, CookieJar, discoverApp } from '../support/test-app-client.ts';
import { createTestSamlIdp, type TestSamlIdp } from './saml/support/test-idp.ts';
import { APP_REDIRECT_URI } from './support/sign-in-chain.ts';

const database = useTestDatabase();

describe(`email code sign-in on ${testDatabaseKind}`, () => {
  let server: TestRosterServer;
  let org: OrgContext;
  let app: oidc.Configuration;

  beforeAll(async () => {
    server = await startRosterServer(database.handle);
    org = await createTestOrganization(database.handle);
    const registered = await registerApp(database.handle.db, server.box, { name: 'Demo', redirectUris: [APP_REDIRECT_URI] });
    app = await discoverApp(server.url, registered);
  });
  afterAll(async () => {
    await server?.close();
  });

  const url = (path: string) => new URL(path, server.url);

  async function addMember(into: OrgContext, email: string) {
    const id = newId();
    await database.handle.db.insert(schema.members).values({ id, organizationId: into.organization.id, email, emailKey: email.toLowerCase(), status: 'active', role: 'member', source: 'admin', givenName: 'Ada' });
    return id;
  }

  async function codesMailedTo(address: string) {
    const rows = await database.handle.db
      .select()
      .from(schema.mailOutbox)
      .where(and(eq(schema.mailOutbox.toAddress, address), eq(schema.mailOutbox.kind, 'sign_in_code')))
      .orderBy(desc(schema.mailOutbox.id));
    return rows.map((r) => /^\s+(\d{6})$/m.exec(openMailBody(server.box, r.id, r.bodySealed).text)?.[1] ?? '');
  }

  async function post(action: string, jar: CookieJar, fields: Record<string, string>) {
    const response = await fetch(url(action), {
      method: 'POST',
      body: new URLSearchParams(fields),
      headers: { cookie: jar.header(), 'content-type': 'application/x-www-form-urlencoded' },
      redirect: 'manual',
    });
    jar.store(response);
    return { response, html: await response.text() };
  }

  const actionOf = (html: string) => /<form method="post" action="([^"]+)"/.exec(html)?.[1] ?? '';

  /** The app's authorization request up to Roster's work-email page, and the address posted there. */
  async function askCode(email: string, params: Record<string, string> = {}) {
    const request = await authorizationRequest(app, { redirectUri: APP_REDIRECT_URI, params });
    const jar = new CookieJar();
    const page = await browse(request.url, { jar });
    expect(page.response.status).toBe(200);
    const emailAction = actionOf(await page.response.text());
    expect(emailAction).toMatch(/^\/sso\/interaction\/[^/]+\/email$/);
    const sent = await post(emailAction, jar, { email });
    return { request, jar, sent };
  }

  it('signs an app user in with a code and the app gets an ID token whose sub is the member', async () => {
    const email = `ada@${uniqueSlug('code')}.example`;
    const memberId = await addMember(org, email);
    const { request, jar, sent } = await askCode(email);
    expect(sent.response.status).toBe(200);
    expect(sent.html).toContain(`If <strong>${email}</strong> can sign in here, we sent it a code`);
    const codeCookie = sent.response.headers.getSetCookie().find((l) => l.startsWith('roster_code='));
    expect(codeCookie).toMatch(/HttpOnly/i);
    expect(codeCookie).toMatch(/Path=\/sso\/interaction\//);
    const codeAction = actionOf(sent.html);
    expect(codeAction).toMatch(/^\/sso\/interaction\/[^/]+\/code$/);
    const [code] = await codesMailedTo(email);

    const wrong = await post(codeAction, jar, { code: String((Number(code) + 1) % 1_000_000).padStart(6, '0') });
    expect(wrong.response.status).toBe(400);
    expect(wrong.html).toContain('That code is not right, or it no longer works');

    const verified = await post(codeAction, jar, { code: code! });
    expect(verified.response.status).toBe(303);
    const back = await browse(new URL(verified.response.headers.get('location')!, server.url), { jar, stopAt: APP_REDIRECT_URI });
    expect(back.callback).toBeDefined();
    const tokens = await oidc.authorizationCodeGrant(app, back.callback!, { ...request.checks, idTokenExpected: true });
    const claims = tokens.claims()!;
    expect(claims).toMatchObject({ iss: server.url, sub: memberId, amr: ['otp'], email, given_name: 'Ada', org: { id: org.organization.id, slug: org.organization.slug } });
    // No IdP signed this member in: the token names none.
    expect(claims.idp).toBeUndefined();

    const signIns = await database.handle.db.select().from(schema.signIns).where(eq(schema.signIns.memberId, memberId));
    expect(signIns).toMatchObject([{ outcome: 'succeeded', reason: 'email_code', connectionId: null, organizationId: org.organization.id, email }]);
    const [member] = await database.handle.db.select().from(schema.members).where(eq(schema.members.id, memberId));
    expect(member!.lastSignInAt).not.toBeNull();

    // Used once: the same code, posted again, is refused.
    const replay = await post(codeAction, jar, { code: code! });
    expect(replay.response.status).not.toBe(303);
  });

  it('answers an unknown address with the very page a member gets, and sends nothing', async () => {
    const domain = `${uniqueSlug('code')}.example`;
    await addMember(org, `known@${domain}`);
    const member = await askCode(`known@${domain}`);
    const stranger = await askCode(`stranger@${domain}`);
    expect(stranger.sent.response.status).toBe(member.sent.response.status);
    const normalise = (html: string, address: string) => html.replaceAll(address, 'ADDRESS').replace(/\/sso\/interaction\/[^/"]+/g, '/sso/interaction/UID');
    expect(normalise(stranger.sent.html, `stranger@${domain}`)).toBe(normalise(member.sent.html, `known@${domain}`));
    expect(stranger.sent.response.headers.getSetCookie().some((l) => l.startsWith('roster_code='))).toBe(true);
    expect(await codesMailedTo(`stranger@${domain}`)).toHaveLength(0);
    expect(await codesMailedTo(`known@${domain}`)).toHaveLength(1);
  });

  it('gives a deactivated member no code, and refuses one sent before the deactivation', async () => {
    const email = `gone@${uniqueSlug('code')}.example`;
    const memberId = await addMember(org, email);
    const before = await askCode(email);
    const [code] = await codesMailedTo(email);
    await deactivateMember(org, memberId);

    const after = await askCode(email);
    expect(after.sent.response.status).toBe(200);
    expect(after.sent.html).toContain('can sign in here, we sent it a code');
    expect(await codesMailedTo(email)).toHaveLength(1);

    const refused = await post(actionOf(before.sent.html), before.jar, { code: code! });
    expect(refused.response.status).toBe(400);
    expect(refused.html).toContain('That code is not right, or it no longer works');
    const succeeded = await database.handle.db.select().from(schema.signIns).where(and(eq(schema.signIns.memberId, memberId), eq(schema.signIns.outcome, 'succeeded')));
    expect(succeeded).toHaveLength(0);
  });

  it('still sends an address whose domain has a connection to its IdP', async () => {
    const withSso = await createTestOrganization(database.handle);
    const idp: TestSamlIdp = await createTestSamlIdp();
    await createSsoConnection(withSso, server.box, await prepareSamlConnection({ metadataXml: idp.metadataXml() }, { publicUrl: server.url, allowInsecureIdpUrls: false }));
    const domain = `${uniqueSlug('sso')}.example`;
    await addOrganizationDomain(withSso, { domain, verified: true });
    await addMember(withSso, `erin@${domain}`);
    const { sent } = await askCode(`erin@${domain}`);
    expect(sent.response.status).toBe(303);
    expect(sent.response.headers.get('location')).toMatch(new RegExp(`^${idp.ssoUrl}\\?SAMLRequest=`));
    expect(await codesMailedTo(`erin@${domain}`)).toHaveLength(0);
  });

  it('signs in to the console with a code, choosing the organization when the address is in several', async () => {
    const email = `fox@${uniqueSlug('code')}.example`;
    const second = await createTestOrganization(database.handle);
    await addMember(org, email);
    const chosen = await addMember(second, email);
    const jar = new CookieJar();
    const page = await browse(url('/sso/console/sign-in'), { jar });
    expect(actionOf(await page.response.text())).toBe('/sso/console/sign-in');
    const sent = await post('/sso/console/sign-in', jar, { email });
    expect(sent.response.status).toBe(200);
    expect(actionOf(sent.html)).toBe('/sso/console/code');
    const [code] = await codesMailedTo(email);

    const choice = await post('/sso/console/code', jar, { code: code! });
    expect(choice.response.status).toBe(200);
    expect(choice.html).toContain(`Org ${org.organization.slug}`);
    expect(choice.html).toContain(`Org ${second.organization.slug}`);
    const signedIn = await post('/sso/console/code', jar, { code: code!, member: chosen });
    expect(signedIn.response.status).toBe(303);
    expect(signedIn.response.headers.get('location')).toBe('/console');
    const consolePage = await fetch(url('/console'), { headers: { cookie: jar.header() }, redirect: 'manual' });
    const text = await consolePage.text();
    expect(text).toContain(email);
    expect(text).toContain(second.organization.slug);
  });
});
