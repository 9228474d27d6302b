/**
 * Accepting an invitation from its emailed link, over real HTTP: with a one-time code sent to the
 * invited address (organizations without SSO), or by signing in at the organization's SAML IdP.
 * Either way the member becomes active, the invitation row and so the link die, the join is
 * audited and in the member feed, and the person lands signed in to the console.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { and, desc, eq } from 'drizzle-orm';
import { schema } from '../../src/db/index.ts';
import { createSsoConnection, inviteMembers, loadConnectionForSignIn, openMailBody, type OrgContext } from '../../src/directory/index.ts';
import { prepareSamlConnection } from '../../src/sso/index.ts';
import type { SamlSpSettings } from '../../src/sso/saml/index.ts';
import { testDatabaseKind, useTestDatabase } from '../support/database.ts';
import { createTestOrganization, uniqueSlug } from '../support/factories.ts';
import { startRosterServer, type TestRosterServer } from '../support/roster-server.ts';
import { CookieJar } from '../support/test-app-client.ts';
import { createTestSamlIdp, type TestSamlIdp } from './saml/support/test-idp.ts';
import { postToAcs, readAuthnRequest } from './support/sign-in-chain.ts';

const database = useTestDatabase();

describe(`invitation acceptance on ${testDatabaseKind}`, () => {
  let server: TestRosterServer;
  /** The server's clock runs with the real one, moved by `offset` (invitation and code expiry). */
  const clock = { offsetMs: 0 };
  const now = () => new Date(Date.now() + clock.offsetMs);
  let org: OrgContext;

  beforeAll(async () => {
    server = await startRosterServer(database.handle, {}, { clock: now });
    org = { ...(await createTestOrganization(database.handle)), clock: now };
  });
  afterAll(async () => {
    await server?.close();
  });
  afterEach(() => {
    clock.offsetMs = 0;
  });

  const url = (path: string) => new URL(path, server.url);

  async function mailsTo(address: string, kind: string) {
    const rows = await database.handle.db
      .select()
      .from(schema.mailOutbox)
      .where(and(eq(schema.mailOutbox.toAddress, address), eq(schema.mailOutbox.kind, kind)))
      .orderBy(desc(schema.mailOutbox.id));
    return rows.map((r) => openMailBody(server.box, r.id, r.bodySealed).text);
  }

  /** Invites an address and returns the path of the link its email carries. */
  async function invite(into: OrgContext, email: string, role = 'admin') {
    const [member] = await inviteMembers(into, { emails: [email], role, box: server.box, publicUrl: server.url });
    const [text] = await mailsTo(email, 'invitation');
    const link = /(https?:\/\/\S+\/invitations\/[A-Za-z0-9_-]+)/.exec(text ?? '')?.[1];
    if (!link) throw new Error(`no invitation link mailed to ${email}`);
    return { memberId: member!.id, path: new URL(link).pathname };
  }

  async function latestCode(email: string) {
    const [text] = await mailsTo(email, 'sign_in_code');
    const code = /^\s+(\d{6})$/m.exec(text ?? '')?.[1];
    if (!code) throw new Error(`no code mailed to ${email}`);
    return code;
  }

  /** Opens the invitation page in a browser: its HTML and the CSRF token of its forms. */
  async function open(path: string, jar: CookieJar) {
    const response = await fetch(url(path), { headers: { cookie: jar.header() }, redirect: 'manual' });
    jar.store(response);
    const html = await response.text();
    return { response, html, csrf: /name="csrf" value="([^"]+)"/.exec(html)?.[1] ?? '' };
  }

  async function post(path: string, jar: CookieJar, fields: Record<string, string>) {
    const response = await fetch(url(path), {
      method: 'POST',
      body: new URLSearchParams(fields),
      headers: { cookie: jar.header(), 'content-type': 'application/x-www-form-urlencoded' },
      redirect: 'manual',
    });
    jar.store(response);
    return { response, html: await response.text() };
  }

  const memberRow = async (id: string) => (await database.handle.db.select().from(schema.members).where(eq(schema.members.id, id)))[0]!;
  const invitationRows = async (memberId: string) => database.handle.db.select().from(schema.invitations).where(eq(schema.invitations.memberId, memberId));

  it('accepts with a code mailed to the invited address: member active, link dead, join audited and in the feed, console session open', async () => {
    const email = `ada@${uniqueSlug('inv')}.example`;
    const { memberId, path } = await invite(org, email);
    const jar = new CookieJar();
    const page = await open(path, jar);
    expect(page.response.status).toBe(200);
    expect(page.response.headers.get('cache-control')).toBe('no-store');
    expect(page.html).toContain(`Org ${org.organization.slug}`);
    expect(page.html).toContain(email);
    expect(page.html).toContain('<strong>Admin</strong>');
    expect(page.html).toContain('Email me a code');
    expect(page.html).not.toContain('single sign-on');

    const sent = await post(`${path}/code`, jar, { csrf: page.csrf });
    expect(sent.response.status).toBe(200);
    expect(sent.html).toContain(`We sent a code to ${email}`);
    const code = await latestCode(email);
    expect((await mailsTo(email, 'sign_in_code'))[0]).toContain(`To accept your invitation to Org ${org.organization.slug}, enter this code:`);

    const accepted = await post(`${path}/accept`, jar, { csrf: page.csrf, code });
    expect(accepted.response.status).toBe(303);
    expect(accepted.response.headers.get('location')).toBe('/console');
    expect(accepted.response.headers.getSetCookie().find((l) => l.startsWith('roster_console='))).toMatch(/HttpOnly.*SameSite=Lax|SameSite=Lax.*HttpOnly/i);
    const consolePage = await fetch(url('/console'), { headers: { cookie: jar.header() }, redirect: 'manual' });
    expect(consolePage.status).toBe(200);
    expect(await consolePage.text()).toContain(email);

    const member = await memberRow(memberId);
    expect(member).toMatchObject({ status: 'active', source: 'invitation', role: 'admin', emailVerified: true });
    expect(member.lastSignInAt).not.toBeNull();
    expect(await invitationRows(memberId)).toHaveLength(0);
    const events = await database.handle.db.select().from(schema.memberEvents).where(eq(schema.memberEvents.memberId, memberId));
    expect(events.map((e) => e.type)).toEqual(['member.invited', 'member.joined']);
    expect(events[1]).toMatchObject({ actorType: 'member', actorId: memberId, data: { email, via: 'email_code' } });
    const [audit] = await database.handle.db
      .select()
      .from(schema.auditLog)
      .where(and(eq(schema.auditLog.targetId, memberId), eq(schema.auditLog.action, 'member.joined')));
    expect(audit).toMatchObject({ organizationId: org.organization.id, actorType: 'member', before: { status: 'invited' }, after: { status: 'active' } });
    const signIns = await database.handle.db.select().from(schema.signIns).where(eq(schema.signIns.memberId, memberId));
    expect(signIns).toMatchObject([{ outcome: 'succeeded', reason: 'invitation.email_code', connectionId: null }]);

    // The link works once.
    const again = await open(path, new CookieJar());
    expect(again.response.status).toBe(404);
    expect(again.html).toContain('This invitation link is no longer valid');
    const replay = await post(`${path}/accept`, jar, { csrf: page.csrf, code });
    expect(replay.response.status).toBe(404);
  });

  it('refuses forms posted without the page of this browser (another site, a forged token) and sends nothing', async () => {
    const email = `bo@${uniqueSlug('inv')}.example`;
    const { path } = await invite(org, email);
    const page = await open(path, new CookieJar());
    const stranger = await post(`${path}/code`, new CookieJar(), { csrf: page.csrf });
    expect(stranger.response.status).toBe(403);
    expect(stranger.html).toContain('Open the invitation again');
    const jar = new CookieJar();
    await open(path, jar);
    const forged = await post(`${path}/code`, jar, { csrf: page.csrf });
    expect(forged.response.status).toBe(403);
    expect(await mailsTo(email, 'sign_in_code')).toHaveLength(0);
  });

  it('kills a code after five wrong tries, and refuses a code typed in another browser', async () => {
    const email = `cy@${uniqueSlug('inv')}.example`;
    const { memberId, path } = await invite(org, email);
    const jar = new CookieJar();
    const { csrf } = await open(path, jar);
    await post(`${path}/code`, jar, { csrf });
    const code = await latestCode(email);

    const elsewhere = new CookieJar();
    const other = await open(path, elsewhere);
    const foreign = await post(`${path}/accept`, elsewhere, { csrf: other.csrf, code });
    expect(foreign.response.status).toBe(400);
    expect(foreign.html).toContain('No code is waiting for this browser');

    const wrong = String((Number(code) + 1) % 1_000_000).padStart(6, '0');
    const answers: string[] = [];
    for (let i = 0; i < 5; i++) {
      const tried = await post(`${path}/accept`, jar, { csrf, code: wrong });
      expect(tried.response.status).toBe(400);
      answers.push(/role="alert">([^<]+)</.exec(tried.html)?.[1] ?? '');
    }
    expect(answers.slice(0, 4)).toEqual(['That code is not right. 4 tries left.', 'That code is not right. 3 tries left.', 'That code is not right. 2 tries left.', 'That code is not right. 1 try left.']);
    expect(answers[4]).toContain('too many wrong tries: it no longer works');
    const dead = await post(`${path}/accept`, jar, { csrf, code });
    expect(dead.response.status).toBe(400);
    expect(dead.html).toContain('This code had too many wrong tries and no longer works');
    expect((await memberRow(memberId)).status).toBe('invited');
    expect(await invitationRows(memberId)).toHaveLength(1);

    // A new code, in the same browser, works.
    await post(`${path}/code`, jar, { csrf });
    const fresh = await latestCode(email);
    expect(fresh).not.toBe('');
    const accepted = await post(`${path}/accept`, jar, { csrf, code: fresh });
    expect(accepted.response.status).toBe(303);
    expect((await memberRow(memberId)).status).toBe('active');
  });

  it('refuses an expired code, and an expired invitation with a page saying to ask for a new one', async () => {
    const email = `di@${uniqueSlug('inv')}.example`;
    const { memberId, path } = await invite(org, email);
    const jar = new CookieJar();
    const { csrf } = await open(path, jar);
    await post(`${path}/code`, jar, { csrf });
    const code = await latestCode(email);
    clock.offsetMs = 10 * 60_000;
    const late = await post(`${path}/accept`, jar, { csrf, code });
    expect(late.response.status).toBe(400);
    expect(late.html).toContain('This code has expired');

    // Invitations live 168 hours by default.
    clock.offsetMs = 168 * 3_600_000;
    const expired = await open(path, jar);
    expect(expired.response.status).toBe(410);
    expect(expired.html).toContain('This invitation has expired');
    expect(expired.html).toContain('to send you a new one');
    const ask = await post(`${path}/code`, jar, { csrf });
    expect(ask.response.status).toBe(410);
    expect((await memberRow(memberId)).status).toBe('invited');
  });

  it('sends at most five codes in fifteen minutes, then says when to try again', async () => {
    const email = `ed@${uniqueSlug('inv')}.example`;
    const { path } = await invite(org, email);
    const jar = new CookieJar();
    const { csrf } = await open(path, jar);
    for (let i = 0; i < 5; i++) expect((await post(`${path}/code`, jar, { csrf })).response.status).toBe(200);
    const sixth = await post(`${path}/code`, jar, { csrf });
    expect(sixth.response.status).toBe(429);
    expect(sixth.html).toMatch(/5 codes were sent to this address in the last 15 minutes; try again in 1[45] minutes/);
    expect(await mailsTo(email, 'sign_in_code')).toHaveLength(5);
    clock.offsetMs = 15 * 60_000;
    expect((await post(`${path}/code`, jar, { csrf })).response.status).toBe(200);
  });

  describe('in an organization with SSO', () => {
    let sso: OrgContext;
    let idp: TestSamlIdp;
    let sp: SamlSpSettings;
    let connectionId: string;

    beforeAll(async () => {
      sso = { ...(await createTestOrganization(database.handle)), clock: now };
      idp = await createTestSamlIdp();
      const connection = await createSsoConnection(sso, server.box, await prepareSamlConnection({ metadataXml: idp.metadataXml() }, { publicUrl: server.url, allowInsecureIdpUrls: false }));
      connectionId = connection.id;
      const loaded = await loadConnectionForSignIn(database.handle.db, server.box, connection.id);
      sp = { entityId: String(loaded!.settings.spEntityId), acsUrl: String(loaded!.settings.acsUrl), privateKeyPem: loaded!.secret, certificatePem: String(loaded!.settings.spCertificatePem) };
    });

    it('accepts by signing in at the IdP, linking the identity it vouches for, and lands in the console', async () => {
      const email = `carol@${uniqueSlug('inv')}.example`;
      const { memberId, path } = await invite(sso, email, 'member');
      const jar = new CookieJar();
      const page = await open(path, jar);
      expect(page.html).toContain('Continue with single sign-on');
      expect(page.html).not.toContain('Email me a code');
      // No code for an organization whose IdP signs its people in.
      const ask = await post(`${path}/code`, jar, { csrf: page.csrf });
      expect(ask.response.status).toBe(303);
      expect(await mailsTo(email, 'sign_in_code')).toHaveLength(0);

      const toIdp = await post(`${path}/sso`, jar, { csrf: page.csrf });
      expect(toIdp.response.status).toBe(303);
      const authn = readAuthnRequest(new URL(toIdp.response.headers.get('location')!));
      const acs = await postToAcs(sp.acsUrl, await idp.respond({ sp, inResponseTo: authn.id, nameId: 'idp-subject-carol', nameIdFormat: 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent', attributes: { email, firstName: 'Carol' } }), authn.relayState);
      expect(acs.status).toBe(303);
      expect(acs.headers.get('location')).toMatch(/^\/sso\/console\/finish\?flow=/);
      const finish = await fetch(url(acs.headers.get('location')!), { headers: { cookie: jar.header() }, redirect: 'manual' });
      expect(finish.status).toBe(303);
      expect(finish.headers.get('location')).toBe('/console');
      jar.store(finish);
      const consolePage = await fetch(url('/console'), { headers: { cookie: jar.header() }, redirect: 'manual' });
      expect(await consolePage.text()).toContain(email);

      expect(await memberRow(memberId)).toMatchObject({ status: 'active', source: 'invitation', givenName: 'Carol' });
      expect(await invitationRows(memberId)).toHaveLength(0);
      const identities = await database.handle.db.select().from(schema.memberIdentities).where(eq(schema.memberIdentities.memberId, memberId));
      expect(identities).toMatchObject([{ connectionId, subject: 'idp-subject-carol' }]);
      const [event] = await database.handle.db
        .select()
        .from(schema.memberEvents)
        .where(and(eq(schema.memberEvents.memberId, memberId), eq(schema.memberEvents.type, 'member.joined')));
      expect(event).toMatchObject({ actorType: 'connection', actorId: connectionId, data: { via: 'sso', connection: connectionId } });
      const [audit] = await database.handle.db
        .select()
        .from(schema.auditLog)
        .where(and(eq(schema.auditLog.targetId, memberId), eq(schema.auditLog.action, 'member.joined')));
      expect(audit).toMatchObject({ before: { status: 'invited' }, after: { status: 'active' } });
      expect((await open(path, new CookieJar())).response.status).toBe(404);
    });

    it('links nothing once the invitation has expired: the sign-in is refused', async () => {
      const email = `dan@${uniqueSlug('inv')}.example`;
      const { memberId, path } = await invite(sso, email, 'member');
      const jar = new CookieJar();
      const page = await open(path, jar);
      const toIdp = await post(`${path}/sso`, jar, { csrf: page.csrf });
      const authn = readAuthnRequest(new URL(toIdp.response.headers.get('location')!));
      // The invitation expires while the person is at their IdP.
      await database.handle.db.update(schema.invitations).set({ expiresAt: new Date(Date.now() - 1000) }).where(eq(schema.invitations.memberId, memberId));
      const acs = await postToAcs(sp.acsUrl, await idp.respond({ sp, inResponseTo: authn.id, nameId: email, attributes: { email } }), authn.relayState);
      expect(acs.status).toBe(400);
      const [refusal] = await database.handle.db.select().from(schema.signIns).where(and(eq(schema.signIns.connectionId, connectionId), eq(schema.signIns.email, email)));
      expect(refusal).toMatchObject({ outcome: 'failed', reason: 'email_belongs_to_another_identity' });
      expect(await memberRow(memberId)).toMatchObject({ status: 'invited' });
      expect(await database.handle.db.select().from(schema.memberIdentities).where(eq(schema.memberIdentities.memberId, memberId))).toHaveLength(0);
    });
  });
});
