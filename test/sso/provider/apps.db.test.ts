import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { schema } from '../../../src/db/index.ts';
import { findAppClient, listApps, registerApp } from '../../../src/directory/apps.ts';
import { SecretBox } from '../../../src/secrets/index.ts';
import { testDatabaseKind, useTestDatabase } from '../../support/database.ts';
import { testBox } from './op-server.ts';

const database = useTestDatabase();

describe(`registering apps on ${testDatabaseKind}`, () => {
  it('returns a client id and a 256-bit secret once, seals the secret and audits the registration', async () => {
    const app = await registerApp(database.handle.db, testBox, {
      name: '  Billing  ',
      redirectUris: ['https://billing.example/callback', 'http://127.0.0.1:3000/cb', 'http://[::1]:3000/cb', 'http://localhost/cb'],
      postLogoutRedirectUris: ['https://billing.example/'],
    }, { type: 'operator', id: 'ops' });
    expect(Buffer.from(app.clientSecret, 'base64url').length).toBeGreaterThanOrEqual(32);

    const [row] = await database.handle.db.select().from(schema.oidcClients).where(eq(schema.oidcClients.clientId, app.clientId));
    expect(row!.sealedSecret).not.toContain(app.clientSecret);
    expect(await findAppClient(database.handle.db, testBox, app.clientId)).toMatchObject({ clientSecret: app.clientSecret, name: 'Billing' });
    // Sealed for this row and this ROSTER_SECRET only.
    await expect(findAppClient(database.handle.db, SecretBox.fromSecrets('another-secret-another-secret-another-0'), app.clientId)).rejects.toThrow();
    expect(await findAppClient(database.handle.db, testBox, 'app_nope')).toBeUndefined();

    expect((await listApps(database.handle.db)).find((a) => a.clientId === app.clientId)).toMatchObject({
      name: 'Billing',
      postLogoutRedirectUris: ['https://billing.example/'],
      backchannelLogoutUri: null,
    });
    const audit = await database.handle.db.select().from(schema.auditLog).where(eq(schema.auditLog.targetId, app.clientId));
    expect(audit).toEqual([expect.objectContaining({ action: 'app.registered', actorType: 'operator', actorId: 'ops', organizationId: null })]);
  });

  it.each([
    ['http on a public host', 'http://app.example/cb', /https/],
    ['a fragment', 'https://app.example/cb#frag', /fragment/],
    ['an empty fragment', 'https://app.example/cb#', /fragment/],
    ['a relative URI', '/cb', /absolute/],
    ['another scheme', 'myapp://cb', /https/],
    ['javascript:', 'javascript:alert(1)', /https/],
    ['credentials', 'https://user:pw@app.example/cb', /credentials/],
    ['http on a look-alike of loopback', 'http://127.0.0.1.evil.example/cb', /https/],
  ])('refuses a redirect URI with %s', async (_what, uri, message) => {
    await expect(registerApp(database.handle.db, testBox, { name: 'Bad', redirectUris: [uri] })).rejects.toMatchObject({
      name: 'DomainError',
      code: 'invalid_input',
      message: expect.stringMatching(message),
    });
  });

  it('refuses an app without a redirect URI or a name, and checks the logout URIs too', async () => {
    await expect(registerApp(database.handle.db, testBox, { name: 'None', redirectUris: [] })).rejects.toMatchObject({ code: 'invalid_input' });
    await expect(registerApp(database.handle.db, testBox, { name: ' ', redirectUris: ['https://a.example/cb'] })).rejects.toMatchObject({ code: 'invalid_input' });
    await expect(
      registerApp(database.handle.db, testBox, { name: 'Logout', redirectUris: ['https://a.example/cb'], backchannelLogoutUri: 'http://a.example/logout' }),
    ).rejects.toMatchObject({ code: 'invalid_input', details: { field: 'backchannelLogoutUri' } });
    await expect(
      registerApp(database.handle.db, testBox, { name: 'Logout', redirectUris: ['https://a.example/cb'], postLogoutRedirectUris: ['https://a.example/#x'] }),
    ).rejects.toMatchObject({ code: 'invalid_input', details: { field: 'postLogoutRedirectUris' } });
  });
});
