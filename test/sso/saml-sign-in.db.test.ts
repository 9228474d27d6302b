/**
 * The whole SAML chain over real HTTP: the app (openid-client) → Roster's OpenID Provider → the
 * interaction → a signing SAML IdP (samlify) → Roster's ACS → the app, then the code exchange and
 * the ID token's claims. Refusals made at the ACS show a page with a reference only.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as oidc from 'openid-client';
import { eq } from 'drizzle-orm';
import { schema } from '../../src/db/index.ts';
import {
  addOrganizationDomain,
  createSsoConnection,
  deactivateMember,
  listMembers,
  loadConnectionForSignIn,
  registerApp,
  type OrgContext,
} from '../../src/directory/index.ts';
import { prepareSamlConnection } from '../../src/sso/index.ts';
import type { SamlSpSettings } from '../../src/sso/saml/index.ts';
import { testDatabaseKind, useTestDatabase } from '../support/database.ts';
import { createTestOrganization, uniqueSlug } from '../support/factories.ts';
import { startRosterServer, type TestRosterServer } from '../support/roster-server.ts';
import { browse, CookieJar, discoverApp } from '../support/test-app-client.ts';
import { createTestSamlIdp, type TestSamlIdp } from './saml/support/test-idp.ts';
import { APP_REDIRECT_URI, exchange, postToAcs, samlAnswerAtAcs, samlSignIn } from './support/sign-in-chain.ts';

const database = useTestDatabase();

describe(`SAML sign-in end to end on ${testDatabaseKind}`, () => {
  let server: TestRosterServer;
  let org: OrgContext;
  let idp: TestSamlIdp;
  let sp: SamlSpSettings;
  let connectionId: string;
  let app: oidc.Configuration;
  const domain = `${uniqueSlug('acme')}.example`;

  beforeAll(async () => {
    server = await startRosterServer(database.handle);
    org = await createTestOrganization(database.handle);
    idp = await createTestSamlIdp({ signedParts: 'both' });
    const input = await prepareSamlConnection({ metadataXml: idp.metadataXml(), preset: 'okta' }, { publicUrl: server.url, allowInsecureIdpUrls: false });
    const connection = await createSsoConnection(org, server.box, input);
    connectionId = connection.id;
    const loaded = await loadConnectionForSignIn(database.handle.db, server.box, connectionId);
    sp = {
      entityId: String(loaded!.settings.spEntityId),
      acsUrl: String(loaded!.settings.acsUrl),
      privateKeyPem: loaded!.secret,
      certificatePem: String(loaded!.settings.spCertificatePem),
    };
    await addOrganizationDomain(org, { domain, verified: true });
    const registered = await registerApp(database.handle.db, server.box, { name: 'Demo', redirectUris: [APP_REDIRECT_URI] });
    app = await discoverApp(server.url, registered);
  });
  afterAll(async () => {
    await server?.close();
  });

  const alice = () => ({
    nameId: `alice@${domain}`,
    attributes: { email: `alice@${domain}`, firstName: 'Alice', lastName: 'Liddell', groups: ['Engineering', 'Admins'] },
  });

  it('signs a new person in just in time and hands the app an ID token with their claims', async () => {
    const chain = await samlSignIn(app, idp, sp, { params: { organization: org.organization.slug }, user: alice() });
    const tokens = await exchange(app, chain);
    const claims = tokens.claims()!;
    const [member] = (await listMembers(org)).filter((m) => m.email === `alice@${domain}`);
    expect(member).toMatchObject({ status: 'active', role: 'member', source: 'jit', givenName: 'Alice', familyName: 'Liddell' });
    // The app was issued a token for the member: they are seen.
    const [seen] = await database.handle.db.select({ lastSeenAt: schema.members.lastSeenAt }).from(schema.members).where(eq(schema.members.id, member!.id));
    expect(seen?.lastSeenAt).toBeInstanceOf(Date);
    // Joining just in time is a member change like any other: in the organization's feed.
    const events = await database.handle.db.select().from(schema.memberEvents).where(eq(schema.memberEvents.memberId, member!.id));
    expect(events).toEqual([expect.objectContaining({ type: 'member.joined', actorType: 'connection', data: expect.objectContaining({ source: 'jit' }) })]);
    expect(claims).toMatchObject({
      iss: server.url,
      sub: member!.id,
      email: `alice@${domain}`,
      // Okta's SAML attributes are what its admin typed: Roster does not call them verified.
      email_verified: false,
      given_name: 'Alice',
      family_name: 'Liddell',
      org: { id: org.organization.id, slug: org.organization.slug },
      role: 'member',
      permissions: ['profile.edit'],
      teams: [],
      groups: ['Engineering', 'Admins'],
      idp: { connection: connectionId, type: 'saml' },
      amr: ['saml'],
    });
    // No team administered: no team_roles claim at all.
    expect(claims).not.toHaveProperty('team_roles');
    const userinfo = await oidc.fetchUserInfo(app, tokens.access_token, member!.id);
    expect(userinfo).toMatchObject({ sub: member!.id, email: `alice@${domain}`, org: { slug: org.organization.slug } });

    // The second sign-in of the same IdP subject is the same member.
    const again = await exchange(app, await samlSignIn(app, idp, sp, { params: { connection: connectionId }, user: alice() }));
    expect(again.claims()!.sub).toBe(member!.id);
    const signIns = await database.handle.db.select().from(schema.signIns).where(eq(schema.signIns.memberId, member!.id));
    expect(signIns.filter((s) => s.outcome === 'succeeded')).toHaveLength(2);
    expect(signIns[0]).toMatchObject({ connectionId, organizationId: org.organization.id, idpSubject: `alice@${domain}`, ip: '127.0.0.1' });
  });

  it('routes by login_hint through a verified domain, and asks for the work email without a hint', async () => {
    const bob = { nameId: `bob@${domain}`, attributes: { email: `bob@${domain}` } };
    const hinted = await exchange(app, await samlSignIn(app, idp, sp, { params: { login_hint: `bob@${domain}` }, user: bob }));
    expect(hinted.claims()!.email).toBe(`bob@${domain}`);

    const { authorizationRequest } = await import('../support/test-app-client.ts');
    const request = await authorizationRequest(app, { redirectUri: APP_REDIRECT_URI });
    const jar = new CookieJar();
    const page = await browse(request.url, { jar });
    expect(page.response.status).toBe(200);
    const html = await page.response.text();
    const action = /action="([^"]+)"/.exec(html)?.[1];
    expect(action).toMatch(/^\/sso\/interaction\/[^/]+\/email$/);

    const unknown = await fetch(new URL(action!, server.url), {
      method: 'POST',
      body: new URLSearchParams({ email: 'someone@unverified.example' }),
      headers: { cookie: jar.header() },
      redirect: 'manual',
    });
    // An address no IdP signs in gets the page every address without an IdP gets (whether it is a
    // member's is not told), and no email is sent to a stranger.
    expect(unknown.status).toBe(200);
    expect(await unknown.text()).toContain('can sign in here, we sent it a code');
    expect(await database.handle.db.select().from(schema.mailOutbox).where(eq(schema.mailOutbox.toAddress, 'someone@unverified.example'))).toEqual([]);

    const known = await fetch(new URL(action!, server.url), {
      method: 'POST',
      body: new URLSearchParams({ email: `carol@${domain}` }),
      headers: { cookie: jar.header() },
      redirect: 'manual',
    });
    expect(known.status).toBe(303);
    expect(known.headers.get('location')).toMatch(new RegExp(`^${idp.ssoUrl}\\?SAMLRequest=`));
  });

  it('refuses a replayed response, and a response to another sign-in, with a reference page only', async () => {
    let captured: { samlResponse: string; relayState: string } | undefined;
    const first = await samlSignIn(app, idp, sp, {
      params: { organization: org.organization.slug },
      user: alice(),
      answer: async (authn) => {
        captured = { samlResponse: await idp.respond({ ...alice(), sp, inResponseTo: authn.id }), relayState: authn.relayState };
        return captured;
      },
    });
    await exchange(app, first);

    const replay = await postToAcs(sp.acsUrl, captured!.samlResponse, captured!.relayState);
    expect(replay.status).toBe(400);
    const page = await replay.text();
    const reference = /<code>([0-9a-f-]{36})<\/code>/.exec(page)?.[1];
    expect(reference).toBeDefined();
    expect(page).not.toMatch(/relay|assertion|saml\./i);
    const [logged] = await database.handle.db.select().from(schema.signIns).where(eq(schema.signIns.id, reference!));
    expect(logged).toMatchObject({ outcome: 'failed', reason: 'saml.unknown_relay_state', connectionId });

    // The captured response posted for a new sign-in of the same browser: InResponseTo does not match.
    const second = await samlSignIn(app, idp, sp, {
      params: { organization: org.organization.slug },
      user: alice(),
      answer: async (authn) => ({ samlResponse: captured!.samlResponse, relayState: authn.relayState }),
    });
    expect(second.end.callback).toBeUndefined();
    expect(second.end.response.status).toBe(400);
    const ref2 = /<code>([0-9a-f-]{36})<\/code>/.exec(await second.end.response.text())?.[1];
    const [logged2] = await database.handle.db.select().from(schema.signIns).where(eq(schema.signIns.id, ref2!));
    expect(logged2!.reason).toMatch(/^saml\.(in_response_to_mismatch|replayed)$/);

    // An IdP-initiated response (no InResponseTo, no RelayState) is refused: not enabled on this connection.
    const unsolicited = await postToAcs(sp.acsUrl, await idp.respond({ ...alice(), sp }), undefined);
    expect(unsolicited.status).toBe(400);
    const ref3 = /<code>([0-9a-f-]{36})<\/code>/.exec(await unsolicited.text())?.[1];
    const [logged3] = await database.handle.db.select().from(schema.signIns).where(eq(schema.signIns.id, ref3!));
    expect(logged3!.reason).toBe('saml.unsolicited');
  });

  it('hands the result only to the browser that started the sign-in', async () => {
    const { jar, acs } = await samlAnswerAtAcs(app, idp, sp, { params: { organization: org.organization.slug }, user: alice() });
    expect(acs.status).toBe(303);
    const finish = new URL(acs.headers.get('location')!, server.url).href;

    // Another browser (an attacker who got the link) has neither the flow cookie nor the interaction.
    const stranger = await fetch(finish, { redirect: 'manual' });
    expect(stranger.status).toBe(400);
    // The right browser still completes: the stranger's attempt consumed nothing.
    const end = await browse(new URL(finish), { jar, stopAt: APP_REDIRECT_URI });
    expect(end.callback?.searchParams.get('code')).toBeTruthy();
  });

  it('shows a reference page when the app’s request is gone by the time the IdP answers', async () => {
    const { jar, acs } = await samlAnswerAtAcs(app, idp, sp, { params: { organization: org.organization.slug }, user: alice() });
    // Only the flow's cookie is left: the provider's interaction cookie expired meanwhile.
    const flowCookie = jar.header().split('; ').filter((c) => c.startsWith('roster_flow_')).join('; ');
    const finish = await fetch(new URL(acs.headers.get('location')!, server.url), { headers: { cookie: flowCookie }, redirect: 'manual' });
    expect(finish.status).toBe(400);
    const ref = /<code>([0-9a-f-]{36})<\/code>/.exec(await finish.text())?.[1];
    const [logged] = await database.handle.db.select().from(schema.signIns).where(eq(schema.signIns.id, ref!));
    expect(logged).toMatchObject({ outcome: 'failed', reason: 'interaction_not_found' });
    expect(logged!.memberId).toBeTruthy();
  });

  it('refuses a new IdP subject whose email is already a member, rather than linking it', async () => {
    const chain = await samlSignIn(app, idp, sp, {
      params: { organization: org.organization.slug },
      user: { nameId: 'someone-else', attributes: { email: `ALICE@${domain}` } },
    });
    expect(chain.end.response.status).toBe(400);
    const ref = /<code>([0-9a-f-]{36})<\/code>/.exec(await chain.end.response.text())?.[1];
    const [logged] = await database.handle.db.select().from(schema.signIns).where(eq(schema.signIns.id, ref!));
    expect(logged).toMatchObject({ outcome: 'failed', reason: 'email_belongs_to_another_identity', idpSubject: 'someone-else' });
  });

  it('ends a deactivated member’s tokens at once and refuses their next sign-in', async () => {
    const dave = { nameId: `dave@${domain}`, attributes: { email: `dave@${domain}` } };
    const tokens = await exchange(app, await samlSignIn(app, idp, sp, { params: { organization: org.organization.slug }, user: dave }));
    const sub = tokens.claims()!.sub;
    await expect(oidc.fetchUserInfo(app, tokens.access_token, sub)).resolves.toMatchObject({ sub });

    const result = await deactivateMember(org, sub);
    expect(result.sessionsEnded).toBeGreaterThan(0);
    await expect(oidc.fetchUserInfo(app, tokens.access_token, sub)).rejects.toThrow();

    const refused = await samlSignIn(app, idp, sp, { params: { organization: org.organization.slug }, user: dave });
    expect(refused.end.response.status).toBe(403);
    const ref = /<code>([0-9a-f-]{36})<\/code>/.exec(await refused.end.response.text())?.[1];
    const [logged] = await database.handle.db.select().from(schema.signIns).where(eq(schema.signIns.id, ref!));
    expect(logged).toMatchObject({ reason: 'member_deactivated', memberId: sub });
  });

  it('answers an interaction URL visited without its interaction (bookmarked, shared, expired) with a reference page', async () => {
    const response = await fetch(`${server.url}/sso/interaction/not-an-interaction`, { redirect: 'manual' });
    expect(response.status).toBe(400);
    const ref = /<code>([0-9a-f-]{36})<\/code>/.exec(await response.text())?.[1];
    const [logged] = await database.handle.db.select().from(schema.signIns).where(eq(schema.signIns.id, ref!));
    expect(logged).toMatchObject({ outcome: 'failed', reason: 'interaction_not_found' });
  });

  it('serves the SP metadata an IdP administrator pastes in', async () => {
    const response = await fetch(`${server.url}/sso/saml/${connectionId}/metadata`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('samlmetadata+xml');
    const xml = await response.text();
    expect(xml).toContain(`entityID="${sp.entityId}"`);
    expect(xml).toContain(`Location="${sp.acsUrl}"`);
    expect(xml).not.toContain('PRIVATE KEY');
    expect((await fetch(`${server.url}/sso/saml/00000000-0000-7000-8000-000000000000/metadata`)).status).toBe(404);
  });
});

describe(`SAML IdP-initiated sign-in on ${testDatabaseKind}`, () => {
  let server: TestRosterServer;
  let org: OrgContext;
  let idp: TestSamlIdp;
  let sp: SamlSpSettings;
  let app: oidc.Configuration;
  const INITIATE = 'http://127.0.0.1:4000/start-login';

  beforeAll(async () => {
    server = await startRosterServer(database.handle);
    org = await createTestOrganization(database.handle);
    idp = await createTestSamlIdp({ signedParts: 'assertion', ssoUrl: 'https://idp-initiated.test.example/sso' });
    const input = await prepareSamlConnection(
      { metadataXml: idp.metadataXml(), preset: 'entra', allowIdpInitiated: true },
      { publicUrl: server.url, allowInsecureIdpUrls: false },
    );
    const connection = await createSsoConnection(org, server.box, input);
    const loaded = await loadConnectionForSignIn(database.handle.db, server.box, connection.id);
    sp = { entityId: String(loaded!.settings.spEntityId), acsUrl: String(loaded!.settings.acsUrl), privateKeyPem: loaded!.secret, certificatePem: String(loaded!.settings.spCertificatePem) };
    // Only this file's database holds apps: this one is the app IdP-initiated sign-ins go to.
    const registered = await registerApp(database.handle.db, server.box, { name: 'Portal', redirectUris: [APP_REDIRECT_URI], initiateLoginUri: INITIATE });
    app = await discoverApp(server.url, registered);
  });
  afterAll(async () => {
    await server?.close();
  });

  it('sends the person to the app’s initiate-login URI, and the app’s request then signs them in through that connection', async () => {
    const oid = '5f0e7a1c-0000-4000-8000-000000000001';
    const person = {
      nameId: 'ignored-nameid',
      attributes: {
        'http://schemas.microsoft.com/identity/claims/objectidentifier': oid,
        'http://schemas.microsoft.com/identity/claims/tenantid': 'tenant-1',
        'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress': 'grace@idp-initiated.example',
      },
    };
    const jar = new CookieJar();
    // Okta and Google send their configured default RelayState; it is ignored, never followed.
    const posted = await postToAcs(sp.acsUrl, await idp.respond({ ...person, sp }), 'https://evil.example/');
    expect(posted.status).toBe(303);
    const initiate = new URL(posted.headers.get('location')!);
    expect(`${initiate.origin}${initiate.pathname}`).toBe(INITIATE);
    expect(initiate.searchParams.get('iss')).toBe(server.url);
    expect(initiate.searchParams.get('login_hint')).toBe('grace@idp-initiated.example');
    jar.store(posted);

    // The app starts an ordinary request (no organization: the domain is not even verified).
    const { authorizationRequest } = await import('../support/test-app-client.ts');
    const request = await authorizationRequest(app, { redirectUri: APP_REDIRECT_URI, params: { login_hint: initiate.searchParams.get('login_hint')! } });
    const toIdp = await browse(request.url, { jar, stopAt: idp.ssoUrl });
    expect(toIdp.callback).toBeDefined();
    const { readAuthnRequest } = await import('./support/sign-in-chain.ts');
    const authn = readAuthnRequest(toIdp.callback!);
    const acs = await postToAcs(sp.acsUrl, await idp.respond({ ...person, sp, inResponseTo: authn.id }), authn.relayState);
    jar.store(acs);
    const end = await browse(new URL(acs.headers.get('location')!, server.url), { jar, stopAt: APP_REDIRECT_URI });
    const tokens = await exchange(app, { request, end });
    expect(tokens.claims()).toMatchObject({ email: 'grace@idp-initiated.example', org: { slug: org.organization.slug } });
    const [identity] = await database.handle.db.select().from(schema.memberIdentities).where(eq(schema.memberIdentities.subject, `tenant-1/${oid}`));
    expect(identity).toBeDefined();
  });
});
