import { createLocalJWKSet, decodeProtectedHeader, jwtVerify, type JSONWebKeySet } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schema } from '../../../src/db/index.ts';
import { registerApp } from '../../../src/directory/apps.ts';
import { ensureSigningKey, providerJwks, rotateSigningKeys } from '../../../src/sso/provider/index.ts';
import { testDatabaseKind, useTestDatabase } from '../../support/database.ts';
import { discoverApp, signIn } from '../../support/test-app-client.ts';
import { memberClaims, startSecondInstance, startTestOp, testBox, type TestOp } from './op-server.ts';

const database = useTestDatabase();
const REDIRECT = 'http://localhost:9/callback';
const MEMBER = '0190d3a0-0000-7000-8000-0000000000bb';
const accounts = new Map([[MEMBER, memberClaims(MEMBER)]]);

let clock = Date.now();
const now = () => new Date(clock);
let op: TestOp;
let app: { clientId: string; clientSecret: string };

async function jwksOf(base: string): Promise<JSONWebKeySet> {
  return (await (await fetch(`${base}/.well-known/jwks.json`)).json()) as JSONWebKeySet;
}

async function idToken(): Promise<string> {
  const config = await discoverApp(op.issuer, app);
  const { tokens } = await signIn(config, { redirectUri: REDIRECT });
  return tokens.id_token!;
}

describe(`signing keys on ${testDatabaseKind}`, () => {
  beforeAll(async () => {
    app = await registerApp(database.handle.db, testBox, { name: 'Keys', redirectUris: [REDIRECT] });
  });
  afterAll(async () => {
    await op?.close();
  });

  it('creates exactly one key when instances start together', async () => {
    const results = await Promise.all([1, 2, 3, 4].map(() => ensureSigningKey(database.handle.db, testBox)));
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(new Set(results.map((r) => r.kid)).size).toBe(1);
    const rows = await database.handle.db.select().from(schema.oidcSigningKeys);
    expect(rows).toHaveLength(1);
    // The private key is sealed; the public one is what JWKS shows.
    expect(rows[0]!.sealedPrivateJwk).toMatch(/^v1\./);
    expect(rows[0]!.publicJwk).not.toHaveProperty('d');
  });

  it('refuses to retire a key for less than the life of the tokens it signed', async () => {
    await expect(rotateSigningKeys(database.handle.db, testBox, { publishFor: 60 })).rejects.toMatchObject({ code: 'invalid_input' });
  });

  it('signs with a rotated key at once, keeps the old one published, and drops it after published_until', async () => {
    op = await startTestOp(database.handle.db, { accounts, now });
    op.login.accountId = MEMBER;
    const second = await startSecondInstance(database.handle.db, op, accounts, now);
    try {
      const before = await idToken();
      const oldKid = decodeProtectedHeader(before).kid!;

      const rotated = await rotateSigningKeys(database.handle.db, testBox, { publishFor: 3600, now: now() });
      expect(rotated.retired).toEqual([oldKid]);
      await op.rp.reloadKeys();

      const after = await idToken();
      expect(decodeProtectedHeader(after).kid).toBe(rotated.kid);
      const published = await jwksOf(op.url);
      expect(published.keys.map((k) => k.kid)).toEqual(expect.arrayContaining([rotated.kid, oldKid]));
      // A token signed before the rotation still verifies against what is published.
      const verify = (jwt: string, keys: JSONWebKeySet) =>
        jwtVerify(jwt, createLocalJWKSet(keys), { algorithms: ['RS256'], issuer: op.issuer, audience: app.clientId });
      await expect(verify(before, published)).resolves.toBeTruthy();
      await expect(verify(after, published)).resolves.toBeTruthy();

      // The second instance was not told: within 30 s it looks, and signs with the new key too.
      expect((await jwksOf(second.url)).keys.map((k) => k.kid)).toEqual([oldKid]);
      clock += 31_000;
      expect((await jwksOf(second.url)).keys.map((k) => k.kid)).toEqual(expect.arrayContaining([rotated.kid, oldKid]));

      // Once published_until has passed, the old key is gone everywhere.
      clock += 3600_000;
      expect((await jwksOf(op.url)).keys.map((k) => k.kid)).toEqual([rotated.kid]);
      expect((await jwksOf(second.url)).keys.map((k) => k.kid)).toEqual([rotated.kid]);
      await expect(verify(before, await jwksOf(op.url))).rejects.toThrow();

      const held = await providerJwks(database.handle.db, testBox, now());
      expect(held.jwks.keys.map((k) => k.kid)).toEqual([rotated.kid]);
      expect(held.jwks.keys[0]).toHaveProperty('d');
    } finally {
      await second.close();
    }
  });

  it('puts the active key first, then retired keys still published', async () => {
    const start = now();
    const a = await rotateSigningKeys(database.handle.db, testBox, { publishFor: 7200, now: start });
    const b = await rotateSigningKeys(database.handle.db, testBox, { publishFor: 3600, now: start });
    const held = await providerJwks(database.handle.db, testBox, start);
    expect(held.jwks.keys[0]!.kid).toBe(b.kid);
    expect(held.jwks.keys.map((k) => k.kid)).toContain(a.kid);
    expect(held.nextExpiry?.getTime()).toBe(start.getTime() + 3600_000);
  });
});
