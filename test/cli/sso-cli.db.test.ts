import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PRESET_CHOICES } from '../../src/cli/help.ts';
import { rowsOf, type DatabaseHandle } from '../../src/db/index.ts';
import { loadConnectionForSignIn, recordSignIn, resolveSignIn } from '../../src/directory/index.ts';
import { SecretBox } from '../../src/secrets/index.ts';
import type { OrganizationId } from '../../src/ids.ts';
import { PRESET_NAMES } from '../../src/sso/profile/index.ts';
import { ownLines, runCli, runCliJson, SPAWNS } from '../support/cli.ts';
import { testDatabaseKind, useTestDatabase, withDatabaseOf } from '../support/database.ts';
import { uniqueSlug } from '../support/factories.ts';
import { startTestOidcIdp, type TestOidcIdp } from '../support/test-oidc-idp.ts';
import { createTestSamlIdp, type TestSamlIdp } from '../sso/saml/support/test-idp.ts';

// The spawned processes own the database while they run (PGlite allows one process per data
// directory), so the test opens it itself only between them.
const database = useTestDatabase({ open: false });
const PUBLIC_URL = 'https://id.example.com';
const env = (extra: Record<string, string> = {}) => ({ ...database.env, PUBLIC_URL, ...extra });
const OIDC_CLIENT = { client_id: 'roster-cli', client_secret: 'oidc-client-secret-kept-sealed', redirect_uris: ['https://id.example.com/cb'] };

const withDatabase = <T>(work: (handle: DatabaseHandle) => Promise<T>) => withDatabaseOf(database.env, work);


let samlIdp: TestSamlIdp;
let oidcIdp: TestOidcIdp;
let tmp: string;
let metadataFile: string;
let metadataServer: http.Server;
let metadataUrl: string;

beforeAll(async () => {
  samlIdp = await createTestSamlIdp({ entityId: 'https://idp.example.com/saml', ssoUrl: 'https://idp.example.com/sso' });
  oidcIdp = await startTestOidcIdp({ clients: [{ ...OIDC_CLIENT, token_endpoint_auth_method: 'client_secret_post' }], accounts: {} });
  tmp = await mkdtemp(path.join(os.tmpdir(), 'roster-sso-cli-'));
  metadataFile = path.join(tmp, 'idp-metadata.xml');
  await writeFile(metadataFile, samlIdp.metadataXml());
  metadataServer = http.createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/samlmetadata+xml' }).end(samlIdp.metadataXml()));
  await new Promise<void>((resolve) => metadataServer.listen(0, '127.0.0.1', resolve));
  metadataUrl = `http://127.0.0.1:${(metadataServer.address() as AddressInfo).port}/metadata`;
});
afterAll(async () => {
  await oidcIdp?.close();
  metadataServer?.closeAllConnections();
  await new Promise((resolve) => metadataServer?.close(resolve));
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

async function newOrg(): Promise<string> {
  const slug = uniqueSlug('sso');
  await runCliJson(['org', 'create', '--slug', slug, '--name', 'SSO Inc'], env());
  return slug;
}

describe(`roster connection on ${testDatabaseKind}`, SPAWNS, () => {
  it('offers the presets the SSO profiles know', () => {
    expect([...PRESET_CHOICES]).toEqual([...PRESET_NAMES]);
  });

  it('creates a SAML connection from a metadata file or URL, and an OIDC one, with the promised JSON', async () => {
    const slug = await newOrg();

    const fromFile = await runCliJson(
      ['connection', 'create', '--org', slug, '--type', 'saml', '--metadata-file', metadataFile, '--preset', 'okta', '--name', 'Okta', '--allow-idp-initiated'],
      env(),
    );
    expect(Object.keys(fromFile)).toEqual(['id', 'type', 'spEntityId', 'acsUrl', 'spMetadataUrl']);
    const base = `${PUBLIC_URL}/sso/saml/${String(fromFile.id)}`;
    expect(fromFile).toEqual({ id: fromFile.id, type: 'saml', spEntityId: base, acsUrl: `${base}/acs`, spMetadataUrl: `${base}/metadata` });

    // A plain-http metadata URL only with ALLOW_INSECURE_IDP_URLS=true.
    const refused = await runCli(['connection', 'create', '--org', slug, '--type', 'saml', '--metadata-url', metadataUrl], env());
    expect(refused.code).toBe(1);
    expect(refused.stdout).toBe('');
    expect(ownLines(refused.stderr)).toEqual([expect.stringMatching(/^roster: metadata URL must use https \(set ALLOW_INSECURE_IDP_URLS=true/)]);
    const fromUrl = await runCliJson(['connection', 'create', '--org', slug, '--type', 'saml', '--metadata-url', metadataUrl], env({ ALLOW_INSECURE_IDP_URLS: 'true' }));
    expect(Object.keys(fromUrl)).toEqual(['id', 'type', 'spEntityId', 'acsUrl', 'spMetadataUrl']);

    const oidc = await runCliJson(
      [
        'connection', 'create', '--org', slug, '--type', 'oidc', '--issuer', oidcIdp.url, '--client-id', OIDC_CLIENT.client_id,
        '--client-secret', OIDC_CLIENT.client_secret, '--preset', 'generic-oidc', '--name', 'Test OIDC', '--scopes', 'openid email profile groups',
        '--token-auth', 'post',
      ],
      env({ ALLOW_INSECURE_IDP_URLS: 'true' }),
    );
    expect(oidc).toEqual({ id: expect.any(String), type: 'oidc', redirectUri: `${PUBLIC_URL}/sso/oidc/${String(oidc.id)}/callback` });

    const list = await runCliJson<Record<string, unknown>[]>(['connection', 'list', '--org', slug], env());
    expect(list.map((c) => Object.keys(c))).toEqual([
      ['id', 'type', 'name', 'preset', 'createdAt', 'mapping', 'spEntityId', 'acsUrl', 'spMetadataUrl'],
      ['id', 'type', 'name', 'preset', 'createdAt', 'mapping', 'spEntityId', 'acsUrl', 'spMetadataUrl'],
      ['id', 'type', 'name', 'preset', 'createdAt', 'mapping', 'redirectUri'],
    ]);
    expect(list[0]).toMatchObject({ id: fromFile.id, name: 'Okta', preset: 'okta', spEntityId: base });
    expect(list[1]).toMatchObject({ id: fromUrl.id, name: samlIdp.entityId, preset: null });
    expect(list[2]).toMatchObject({ id: oidc.id, name: 'Test OIDC', preset: 'generic-oidc', redirectUri: oidc.redirectUri });
    const text = await runCli(['connection', 'list', '--org', slug], env());
    for (const shown of [JSON.stringify(list), text.stdout]) {
      expect(shown).not.toContain(OIDC_CLIENT.client_secret);
      expect(shown).not.toContain('PRIVATE KEY');
    }
    expect(text.stdout).toContain(String(oidc.redirectUri));

    // At rest the secrets are sealed, the private key and client secret nowhere in clear.
    await withDatabase(async (handle) => {
      const rows = rowsOf<{ id: string; sealed: string; settings: unknown }>(
        await handle.db.execute(sql`select id, sealed_secret as sealed, settings from sso_connections`),
      );
      expect(rows).toHaveLength(3);
      for (const row of rows) {
        const stored = JSON.stringify(row);
        expect(row.sealed).toMatch(/^v1\./);
        expect(stored).not.toContain('PRIVATE KEY');
        expect(stored).not.toContain(OIDC_CLIENT.client_secret);
      }
    });
  });

  it('refuses options of the other type, or missing ones, as usage errors', async () => {
    const usage = async (args: string[], message: RegExp) => {
      const result = await runCli(['connection', 'create', '--org', 'acme', ...args], env());
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stdout).toBe('');
      expect(ownLines(result.stderr), args.join(' ')).toEqual([expect.stringMatching(message)]);
    };
    await usage(['--type', 'saml', '--metadata-file', metadataFile, '--issuer', 'https://idp.example.com'], /^roster: --issuer applies to --type oidc only/);
    await usage(['--type', 'saml'], /^roster: --type saml needs the IdP: one of --metadata-file <file>, --metadata-url <url>, or --idp-entity-id, --sso-url and --certificate-file/);
    await usage(['--type', 'saml', '--metadata-file', metadataFile, '--metadata-url', metadataUrl], /^roster: --type saml needs the IdP: one of/);
    await usage(['--type', 'oidc', '--issuer', 'https://idp.example.com', '--client-id', 'x', '--metadata-url', metadataUrl], /^roster: --metadata-url applies to --type saml only/);
    await usage(['--type', 'oidc', '--issuer', 'https://idp.example.com'], /^roster: --type oidc needs --client-id, --client-secret/);
    await usage(['--type', 'oidc', '--issuer', 'https://x', '--client-id', 'x', '--client-secret', 'y', '--preset', 'generic-saml'], /^roster: --preset generic-saml is for --type saml connections/);
    await usage(['--type', 'ldap'], /^roster: option '--type <type>' argument 'ldap' is invalid/);

    const json = await runCli(['connection', 'create', '--org', 'acme', '--type', 'oidc', '--json'], env());
    expect(json.code).toBe(2);
    expect(JSON.parse(ownLines(json.stderr)[0]!)).toEqual({ error: { code: 'usage', message: expect.stringMatching(/^--type oidc needs --issuer, --client-id, --client-secret/) } });

    const unreadable = await runCli(['connection', 'create', '--org', 'acme', '--type', 'saml', '--metadata-file', path.join(tmp, 'nope.xml')], env());
    expect(unreadable.code).toBe(1);
    expect(ownLines(unreadable.stderr)).toEqual([expect.stringMatching(/^roster: cannot read --metadata-file .*nope\.xml: ENOENT/)]);
  });
});

describe(`roster connection without metadata, and updated in place, on ${testDatabaseKind}`, SPAWNS, () => {
  it('creates a SAML connection from typed-in IdP fields and rotates its certificates and mapping in place', async () => {
    const slug = await newOrg();
    const cert = path.join(tmp, 'idp.pem');
    await writeFile(cert, samlIdp.certificatePem);
    const created = await runCliJson(
      ['connection', 'create', '--org', slug, '--type', 'saml', '--idp-entity-id', samlIdp.entityId, '--sso-url', samlIdp.ssoUrl, '--certificate-file', cert],
      env(),
    );
    expect(Object.keys(created)).toEqual(['id', 'type', 'spEntityId', 'acsUrl', 'spMetadataUrl']);

    const partial = await runCli(['connection', 'create', '--org', slug, '--type', 'saml', '--idp-entity-id', samlIdp.entityId], env());
    expect(partial.code).toBe(2);
    expect(ownLines(partial.stderr)).toEqual([expect.stringMatching(/give all of --idp-entity-id, --sso-url and --certificate-file/)]);

    const [listed] = await runCliJson<{ id: string; mapping: { email: string[] } }[]>(['connection', 'list', '--org', slug], env());
    const mappingFile = path.join(tmp, 'mapping.json');
    await writeFile(mappingFile, JSON.stringify({ ...listed!.mapping, email: ['workEmail', ...listed!.mapping.email] }));
    const updated = await runCliJson<{ id: string; spEntityId: string; mapping: { email: string[] } }>(
      ['connection', 'update', '--org', slug, created.id as string, '--certificate-file', cert, '--certificate-file', cert, '--allow-idp-initiated', 'yes', '--mapping-file', mappingFile],
      env(),
    );
    expect(updated).toMatchObject({ id: created.id, spEntityId: created.spEntityId });
    expect(updated.mapping.email[0]).toBe('workEmail');

    await writeFile(mappingFile, JSON.stringify({ subject: [] }));
    const bad = await runCli(['connection', 'update', '--org', slug, created.id as string, '--mapping-file', mappingFile], env());
    expect(bad.code).toBe(1);
    expect(ownLines(bad.stderr)).toEqual([expect.stringMatching(/^roster: mapping: /)]);
  });
});

describe(`roster connection with the client secret in a file on ${testDatabaseKind}`, SPAWNS, () => {
  it('reads the secret from the file (out of the process list), and refuses both forms or an empty file', async () => {
    const slug = await newOrg();
    const secretFile = path.join(tmp, 'client-secret');
    await writeFile(secretFile, `${OIDC_CLIENT.client_secret}\n`);
    const oidcArgs = ['connection', 'create', '--org', slug, '--type', 'oidc', '--issuer', oidcIdp.url, '--client-id', OIDC_CLIENT.client_id];
    const created = await runCliJson([...oidcArgs, '--client-secret-file', secretFile], env({ ALLOW_INSECURE_IDP_URLS: 'true' }));
    const spawned: Record<string, string | undefined> = env();
    // PostgreSQL runs are given ROSTER_SECRET; the embedded database generated its own on first use.
    const secret = spawned.ROSTER_SECRET ?? (await readFile(path.join(spawned.DATA_DIR!, 'secret'), 'utf8')).trim();
    await withDatabase(async (handle) => {
      const loaded = await loadConnectionForSignIn(handle.db, SecretBox.fromSecrets(secret), String(created.id));
      expect(loaded?.secret).toBe(OIDC_CLIENT.client_secret);
    });

    const both = await runCli([...oidcArgs, '--client-secret', 'x', '--client-secret-file', secretFile], env());
    expect(both.code).toBe(2);
    expect(ownLines(both.stderr)).toEqual([expect.stringMatching(/give --client-secret or --client-secret-file, not both/)]);
    await writeFile(secretFile, '\n');
    const empty = await runCli([...oidcArgs, '--client-secret-file', secretFile], env());
    expect(empty.code).toBe(1);
    expect(ownLines(empty.stderr)).toEqual([expect.stringMatching(/--client-secret-file .* is empty/)]);
  });
});

describe(`roster app, domain, member and sign-in on ${testDatabaseKind}`, SPAWNS, () => {
  it('registers apps, shows the secret once, and refuses plain http beyond loopback', async () => {
    const app = await runCliJson(
      [
        'app', 'create', '--name', 'Demo', '--redirect-uri', 'http://127.0.0.1:4000/callback', '--redirect-uri', 'http://localhost:4000/callback',
        '--post-logout-redirect-uri', 'http://127.0.0.1:4000/bye', '--backchannel-logout-uri', 'https://demo.example.com/logout',
        '--initiate-login-uri', 'http://127.0.0.1:4000/start',
      ],
      env(),
    );
    expect(Object.keys(app)).toEqual(['clientId', 'clientSecret', 'issuer']);
    expect(app).toMatchObject({ clientId: expect.stringMatching(/^app_/), clientSecret: expect.any(String), issuer: PUBLIC_URL });

    const apps = await runCliJson<Record<string, unknown>[]>(['app', 'list'], env());
    expect(apps).toContainEqual({
      clientId: app.clientId,
      name: 'Demo',
      redirectUris: ['http://127.0.0.1:4000/callback', 'http://localhost:4000/callback'],
      postLogoutRedirectUris: ['http://127.0.0.1:4000/bye'],
      backchannelLogoutUri: 'https://demo.example.com/logout',
      initiateLoginUri: 'http://127.0.0.1:4000/start',
      createdAt: expect.any(String),
    });
    expect(JSON.stringify(apps)).not.toContain(String(app.clientSecret));

    const text = await runCli(['app', 'create', '--name', 'Text', '--redirect-uri', 'https://text.example.com/cb'], env());
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^clientId +app_/);
    expect(text.stderr).toContain('The client secret is shown this once only');

    const insecure = await runCli(['app', 'create', '--name', 'Bad', '--redirect-uri', 'http://demo.example.com/callback'], env());
    expect(insecure).toMatchObject({ code: 1, stdout: '' });
    expect(insecure.stderr).toBe('roster: redirectUris: "http://demo.example.com/callback" must use https (http is allowed for 127.0.0.1, [::1] and localhost only)\n');
  });

  it('adds a verified domain to one organization only', async () => {
    const [first, second] = [await newOrg(), await newOrg()];
    const domain = `${first}.example.com`;
    const added = await runCliJson(['domain', 'add', '--org', first, domain, '--verified'], env());
    expect(Object.keys(added)).toEqual(['id', 'domain', 'verified', 'verifiedAt']);
    expect(added).toMatchObject({ domain, verified: true, verifiedAt: expect.any(String) });

    const conflict = await runCli(['domain', 'add', '--org', second, domain, '--verified', '--json'], env());
    expect(conflict.code).toBe(1);
    expect(JSON.parse(conflict.stderr)).toEqual({ error: { code: 'conflict', message: `${domain} is already verified for another organization` } });

    const unverified = await runCliJson(['domain', 'add', '--org', second, domain], env());
    expect(unverified).toMatchObject({ domain, verified: false, verifiedAt: null });
    const list = await runCliJson<Record<string, unknown>[]>(['domain', 'list', '--org', first], env());
    expect(list).toEqual([{ ...added, createdAt: expect.any(String) }]);
  });

  it('lists members and sign-ins, and deactivating a member ends their sessions and queues back-channel logouts', async () => {
    const slug = await newOrg();
    const connection = await runCliJson(['connection', 'create', '--org', slug, '--type', 'saml', '--metadata-file', metadataFile], env());
    // An app to be told of the deactivation.
    await runCliJson(['app', 'create', '--name', 'Told', '--redirect-uri', 'https://told.example.com/cb', '--backchannel-logout-uri', 'https://told.example.com/logout'], env());

    // Members come from sign-ins: made here with the verb SSO sign-ins use.
    const members = await withDatabase(async (handle) => {
      const [org] = rowsOf<{ id: OrganizationId }>(await handle.db.execute(sql`select id from organizations where slug = ${slug}`));
      const made: string[] = [];
      for (const [subject, email] of [['sub-bob', 'bob@example.com'], ['sub-ada', 'ada@example.com']]) {
        const resolved = await resolveSignIn(handle.db, {
          organizationId: org!.id,
          connectionId: String(connection.id),
          profile: { subject: subject!, email, emailVerified: true, givenName: undefined, familyName: undefined, displayName: undefined, groups: [], raw: {} },
        });
        if (!resolved.ok) throw new Error(resolved.detail);
        made.push(resolved.member.id);
        await recordSignIn(
          handle.db,
          { organizationId: org!.id, connectionId: String(connection.id), memberId: resolved.member.id, idpSubject: subject, email, ip: '192.0.2.1', userAgent: 'curl/8', outcome: 'succeeded', detail: `detail of ${email}` },
          new Date(Date.UTC(2030, 0, 1, 0, made.length)),
        );
      }
      await recordSignIn(
        handle.db,
        { organizationId: org!.id, connectionId: String(connection.id), ip: '192.0.2.9', userAgent: 'curl/8', outcome: 'failed', reason: 'saml.wrong_audience', detail: 'audience was https://other.example.com' },
        new Date(Date.UTC(2030, 0, 1, 0, 5)),
      );
      // A session of Bob's at Roster's OpenID Provider.
      await handle.db.execute(sql`insert into oidc_provider_payloads (model, id, payload, account_id) values ('Session', 'cli-session-bob', '{}'::jsonb, ${made[0]!})`);
      return { bob: made[0]!, ada: made[1]! };
    });

    const listed = await runCliJson<Record<string, unknown>[]>(['member', 'list', '--org', slug], env());
    expect(listed).toEqual([
      { id: members.ada, email: 'ada@example.com', status: 'active', role: 'member', teams: [], source: 'jit' },
      { id: members.bob, email: 'bob@example.com', status: 'active', role: 'member', teams: [], source: 'jit' },
    ]);
    expect(listed.map((m) => Object.keys(m))).toEqual([
      ['id', 'email', 'status', 'role', 'teams', 'source'],
      ['id', 'email', 'status', 'role', 'teams', 'source'],
    ]);

    const signIns = await runCliJson<Record<string, unknown>[]>(['sign-in', 'list', '--org', slug, '--limit', '2'], env());
    expect(signIns.map((s) => Object.keys(s))).toEqual(
      Array(2).fill(['id', 'occurredAt', 'outcome', 'reason', 'connectionId', 'memberId', 'email', 'idpSubject', 'ip', 'userAgent', 'detail']),
    );
    expect(signIns.map((s) => [s.occurredAt, s.outcome, s.reason, s.email])).toEqual([
      ['2030-01-01T00:05:00.000Z', 'failed', 'saml.wrong_audience', null],
      ['2030-01-01T00:02:00.000Z', 'succeeded', null, 'ada@example.com'],
    ]);
    expect(signIns[1]).toMatchObject({ connectionId: connection.id, memberId: members.ada, idpSubject: 'sub-ada', ip: '192.0.2.1', userAgent: 'curl/8', detail: 'detail of ada@example.com' });
    const text = await runCli(['sign-in', 'list', '--org', slug], env());
    expect(text.stdout.split('\n')[0]).toMatch(/^id +occurredAt +outcome +reason +connectionId +memberId +email +idpSubject +ip +userAgent$/);
    expect(text.stdout).toContain('saml.wrong_audience');
    expect(text.stdout).not.toContain('audience was https://other.example.com');

    const deactivated = await runCliJson(['member', 'deactivate', '--org', slug, members.bob], env());
    expect(Object.keys(deactivated)).toEqual(['id', 'status', 'sessionsEnded', 'logoutsQueued']);
    expect(deactivated).toMatchObject({ id: members.bob, status: 'deactivated', sessionsEnded: 1 });
    expect(deactivated.logoutsQueued).toBeGreaterThanOrEqual(1);
    await withDatabase(async (handle) => {
      expect(rowsOf(await handle.db.execute(sql`select id from oidc_provider_payloads where account_id = ${members.bob}`))).toEqual([]);
      const queued = rowsOf<{ uri: string }>(
        await handle.db.execute(sql`select c.backchannel_logout_uri as uri from backchannel_logouts l join oidc_clients c using (client_id) where l.account_id = ${members.bob}`),
      );
      expect(queued.map((q) => q.uri)).toContain('https://told.example.com/logout');
      expect(queued).toHaveLength(Number(deactivated.logoutsQueued));
    });
    const after = await runCliJson<{ id: string; status: string }[]>(['member', 'list', '--org', slug], env());
    expect(after.map((m) => m.status)).toEqual(['active', 'deactivated']);

    const unknown = await runCli(['member', 'deactivate', '--org', slug, crypto.randomUUID()], env());
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/^roster: no member [0-9a-f-]+ in this organization\n$/);
  });
});

describe(`roster keys rotate on ${testDatabaseKind}`, SPAWNS, () => {
  it('makes a new key active and keeps the previous one published until its tokens expire', async () => {
    const first = await runCliJson(['keys', 'rotate'], env());
    expect(Object.keys(first)).toEqual(['kid', 'previousKid', 'previousPublishedUntil']);
    const second = await runCliJson(['keys', 'rotate'], env());
    expect(second).toMatchObject({ kid: expect.any(String), previousKid: first.kid, previousPublishedUntil: expect.any(String) });
    expect(second.kid).not.toBe(first.kid);
    const until = Date.parse(String(second.previousPublishedUntil));
    expect(until).toBeGreaterThan(Date.now() + 55 * 60_000);

    await withDatabase(async (handle) => {
      const rows = rowsOf<{ kid: string; retired: boolean; published_until: Date | string | null }>(
        await handle.db.execute(sql`select kid, retired_at is not null as retired, published_until from oidc_signing_keys where retired_at is null or published_until > now() order by created_at desc`),
      );
      expect(rows[0]).toMatchObject({ kid: second.kid, retired: false, published_until: null });
      expect(rows[1]).toMatchObject({ kid: first.kid, retired: true });
      expect(new Date(rows[1]!.published_until!).getTime()).toBe(until);
    });
  });
});
