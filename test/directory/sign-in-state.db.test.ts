/**
 * The domain's sign-in state in the database: flows answered and handed over once, assertion IDs
 * refused when seen again (by any instance: two handles on one database), domains routed only when
 * verified and for one organization, and just-in-time members resolved from IdP identities.
 */
import { describe, expect, it } from 'vitest';
import {
  addOrganizationDomain,
  completeFlow,
  consumeAssertionId,
  consumeCompletedFlow,
  createSsoConnection,
  normaliseDomain,
  organizationForEmail,
  resolveSignIn,
  startFlow,
  takeFlowForAnswer,
  type OrgContext,
  type SignInProfile,
} from '../../src/directory/index.ts';
import { newId } from '../../src/ids.ts';
import { SecretBox } from '../../src/secrets/index.ts';
import { testDatabaseKind, useTestDatabase } from '../support/database.ts';
import { createTestOrganization, uniqueSlug } from '../support/factories.ts';
import { TEST_SECRET } from '../support/app.ts';

const database = useTestDatabase();
const box = SecretBox.fromSecrets(TEST_SECRET);

async function oidcConnection(org: OrgContext) {
  return createSsoConnection(org, box, {
    id: newId(),
    type: 'oidc',
    name: 'IdP',
    preset: undefined,
    settings: { issuer: 'https://idp.example' },
    mapping: {},
    secret: 'client-secret',
  });
}

const profile = (subject: string, email: string | undefined): SignInProfile => ({
  subject,
  email,
  emailVerified: true,
  givenName: 'Given',
  familyName: undefined,
  displayName: undefined,
  groups: ['g1'],
  raw: {},
});

describe(`sign-in state on ${testDatabaseKind}`, () => {
  it('answers a flow once, and hands its member once, to the browser and interaction it was started for', async () => {
    const org = await createTestOrganization(database.handle);
    const connection = await oidcConnection(org);
    const db = database.handle.db;
    const flowId = await startFlow(db, box, {
      organizationId: org.organization.id,
      connectionId: connection.id,
      interactionUid: 'uid-1',
      browserSecret: 'browser-1',
      oidcSecrets: { nonce: 'n', codeVerifier: 'v', state: 's' },
    });
    const other = await oidcConnection(org);
    expect(await takeFlowForAnswer(db, box, { flowId, connectionId: other.id })).toBeUndefined();
    const taken = await takeFlowForAnswer(db, box, { flowId, connectionId: connection.id });
    expect(taken?.oidcSecrets).toEqual({ nonce: 'n', codeVerifier: 'v', state: 's' });
    expect(await takeFlowForAnswer(db, box, { flowId, connectionId: connection.id })).toBeUndefined();

    const resolved = await resolveSignIn(db, { organizationId: org.organization.id, connectionId: connection.id, profile: profile('sub-1', 'a@x.example') });
    if (!resolved.ok) throw new Error(resolved.reason);
    // Not completable before the member is parked on it.
    expect(await consumeCompletedFlow(db, { flowId, interactionUid: 'uid-1', browserSecret: 'browser-1' })).toBeUndefined();
    await completeFlow(db, { flowId, memberId: resolved.member.id, signInId: newId(), amr: 'oidc' });
    expect(await consumeCompletedFlow(db, { flowId, interactionUid: 'uid-2', browserSecret: 'browser-1' })).toBeUndefined();
    expect(await consumeCompletedFlow(db, { flowId, interactionUid: 'uid-1', browserSecret: 'browser-2' })).toBeUndefined();
    expect(await consumeCompletedFlow(db, { flowId, interactionUid: 'uid-1', browserSecret: 'browser-1' })).toMatchObject({ memberId: resolved.member.id, amr: 'oidc' });
    expect(await consumeCompletedFlow(db, { flowId, interactionUid: 'uid-1', browserSecret: 'browser-1' })).toBeUndefined();
  });

  it('refuses an expired flow', async () => {
    const org = await createTestOrganization(database.handle);
    const connection = await oidcConnection(org);
    const past = new Date(Date.now() - 11 * 60_000);
    const flowId = await startFlow(
      database.handle.db,
      box,
      { organizationId: org.organization.id, connectionId: connection.id, interactionUid: 'u', browserSecret: 'b' },
      past,
    );
    expect(await takeFlowForAnswer(database.handle.db, box, { flowId, connectionId: connection.id })).toBeUndefined();
  });

  it('refuses an assertion ID seen before, from another connection to the same database', async () => {
    const org = await createTestOrganization(database.handle);
    const connection = await oidcConnection(org);
    const input = { connectionId: connection.id, assertionId: `_a${newId()}`, expiresAt: new Date(Date.now() + 60_000) };
    expect(await consumeAssertionId(database.handle.db, input)).toBe(true);
    if (testDatabaseKind === 'postgres') {
      // A second instance: its own connection pool on the same database.
      const { openPostgres } = await import('../../src/db/index.ts');
      const url = database.env.DATABASE_URL!;
      const second = openPostgres({ url, max: 1 });
      try {
        expect(await consumeAssertionId(second.db, input)).toBe(false);
      } finally {
        await second.close();
      }
    }
    expect(await consumeAssertionId(database.handle.db, input)).toBe(false);
  });

  it('routes an email by its verified domain only, and a domain verifies for one organization', async () => {
    const acme = await createTestOrganization(database.handle);
    const rival = await createTestOrganization(database.handle);
    const domain = `${uniqueSlug('d')}.example`;
    await addOrganizationDomain(acme, { domain, verified: false });
    expect(await organizationForEmail(database.handle.db, `x@${domain}`)).toBeUndefined();
    await addOrganizationDomain(acme, { domain: domain.toUpperCase(), verified: true });
    expect(await organizationForEmail(database.handle.db, `x@${domain.toUpperCase()}`)).toMatchObject({ slug: acme.organization.slug });
    await addOrganizationDomain(rival, { domain, verified: false });
    await expect(addOrganizationDomain(rival, { domain, verified: true })).rejects.toMatchObject({ code: 'conflict' });
    expect(normaliseDomain('acme.com/evil')).toBeUndefined();
    expect(normaliseDomain('localhost')).toBeUndefined();
    expect(normaliseDomain('Bücher.example')).toBe('xn--bcher-kva.example');
  });

  it('creates a member once for concurrent first sign-ins of one identity, and never links a new identity by email', async () => {
    const org = await createTestOrganization(database.handle);
    const connection = await oidcConnection(org);
    const db = database.handle.db;
    const input = { organizationId: org.organization.id, connectionId: connection.id, profile: profile('sub-race', 'Race@X.example') };
    const results = await Promise.all([resolveSignIn(db, input), resolveSignIn(db, input), resolveSignIn(db, input)]);
    expect(results.every((r) => r.ok)).toBe(true);
    const ids = new Set(results.map((r) => (r.ok ? r.member.id : '')));
    expect(ids.size).toBe(1);

    const again = await resolveSignIn(db, input);
    expect(again).toMatchObject({ ok: true, created: false });
    const stranger = await resolveSignIn(db, { ...input, profile: profile('sub-other', 'race@x.EXAMPLE') });
    expect(stranger).toMatchObject({ ok: false, reason: 'email_belongs_to_another_identity' });
    const noEmail = await resolveSignIn(db, { ...input, profile: profile('sub-none', undefined) });
    expect(noEmail).toMatchObject({ ok: false, reason: 'missing_email' });
  });

  it('keeps the members of different organizations apart', async () => {
    const db = database.handle.db;
    const a = await createTestOrganization(database.handle);
    const b = await createTestOrganization(database.handle);
    const ca = await oidcConnection(a);
    const cb = await oidcConnection(b);
    const ra = await resolveSignIn(db, { organizationId: a.organization.id, connectionId: ca.id, profile: profile('same', 'same@x.example') });
    const rb = await resolveSignIn(db, { organizationId: b.organization.id, connectionId: cb.id, profile: profile('same', 'same@x.example') });
    expect(ra.ok && rb.ok && ra.member.id !== rb.member.id).toBe(true);
  });
});

describe(`sign-in state pruning on ${testDatabaseKind}`, () => {
  it('deletes flows and assertion IDs an hour past their expiry, and nothing younger', async () => {
    const { pruneSignInState } = await import('../../src/directory/index.ts');
    const org = await createTestOrganization(database.handle);
    const connection = await oidcConnection(org);
    const db = database.handle.db;
    const longAgo = new Date(Date.now() - 3 * 3600_000);
    await startFlow(db, box, { organizationId: org.organization.id, connectionId: connection.id, interactionUid: 'old', browserSecret: 'b' }, longAgo);
    const fresh = await startFlow(db, box, { organizationId: org.organization.id, connectionId: connection.id, interactionUid: 'new', browserSecret: 'b' });
    await consumeAssertionId(db, { connectionId: connection.id, assertionId: '_old', expiresAt: longAgo });
    await consumeAssertionId(db, { connectionId: connection.id, assertionId: '_new', expiresAt: new Date(Date.now() + 60_000) });
    const pruned = await pruneSignInState(db);
    expect(pruned.flows).toBeGreaterThanOrEqual(1);
    expect(pruned.assertions).toBeGreaterThanOrEqual(1);
    expect(await takeFlowForAnswer(db, box, { flowId: fresh, connectionId: connection.id })).toBeDefined();
    expect(await consumeAssertionId(db, { connectionId: connection.id, assertionId: '_new', expiresAt: new Date() })).toBe(false);
  });
});
