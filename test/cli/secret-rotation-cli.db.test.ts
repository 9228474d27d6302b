import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../src/db/index.ts';
import { loadConnectionForSignIn } from '../../src/directory/index.ts';
import { SecretBox } from '../../src/secrets/index.ts';
import { ownLines, runCli, runCliJson } from '../support/cli.ts';
import { testDatabaseKind, useTestDatabase, withDatabaseOf } from '../support/database.ts';
import { uniqueSlug } from '../support/factories.ts';
import { createTestSamlIdp } from '../sso/saml/support/test-idp.ts';

// The spawned processes own the database while they run; the test opens it only between them.
const database = useTestDatabase({ open: false });
const A = 'old-secret-old-secret-old-secret-0123456';
const B = 'new-secret-new-secret-new-secret-0123456';
/** The database, with ROSTER_SECRET given explicitly (on PGlite too, in place of DATA_DIR/secret). */
const env = (secrets: Record<string, string>) => ({ ...database.env, PUBLIC_URL: 'https://id.example.com', ...secrets });
const CHECK_LINE = 'roster: ROSTER_SECRET is not the secret this database was written with; start with that secret (to change it, set the old one as ROSTER_SECRET_PREVIOUS and run `roster secret rotate`)';

/** stderr without oidc-provider's notice that it prefers Node.js 22 (on Node.js 20). */

const withDatabase = <T>(work: (handle: DatabaseHandle) => Promise<T>) => withDatabaseOf(database.env, work);

let tmp: string;
let metadataFile: string;
beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'roster-secret-cli-'));
  metadataFile = path.join(tmp, 'idp.xml');
  await writeFile(metadataFile, (await createTestSamlIdp()).metadataXml());
});
afterAll(async () => {
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

// Nine spawned commands, a server among them: more than SPAWNS allows on a busy machine.
describe(`roster secret rotate on ${testDatabaseKind}`, { timeout: 300_000 }, () => {
  it('re-seals everything under the new secret; afterwards the new secret alone works and the old one is refused', async () => {
    const slug = uniqueSlug('rot');
    await runCliJson(['org', 'create', '--slug', slug, '--name', 'Rotation'], env({ ROSTER_SECRET: A }));
    const connection = await runCliJson(['connection', 'create', '--org', slug, '--type', 'saml', '--metadata-file', metadataFile], env({ ROSTER_SECRET: A }));
    await runCliJson(['app', 'create', '--name', 'Rotated', '--redirect-uri', 'https://rotated.example.com/cb'], env({ ROSTER_SECRET: A }));
    await runCliJson(['keys', 'rotate'], env({ ROSTER_SECRET: A }));
    const spKey = await withDatabase(async (handle) => (await loadConnectionForSignIn(handle.db, SecretBox.fromSecrets(A), String(connection.id)))!.secret);
    expect(spKey).toContain('PRIVATE KEY');

    // The new secret without the old one: nothing opens, so nothing is touched.
    const withoutPrevious = await runCli(['secret', 'rotate'], env({ ROSTER_SECRET: B }));
    expect(withoutPrevious.code).toBe(1);
    expect(ownLines(withoutPrevious.stderr)).toEqual([CHECK_LINE]);

    const rotated = await runCliJson(['secret', 'rotate'], env({ ROSTER_SECRET: B, ROSTER_SECRET_PREVIOUS: A }));
    expect(rotated).toEqual({
      keyId: SecretBox.fromSecrets(B).currentKeyId,
      resealed: { connections: 1, apps: 1, signingKeys: 1, flows: 0, mails: 0, probe: 1 },
    });
    const again = await runCliJson(['secret', 'rotate'], env({ ROSTER_SECRET: B, ROSTER_SECRET_PREVIOUS: A }));
    expect(again).toEqual({ keyId: rotated.keyId, resealed: { connections: 0, apps: 0, signingKeys: 0, flows: 0, mails: 0, probe: 0 } });

    // The new secret alone reads everything.
    const list = await runCliJson<{ id: string }[]>(['connection', 'list', '--org', slug], env({ ROSTER_SECRET: B }));
    expect(list.map((c) => c.id)).toEqual([connection.id]);
    await withDatabase(async (handle) => {
      expect((await loadConnectionForSignIn(handle.db, SecretBox.fromSecrets(B), String(connection.id)))?.secret).toBe(spKey);
    });

    // The old secret alone is refused, by every command and by the server, with one line.
    const old = await runCli(['org', 'list'], env({ ROSTER_SECRET: A }));
    expect(old).toMatchObject({ code: 1, stdout: '' });
    expect(ownLines(old.stderr)).toEqual([CHECK_LINE]);
    const serve = await runCli(['serve'], env({ ROSTER_SECRET: A, PORT: '0' }));
    expect(serve.code).not.toBe(0);
    expect(ownLines(serve.stderr)).toEqual([CHECK_LINE]);
  });
});
