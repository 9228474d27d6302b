import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { schema } from '../../../src/db/index.ts';
import { registerApp } from '../../../src/directory/apps.ts';
import { createAdapterFactory, deleteExpiredPayloads } from '../../../src/sso/provider/index.ts';
import { testDatabaseKind, useTestDatabase } from '../../support/database.ts';
import { testBox } from './op-server.ts';

const database = useTestDatabase();

describe(`oidc-provider adapter on ${testDatabaseKind}`, () => {
  let clock = Date.parse('2030-01-01T00:00:00Z');
  const now = () => new Date(clock);
  const adapters = () => createAdapterFactory(database.handle.db, testBox, now);

  it('stores an object until it expires, and lifts its grant, account and uid into columns', async () => {
    const codes = adapters()('AuthorizationCode');
    await codes.upsert('code-1', { accountId: 'member-1', grantId: 'grant-1', kind: 'AuthorizationCode' } as never, 60);
    expect(await codes.find('code-1')).toMatchObject({ accountId: 'member-1', grantId: 'grant-1' });
    const [row] = await database.handle.db.select().from(schema.oidcProviderPayloads).where(eq(schema.oidcProviderPayloads.id, 'code-1'));
    expect(row).toMatchObject({ model: 'AuthorizationCode', accountId: 'member-1', grantId: 'grant-1', expiresAt: new Date(clock + 60_000) });
    // The same id under another model is another object.
    expect(await adapters()('AccessToken').find('code-1')).toBeUndefined();

    clock += 61_000;
    expect(await codes.find('code-1')).toBeUndefined();
  });

  it('marks a consumed object, so a code is redeemed once', async () => {
    const codes = adapters()('AuthorizationCode');
    await codes.upsert('code-2', { accountId: 'member-1', grantId: 'grant-2' } as never, 60);
    expect((await codes.find('code-2'))?.consumed).toBeUndefined();
    await codes.consume('code-2');
    expect((await codes.find('code-2'))?.consumed).toBe(Math.floor(clock / 1000));
  });

  it('finds sessions by uid and device codes by user code; destroys one object; revokes a whole grant', async () => {
    const factory = adapters();
    await factory('Session').upsert('session-1', { uid: 'uid-1', accountId: 'member-2' } as never, 3600);
    expect(await factory('Session').findByUid('uid-1')).toMatchObject({ accountId: 'member-2' });
    await factory('DeviceCode').upsert('device-1', { userCode: 'ABCD-EFGH', grantId: 'grant-3' } as never, 600);
    expect(await factory('DeviceCode').findByUserCode('ABCD-EFGH')).toMatchObject({ grantId: 'grant-3' });

    await factory('AccessToken').upsert('at-1', { grantId: 'grant-3' } as never, 3600);
    await factory('RefreshToken').upsert('rt-1', { grantId: 'grant-3' } as never, 3600);
    await factory('AccessToken').upsert('at-2', { grantId: 'grant-4' } as never, 3600);
    await factory('AccessToken').revokeByGrantId('grant-3');
    expect(await factory('AccessToken').find('at-1')).toBeUndefined();
    expect(await factory('RefreshToken').find('rt-1')).toBeUndefined();
    expect(await factory('DeviceCode').find('device-1')).toBeUndefined();
    expect(await factory('AccessToken').find('at-2')).toBeDefined();

    await factory('Session').destroy('session-1');
    expect(await factory('Session').find('session-1')).toBeUndefined();
  });

  it('reads clients from the registered apps, with the secret opened', async () => {
    const app = await registerApp(database.handle.db, testBox, {
      name: 'Adapter',
      redirectUris: ['https://app.example/cb'],
      backchannelLogoutUri: 'https://app.example/logout',
    });
    const clients = adapters()('Client');
    expect(await clients.find(app.clientId)).toEqual({
      client_id: app.clientId,
      client_secret: app.clientSecret,
      client_name: 'Adapter',
      redirect_uris: ['https://app.example/cb'],
      post_logout_redirect_uris: [],
      backchannel_logout_uri: 'https://app.example/logout',
      grant_types: ['authorization_code', 'refresh_token', 'client_credentials'],
      scope: 'openid offline_access email profile members:read teams:read roles:read directory:read audit:read',
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
    });
    expect(await clients.find('app_unknown')).toBeUndefined();
    await expect(clients.upsert(app.clientId, {} as never)).rejects.toThrow(/registerApp/);
  });

  it('deletes objects that expired more than an hour ago', async () => {
    const sessions = adapters()('Session');
    await sessions.upsert('old', { uid: 'old' } as never, 60);
    await sessions.upsert('recent', { uid: 'recent' } as never, 3600);
    clock += 60_000 + 3600_000 + 1000;
    await deleteExpiredPayloads(database.handle.db, now());
    const ids = (await database.handle.db.select({ id: schema.oidcProviderPayloads.id }).from(schema.oidcProviderPayloads)).map((r) => r.id);
    expect(ids).not.toContain('old');
    expect(ids).toContain('recent');
  });
});
