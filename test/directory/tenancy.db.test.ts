import { eq, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { schema } from '../../src/db/index.ts';
import {
  authenticateApiKey,
  admitScimRequest,
  createApiKey,
  createDirectory,
  createOrganization,
  createScimToken,
  enterOrganization,
  getDirectory,
  listDirectories,
  listScimTokens,
  revokeApiKey,
  revokeScimToken,
  scimTokenDigest,
} from '../../src/directory/index.ts';
import { DomainError } from '../../src/errors.ts';
import { testDatabaseKind, useTestDatabase } from '../support/database.ts';
import { contextFor, createTestDirectory, createTestOrganization, uniqueSlug } from '../support/factories.ts';

const database = useTestDatabase();

/** The principal a token stands for in a directory, with no rate limit counted. */
const authenticate = async (directoryId: string, token: string, now?: Date) =>
  (await admitScimRequest(database.handle.db, { directoryId, digest: scimTokenDigest(token), now: now ?? new Date() }))?.principal;

async function auditActions(organizationId: string): Promise<string[]> {
  const rows = await database.handle.db
    .select({ action: schema.auditLog.action })
    .from(schema.auditLog)
    .where(eq(schema.auditLog.organizationId, organizationId))
    .orderBy(schema.auditLog.id);
  return rows.map((r) => r.action);
}

async function expectDomainError(promise: Promise<unknown>, code: DomainError['code'], message?: RegExp) {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DomainError);
  expect((error as DomainError).code).toBe(code);
  if (message) expect((error as DomainError).message).toMatch(message);
}

describe(`organizations on ${testDatabaseKind}`, () => {
  it('creates an organization with an audit entry, and refuses a second one with the same slug', async () => {
    const ctx = contextFor(database.handle);
    const slug = uniqueSlug();
    const org = await createOrganization(ctx, { slug, name: '  Acme Inc ' });
    expect(org).toMatchObject({ slug, name: 'Acme Inc' });
    await expectDomainError(createOrganization(ctx, { slug, name: 'Again' }), 'conflict', /already exists/);
    expect(await auditActions(org.id)).toEqual(['organization.created']);
  });

  it('rejects bad slugs and names before touching the database', async () => {
    const ctx = contextFor(database.handle);
    for (const slug of ['', 'Acme', '-acme', 'acme-', 'a_b', 'a'.repeat(64)]) {
      await expectDomainError(createOrganization(ctx, { slug, name: 'x' }), 'invalid_input', /slug/);
    }
    await expectDomainError(createOrganization(ctx, { slug: uniqueSlug(), name: '   ' }), 'invalid_input', /name/);
  });

  it('answers not_found for an unknown slug', async () => {
    await expectDomainError(enterOrganization(contextFor(database.handle), 'no-such-org'), 'not_found');
  });

  it('keeps concurrent creations of one slug to exactly one row', async () => {
    const ctx = contextFor(database.handle);
    const slug = uniqueSlug();
    const results = await Promise.allSettled(
      Array.from({ length: 5 }, (_, i) => createOrganization(ctx, { slug, name: `n${i}` })),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results) if (r.status === 'rejected') expect((r.reason as DomainError).code).toBe('conflict');
    const rows = await database.handle.db.select().from(schema.organizations).where(eq(schema.organizations.slug, slug));
    expect(rows).toHaveLength(1);
  });
});

describe(`directories and SCIM tokens on ${testDatabaseKind}`, () => {
  it('creates a directory with a first token that authenticates only for that directory', async () => {
    const org = await createTestOrganization(database.handle);
    const { directory, token } = await createDirectory(org, { provider: 'ENTRA' });
    expect(directory).toMatchObject({ provider: 'entra', name: 'Microsoft Entra ID' });
    expect(token.token).toMatch(/^rst_scim_[A-Za-z0-9_-]{43}$/);
    expect(token.token.startsWith(token.prefix)).toBe(true);

    const principal = await authenticate(directory.id, token.token);
    expect(principal).toEqual({
      organizationId: org.organization.id,
      organizationSlug: org.organization.slug,
      directoryId: directory.id,
      tokenId: token.id,
    });

    const other = await createDirectory(org, { provider: 'okta' });
    expect(await authenticate(other.directory.id, token.token)).toBeUndefined();
    expect(await authenticate('not-a-uuid', token.token)).toBeUndefined();
    expect(await authenticate(directory.id, `${token.token}x`)).toBeUndefined();
    expect(await auditActions(org.organization.id)).toEqual([
      'organization.created',
      'directory.created',
      'scim_token.created',
      'directory.created',
      'scim_token.created',
    ]);
  });

  it('stores only a hash and a prefix of each token', async () => {
    const { directory, token } = await createTestDirectory(database.handle);
    const rows = await database.handle.db.select().from(schema.scimTokens).where(eq(schema.scimTokens.directoryId, directory.id));
    expect(rows).toHaveLength(1);
    expect(JSON.stringify(rows)).not.toContain(token.slice(16));
    expect(rows[0]!.tokenHash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('rotates without downtime: two live tokens, then the old one revoked', async () => {
    const { org, directory, token: first, tokenId: firstId } = await createTestDirectory(database.handle);
    const second = await createScimToken(org, { directoryId: directory.id });
    expect(await authenticate(directory.id, first)).toBeDefined();
    expect(await authenticate(directory.id, second.token)).toBeDefined();

    const revoked = await revokeScimToken(org, { directoryId: directory.id, tokenId: firstId });
    expect(revoked.revokedAt).toBeInstanceOf(Date);
    expect(await authenticate(directory.id, first)).toBeUndefined();
    expect(await authenticate(directory.id, second.token)).toBeDefined();

    const again = await revokeScimToken(org, { directoryId: directory.id, tokenId: firstId });
    expect(again.revokedAt).toEqual(revoked.revokedAt);
    const tokens = await listScimTokens(org, { directoryId: directory.id });
    expect(tokens.map((t) => [t.id, t.revokedAt !== null])).toEqual([
      [firstId, true],
      [second.id, false],
    ]);
    const [summary] = await listDirectories(org);
    expect(summary?.liveTokens).toBe(1);
  });

  it("never reaches another organization's directory or tokens", async () => {
    const a = await createTestDirectory(database.handle);
    const b = await createTestOrganization(database.handle);
    await expectDomainError(getDirectory(b, a.directory.id), 'not_found');
    await expectDomainError(createScimToken(b, { directoryId: a.directory.id }), 'not_found');
    await expectDomainError(revokeScimToken(b, { directoryId: a.directory.id, tokenId: a.tokenId }), 'not_found');
    await expectDomainError(listScimTokens(b, { directoryId: a.directory.id }), 'not_found');
    expect(await listDirectories(b)).toEqual([]);
    expect(await authenticate(a.directory.id, a.token)).toBeDefined();
  });

  it('refreshes last-used at most once a minute', async () => {
    const { directory, token, tokenId } = await createTestDirectory(database.handle);
    const lastUsed = async () =>
      (await database.handle.db.select().from(schema.scimTokens).where(eq(schema.scimTokens.id, tokenId)))[0]!.lastUsedAt;
    const t0 = new Date('2030-01-01T00:00:00Z');
    await authenticate(directory.id, token, t0);
    expect(await lastUsed()).toEqual(t0);
    await authenticate(directory.id, token, new Date(t0.getTime() + 59_000));
    expect(await lastUsed()).toEqual(t0);
    const t2 = new Date(t0.getTime() + 61_000);
    await authenticate(directory.id, token, t2);
    expect(await lastUsed()).toEqual(t2);
  });

  it('rejects an unknown provider', async () => {
    const org = await createTestOrganization(database.handle);
    await expectDomainError(createDirectory(org, { provider: 'ldap' }), 'invalid_input', /okta, entra, google, generic/);
  });
});

describe(`operator API keys on ${testDatabaseKind}`, () => {
  it('creates, authenticates and revokes a key, keeping only its hash', async () => {
    const ctx = contextFor(database.handle);
    const key = await createApiKey(ctx, { name: 'deploy' });
    expect(key.key).toMatch(/^rst_key_/);
    expect((await authenticateApiKey(database.handle.db, key.key))?.id).toBe(key.id);
    const stored = await database.handle.db.execute(sql`select key_hash from api_keys where id = ${key.id}`);
    expect(JSON.stringify(stored)).not.toContain(key.key);
    await revokeApiKey(ctx, { id: key.id });
    expect(await authenticateApiKey(database.handle.db, key.key)).toBeUndefined();
    await expectDomainError(revokeApiKey(ctx, { id: 'nope' }), 'not_found');
  });
});
