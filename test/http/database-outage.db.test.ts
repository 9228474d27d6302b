import { describe, expect, it } from 'vitest';
import { openPostgres } from '../../src/db/index.ts';
import { createApiKey } from '../../src/directory/index.ts';
import { buildTestApp } from '../support/app.ts';
import { startServe } from '../support/cli.ts';
import { testDatabaseKind, useTestDatabase } from '../support/database.ts';
import { contextFor, createTestDirectory } from '../support/factories.ts';
import { startTcpProxy } from '../support/tcp-proxy.ts';

const database = useTestDatabase();
const SCIM_ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';

/** The test database's URL, reached through a proxy the test controls. */
async function proxiedDatabase() {
  const direct = new URL(database.current.env.DATABASE_URL!);
  const proxy = await startTcpProxy({ host: direct.hostname, port: Number(direct.port || 5432) });
  const proxied = new URL(direct.href);
  proxied.hostname = '127.0.0.1';
  proxied.port = String(proxy.port);
  return { proxy, url: proxied.href };
}

describe('a database outage', () => {
  // The embedded database lives inside the server process and cannot become unreachable on its
  // own, so only the PostgreSQL pass has an outage to survive.
  it.runIf(testDatabaseKind === 'postgres')(
    'answers 503 with Retry-After while PostgreSQL is unreachable, stays up, and recovers without a restart',
    async () => {
      const { proxy, url } = await proxiedDatabase();
      const { directory, token } = await createTestDirectory(database.handle);
      const { key } = await createApiKey(contextFor(database.handle), { name: 'outage test' });
      const server = await startServe({ DATABASE_URL: url, ROSTER_SECRET: database.current.env.ROSTER_SECRET! });
      const scim = () =>
        fetch(`${server.url}/scim/v2/${directory.id}/ServiceProviderConfig`, { headers: { Authorization: `Bearer ${token}` } });
      const admin = () => fetch(`${server.url}/api/v1/organizations`, { headers: { Authorization: `Bearer ${key}` } });
      const ready = () => fetch(`${server.url}/readyz`);
      try {
        expect((await scim()).status).toBe(200);
        expect((await admin()).status).toBe(200);
        expect((await ready()).status).toBe(200);

        await proxy.close();
        const cutAt = performance.now();
        const scimDown = await scim();
        expect(scimDown.status).toBe(503);
        expect(scimDown.headers.get('retry-after')).toBe('5');
        expect(scimDown.headers.get('content-type')).toMatch(/^application\/scim\+json/);
        expect(await scimDown.json()).toEqual({
          schemas: [SCIM_ERROR],
          status: '503',
          detail: 'temporarily unavailable: the database cannot be reached; retry later',
        });

        const adminDown = await admin();
        expect(adminDown.status).toBe(503);
        expect(adminDown.headers.get('retry-after')).toBe('5');
        expect(adminDown.headers.get('content-type')).toBe('application/problem+json');
        expect(await adminDown.json()).toMatchObject({ status: 503, code: 'unavailable', detail: 'the database cannot be reached; retry later' });

        const readyDown = await ready();
        expect(readyDown.status).toBe(503);
        expect(await readyDown.json()).toMatchObject({ status: 'unavailable' });
        expect(performance.now() - cutAt).toBeLessThan(3_000);

        expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
        expect(server.child.exitCode).toBeNull();

        await proxy.open();
        expect((await scim()).status).toBe(200);
        expect((await admin()).status).toBe(200);
        expect((await ready()).status).toBe(200);
      } finally {
        await proxy.close();
        await server.stop();
      }
      expect(server.logs.some((line) => line.includes('"status":503'))).toBe(true);
    },
  );

  it.runIf(testDatabaseKind === 'postgres')(
    'answers 503 once the connect timeout gives up on a database that swallows packets, then recovers',
    async () => {
      const { proxy, url } = await proxiedDatabase();
      const handle = openPostgres({ url, max: 2, connectTimeoutSeconds: 1 });
      const { app } = buildTestApp(handle);
      const { directory, token } = await createTestDirectory(database.handle);
      const scim = () =>
        app.request(`/scim/v2/${directory.id}/ServiceProviderConfig`, { headers: { Authorization: `Bearer ${token}` } });
      try {
        expect((await scim()).status).toBe(200);

        await proxy.stall();
        // Let the pool see its dropped connections go, so the next query has to connect anew.
        await new Promise((resolve) => setTimeout(resolve, 200));
        const stalledAt = performance.now();
        const down = await scim();
        const waited = performance.now() - stalledAt;
        expect(down.status).toBe(503);
        expect(down.headers.get('retry-after')).toBe('5');
        expect(((await down.json()) as { status: string }).status).toBe('503');
        expect(waited).toBeGreaterThanOrEqual(900);
        expect(waited).toBeLessThan(3_000);

        await proxy.open();
        expect((await scim()).status).toBe(200);
      } finally {
        await handle.close();
        await proxy.close();
      }
    },
  );
});
