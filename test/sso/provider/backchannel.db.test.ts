import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { eq } from 'drizzle-orm';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schema } from '../../../src/db/index.ts';
import { registerApp } from '../../../src/directory/apps.ts';
import { newId } from '../../../src/ids.ts';
import { BACKCHANNEL_LOGOUT_EVENT, deliverBackchannelLogouts, MAX_LOGOUT_ATTEMPTS, startProviderMaintenance } from '../../../src/sso/provider/index.ts';
import { testDatabaseKind, useTestDatabase } from '../../support/database.ts';
import { memberClaims, startTestOp, testBox, type TestOp } from './op-server.ts';

const database = useTestDatabase();
const MEMBER = '0190d3a0-0000-7000-8000-0000000000cc';

/** The app's back-channel logout endpoint: /ok answers 200, /fail answers 500. */
let appServer: Server;
let appUrl: string;
const received: { path: string; contentType: string | undefined; body: string }[] = [];
let op: TestOp;

beforeAll(async () => {
  appServer = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => {
      received.push({ path: req.url ?? '', contentType: req.headers['content-type'], body });
      res.statusCode = req.url === '/ok' ? 200 : 500;
      res.end();
    });
  });
  await new Promise<void>((resolve) => appServer.listen(0, '127.0.0.1', resolve));
  appUrl = `http://127.0.0.1:${(appServer.address() as AddressInfo).port}`;
  op = await startTestOp(database.handle.db, { accounts: new Map([[MEMBER, memberClaims(MEMBER)]]) });
});
afterAll(async () => {
  await op?.close();
  await new Promise((resolve) => appServer?.close(resolve));
});

async function owe(clientId: string): Promise<string> {
  const id = newId<string>();
  await database.handle.db.insert(schema.backchannelLogouts).values({ id, clientId, accountId: MEMBER, nextAttemptAt: new Date(Date.now() - 1000) });
  return id;
}

async function row(id: string) {
  const [found] = await database.handle.db.select().from(schema.backchannelLogouts).where(eq(schema.backchannelLogouts.id, id));
  return found!;
}

describe(`back-channel logout delivery on ${testDatabaseKind}`, () => {
  it('posts a logout token signed by the provider and marks the row delivered', async () => {
    const app = await registerApp(database.handle.db, testBox, { name: 'Logout OK', redirectUris: ['https://ok.example/cb'], backchannelLogoutUri: `${appUrl}/ok` });
    const id = await owe(app.clientId);
    received.length = 0;

    const result = await deliverBackchannelLogouts(op.rp, { db: database.handle.db });
    expect(result).toEqual({ delivered: 1, failed: 0, gaveUp: 0 });
    expect(received).toHaveLength(1);
    expect(received[0]!.contentType).toBe('application/x-www-form-urlencoded');
    const logoutToken = new URLSearchParams(received[0]!.body).get('logout_token')!;
    const { payload, protectedHeader } = await jwtVerify(logoutToken, createRemoteJWKSet(new URL(`${op.issuer}/.well-known/jwks.json`)), {
      algorithms: ['RS256'],
      issuer: op.issuer,
      audience: app.clientId,
      typ: 'logout+jwt',
    });
    expect(protectedHeader.kid).toBeTypeOf('string');
    expect(payload).toMatchObject({ sub: MEMBER, events: { [BACKCHANNEL_LOGOUT_EVENT]: {} } });
    expect(payload.jti).toBeTypeOf('string');
    expect(payload.iat).toBeTypeOf('number');
    expect(payload).not.toHaveProperty('nonce');
    expect((await row(id)).deliveredAt).toBeInstanceOf(Date);

    // Delivered rows are not sent again.
    expect(await deliverBackchannelLogouts(op.rp, { db: database.handle.db })).toEqual({ delivered: 0, failed: 0, gaveUp: 0 });
  });

  it('retries a failing endpoint with backoff and gives up after the last attempt', async () => {
    const app = await registerApp(database.handle.db, testBox, { name: 'Logout fails', redirectUris: ['https://fail.example/cb'], backchannelLogoutUri: `${appUrl}/fail` });
    const id = await owe(app.clientId);
    const t0 = new Date();

    expect(await deliverBackchannelLogouts(op.rp, { db: database.handle.db, now: t0 })).toMatchObject({ failed: 1 });
    let state = await row(id);
    expect(state).toMatchObject({ attempts: 1, deliveredAt: null, lastError: 'the app answered 500', nextAttemptAt: new Date(t0.getTime() + 30_000) });

    // Not due yet: nothing is sent.
    expect(await deliverBackchannelLogouts(op.rp, { db: database.handle.db, now: new Date(t0.getTime() + 29_000) })).toMatchObject({ failed: 0 });
    const t1 = new Date(t0.getTime() + 30_000);
    expect(await deliverBackchannelLogouts(op.rp, { db: database.handle.db, now: t1 })).toMatchObject({ failed: 1 });
    state = await row(id);
    expect(state).toMatchObject({ attempts: 2, nextAttemptAt: new Date(t1.getTime() + 60_000) });

    await database.handle.db.update(schema.backchannelLogouts).set({ attempts: MAX_LOGOUT_ATTEMPTS - 1, nextAttemptAt: t1 }).where(eq(schema.backchannelLogouts.id, id));
    expect(await deliverBackchannelLogouts(op.rp, { db: database.handle.db, now: t1 })).toMatchObject({ gaveUp: 1 });
    expect(await row(id)).toMatchObject({ attempts: MAX_LOGOUT_ATTEMPTS, deliveredAt: null, lastError: 'the app answered 500' });
    const later = new Date(t1.getTime() + 365 * 24 * 3600_000);
    expect(await deliverBackchannelLogouts(op.rp, { db: database.handle.db, now: later })).toEqual({ delivered: 0, failed: 0, gaveUp: 0 });
  });

  it('counts an endpoint that does not answer as a failed attempt', async () => {
    const app = await registerApp(database.handle.db, testBox, { name: 'Logout down', redirectUris: ['https://down.example/cb'], backchannelLogoutUri: 'http://127.0.0.1:9/logout' });
    const id = await owe(app.clientId);
    const failingFetch: typeof fetch = () => Promise.reject(new TypeError('fetch failed', { cause: new Error('connect ECONNREFUSED 127.0.0.1:9') }));
    expect(await deliverBackchannelLogouts(op.rp, { db: database.handle.db, fetch: failingFetch })).toMatchObject({ failed: 1 });
    expect((await row(id)).lastError).toBe('TypeError: fetch failed: connect ECONNREFUSED 127.0.0.1:9');
  });

  it('runs delivery in the background until closed', async () => {
    const app = await registerApp(database.handle.db, testBox, { name: 'Logout timer', redirectUris: ['https://timer.example/cb'], backchannelLogoutUri: `${appUrl}/ok` });
    const id = await owe(app.clientId);
    const lines: string[] = [];
    const logger = { info: (_d: object, m?: string) => lines.push(`info ${m}`), warn: (_d: object, m?: string) => lines.push(`warn ${m}`), error: (_d: object, m?: string) => lines.push(`error ${m}`) };
    const maintenance = startProviderMaintenance({ rp: op.rp, db: database.handle.db, logger, intervalMs: 60_000 });
    await expect.poll(async () => (await row(id)).deliveredAt, { timeout: 10_000 }).toBeInstanceOf(Date);
    await maintenance.close();
    expect(lines).toContain('info back-channel logouts');
    expect(lines.filter((l) => l.startsWith('error'))).toEqual([]);
  });
});
