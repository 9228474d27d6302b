import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { rowsOf } from '../../src/db/index.ts';
import {
  checkSecret,
  createSsoConnection,
  enqueueMails,
  findAppClient,
  loadConnectionForSignIn,
  openMailBody,
  registerApp,
  startFlow,
  takeFlowForAnswer,
} from '../../src/directory/index.ts';
import { rotateSealedSecrets } from '../../src/directory/secret-rotation.ts';
import { SecretBox } from '../../src/secrets/index.ts';
import { ensureSigningKey } from '../../src/sso/index.ts';
import { providerJwks } from '../../src/sso/provider/index.ts';
import { useTestDatabase, testDatabaseKind } from '../support/database.ts';
import { createTestOrganization } from '../support/factories.ts';

const database = useTestDatabase();

const A = 'rotation-secret-A-rotation-secret-A-0123';
const B = 'rotation-secret-B-rotation-secret-B-0123';
const C = 'rotation-secret-C-rotation-secret-C-0123';
const SP_KEY = '-----BEGIN PRIVATE KEY-----\nnot-a-real-key-but-secret\n-----END PRIVATE KEY-----\n';

/** Every sealed column, as stored, to check what changed and what did not. */
async function sealedValues(): Promise<string[]> {
  const rows = rowsOf<{ sealed: string }>(
    await database.handle.db.execute(sql`
      select sealed_secret as sealed from sso_connections
      union all select sealed_secret from oidc_clients
      union all select sealed_private_jwk from oidc_signing_keys
      union all select sealed_oidc_secrets from sso_flows where sealed_oidc_secrets is not null
      union all select body_sealed from mail_outbox
      union all select sealed_probe from secret_check`),
  );
  return rows.map((r) => r.sealed).sort();
}

describe(`rotateSealedSecrets on ${testDatabaseKind}`, () => {
  it('re-seals every sealed value under the new secret in one go, and refuses while a value does not open', async () => {
    const db = database.handle.db;
    const boxA = SecretBox.fromSecrets(A);
    // One value of each kind, sealed under A.
    await checkSecret(db, boxA);
    const org = await createTestOrganization(database.handle);
    const connection = await createSsoConnection(org, boxA, {
      id: randomUUID(),
      type: 'saml',
      name: 'Test IdP',
      preset: undefined,
      settings: { certificates: ['MIIC...'] },
      mapping: {},
      secret: SP_KEY,
    });
    const app = await registerApp(db, boxA, { name: 'Demo', redirectUris: ['http://127.0.0.1:4000/callback'] });
    const key = await ensureSigningKey(db, boxA);
    const flowId = await startFlow(db, boxA, {
      organizationId: org.organization.id,
      connectionId: connection.id,
      interactionUid: 'uid-1',
      browserSecret: 'browser',
      oidcSecrets: { nonce: 'n-1', codeVerifier: 'v-1' },
    });
    const [mailId] = await enqueueMails(db, boxA, [
      { organizationId: org.organization.id, kind: 'invitation', to: 'ada@example.com', subject: 'Join', text: 'https://roster.test/invitations/live-link' },
    ]);
    const before = await sealedValues();
    expect(before).toHaveLength(6);

    // Without the old secret nothing can be opened, so nothing is rewritten.
    await expect(rotateSealedSecrets(db, SecretBox.fromSecrets(C))).rejects.toMatchObject({
      code: 'precondition_failed',
      message: expect.stringMatching(/^nothing was re-sealed: .* set ROSTER_SECRET_PREVIOUS to the secret it was sealed with/),
    });
    expect(await sealedValues()).toEqual(before);

    const rotating = SecretBox.fromSecrets(B, A);
    expect(await rotateSealedSecrets(db, rotating)).toEqual({
      keyId: rotating.currentKeyId,
      resealed: { connections: 1, apps: 1, signingKeys: 1, flows: 1, mails: 1, probe: 1 },
    });
    const after = await sealedValues();
    expect(after.every((value) => value.startsWith(`v1.${rotating.currentKeyId}.`))).toBe(true);
    // Run again, nothing is stale any more.
    expect((await rotateSealedSecrets(db, rotating)).resealed).toEqual({ connections: 0, apps: 0, signingKeys: 0, flows: 0, mails: 0, probe: 0 });

    // The new secret alone opens everything, each value still bound to its own row.
    const boxB = SecretBox.fromSecrets(B);
    await checkSecret(db, boxB);
    expect((await loadConnectionForSignIn(db, boxB, connection.id))?.secret).toBe(SP_KEY);
    expect((await findAppClient(db, boxB, app.clientId))?.clientSecret).toBe(app.clientSecret);
    expect((await ensureSigningKey(db, boxB)).kid).toBe(key.kid);
    expect((await providerJwks(db, boxB)).jwks.keys.map((k) => k.kid)).toEqual([key.kid]);
    expect((await takeFlowForAnswer(db, boxB, { flowId, connectionId: connection.id }))?.oidcSecrets).toEqual({ nonce: 'n-1', codeVerifier: 'v-1' });
    const [mail] = rowsOf<{ sealed: string }>(await db.execute(sql`select body_sealed as sealed from mail_outbox where id = ${mailId!}`));
    expect(openMailBody(boxB, mailId!, mail!.sealed)).toEqual({ text: 'https://roster.test/invitations/live-link' });

    // And the old one alone no longer does.
    await expect(checkSecret(db, boxA)).rejects.toMatchObject({ code: 'precondition_failed', message: expect.stringMatching(/^ROSTER_SECRET is not the secret/) });
  });
});
