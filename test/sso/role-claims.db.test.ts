/**
 * What the app learns of a member's access from Roster's ID token and userinfo: the role, the
 * permissions it grants (Roster's and the app's registered ones) and their teams with the teams
 * they administer, read at each sign-in, so a change of role or teams shows in the next token.
 * Over real HTTP: the app (openid-client) → Roster's OP → a signing SAML IdP → Roster → the app.
 */
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  addTeamMembers,
  changeMemberRole,
  createRole,
  createSsoConnection,
  createTeam,
  deleteTeam,
  loadConnectionForSignIn,
  registerApp,
  registerAppPermission,
  type OrgContext,
} from '../../src/directory/index.ts';
import { prepareSamlConnection } from '../../src/sso/index.ts';
import type { SamlSpSettings } from '../../src/sso/saml/index.ts';
import { testDatabaseKind, useTestDatabase } from '../support/database.ts';
import { contextFor, createTestOrganization, uniqueSlug } from '../support/factories.ts';
import { startRosterServer, type TestRosterServer } from '../support/roster-server.ts';
import { discoverApp } from '../support/test-app-client.ts';
import { createTestSamlIdp, type TestSamlIdp } from './saml/support/test-idp.ts';
import { APP_REDIRECT_URI, exchange, samlSignIn } from './support/sign-in-chain.ts';

const database = useTestDatabase();

describe(`role, permissions and teams in Roster's tokens on ${testDatabaseKind}`, () => {
  let server: TestRosterServer;
  let org: OrgContext;
  let idp: TestSamlIdp;
  let sp: SamlSpSettings;
  let app: oidc.Configuration;
  const email = `grace@${uniqueSlug('claims')}.example`;

  beforeAll(async () => {
    server = await startRosterServer(database.handle);
    org = await createTestOrganization(database.handle);
    idp = await createTestSamlIdp({ signedParts: 'both' });
    const input = await prepareSamlConnection({ metadataXml: idp.metadataXml(), preset: 'okta' }, { publicUrl: server.url, allowInsecureIdpUrls: false });
    const connection = await createSsoConnection(org, server.box, input);
    const loaded = await loadConnectionForSignIn(database.handle.db, server.box, connection.id);
    sp = {
      entityId: String(loaded!.settings.spEntityId),
      acsUrl: String(loaded!.settings.acsUrl),
      privateKeyPem: loaded!.secret,
      certificatePem: String(loaded!.settings.spCertificatePem),
    };
    app = await discoverApp(server.url, await registerApp(database.handle.db, server.box, { name: 'Helpdesk', redirectUris: [APP_REDIRECT_URI] }));
  });
  afterAll(async () => {
    await server?.close();
  });

  const signIn = async () => {
    const tokens = await exchange(app, await samlSignIn(app, idp, sp, { params: { organization: org.organization.slug }, user: { nameId: email, attributes: { email } } }));
    return { claims: tokens.claims()!, userinfo: await oidc.fetchUserInfo(app, tokens.access_token, tokens.claims()!.sub) };
  };

  it('carries the role, its permissions and the teams as they are at each sign-in', async () => {
    const first = await signIn();
    expect(first.claims).toMatchObject({ role: 'member', permissions: ['profile.edit'], teams: [] });
    expect(first.claims).not.toHaveProperty('team_roles');
    const memberId = first.claims.sub;

    // The app registers its permission; the organization makes a role of it and teams.
    const permission = `tickets-${uniqueSlug('p').slice(-6)}.close`;
    await registerAppPermission(contextFor(database.handle), { key: permission, description: 'Close tickets' });
    await createRole(org, { key: 'agent', name: 'Agent', permissions: [permission, 'teams.manage'] });
    await changeMemberRole(org, memberId, 'agent');
    const tier2 = await createTeam(org, { name: 'Tier 2' });
    const billing = await createTeam(org, { name: 'billing' });
    await addTeamMembers(org, tier2.id, [{ member: memberId, role: 'admin' }]);
    await addTeamMembers(org, billing.id, [{ member: email }]);

    const second = await signIn();
    expect(second.claims.sub).toBe(memberId);
    const expected = { role: 'agent', permissions: ['teams.manage', permission], teams: ['Tier 2', 'billing'], team_roles: { 'Tier 2': 'admin' } };
    expect(second.claims).toMatchObject(expected);
    expect(second.userinfo).toMatchObject(expected);

    // A deleted team leaves the next token; with it the only team administered goes.
    await deleteTeam(org, tier2.id);
    const third = await signIn();
    expect(third.claims).toMatchObject({ role: 'agent', teams: ['billing'] });
    expect(third.claims).not.toHaveProperty('team_roles');

    // An owner holds every permission, the app's included.
    await changeMemberRole(org, memberId, 'owner');
    const fourth = await signIn();
    expect(fourth.claims.role).toBe('owner');
    expect(fourth.claims.permissions).toEqual(expect.arrayContaining(['billing.manage', 'members.manage', 'teams.manage', permission]));
  });
});
