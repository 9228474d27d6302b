import { once } from 'node:events';
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { describe, expect, it } from 'vitest';
import { revokeScimToken } from '../../src/directory/index.ts';
import { testDatabaseKind, useTestDatabase } from '../support/database.ts';
import { createTestDirectory } from '../support/factories.ts';
import { buildTestApp, TEST_PUBLIC_URL } from '../support/app.ts';

const database = useTestDatabase();
const SCIM_ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';

async function scimJson(response: Response) {
  expect(response.headers.get('content-type')).toMatch(/^application\/scim\+json/);
  return (await response.json()) as Record<string, unknown>;
}

describe(`SCIM bearer authentication on ${testDatabaseKind}`, () => {
  it('admits a directory token to its own directory', async () => {
    const { app } = buildTestApp(database.handle);
    const { directory, token } = await createTestDirectory(database.handle);
    const response = await app.request(`/scim/v2/${directory.id}/ServiceProviderConfig`, {
      headers: { Authorization: `Bearer ${token}` },
    });
    expect(response.status).toBe(200);
    const body = await scimJson(response);
    expect(body).toMatchObject({
      schemas: expect.arrayContaining(['urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig']),
      authenticationSchemes: [{ type: 'oauthbearertoken', primary: true }],
      meta: { resourceType: 'ServiceProviderConfig', location: `${TEST_PUBLIC_URL}/scim/v2/${directory.id}/ServiceProviderConfig` },
    });
    expect(response.headers.get('x-request-id')).toMatch(/.+/);
  });

  it.each([
    ['no Authorization header', undefined, 'authentication required', 'Bearer realm="scim"'],
    ['an empty header', '', 'authentication required', 'Bearer realm="scim"'],
    ['Basic credentials', 'Basic dXNlcjpwYXNz', 'malformed Authorization header', 'Bearer realm="scim", error="invalid_request"'],
    ['a bearer with spaces inside', 'Bearer a b', 'malformed Authorization header', 'Bearer realm="scim", error="invalid_request"'],
    ['an unknown token', 'Bearer rst_scim_unknown', 'not valid for this directory', 'Bearer realm="scim", error="invalid_token"'],
  ])('answers 401 with a SCIM error for %s', async (_case, header, detail, challenge) => {
    const { app } = buildTestApp(database.handle);
    const { directory } = await createTestDirectory(database.handle);
    const response = await app.request(`/scim/v2/${directory.id}/ServiceProviderConfig`, {
      headers: header === undefined ? {} : { Authorization: header },
    });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe(challenge);
    const body = await scimJson(response);
    expect(body.schemas).toEqual([SCIM_ERROR]);
    expect(body.status).toBe('401');
    expect(body.detail).toContain(detail);
  });

  it("refuses another directory's token, even within one organization, and a revoked one", async () => {
    const { app } = buildTestApp(database.handle);
    const a = await createTestDirectory(database.handle);
    const b = await createTestDirectory(database.handle);
    const cross = await app.request(`/scim/v2/${b.directory.id}/ServiceProviderConfig`, {
      headers: { Authorization: `Bearer ${a.token}` },
    });
    expect(cross.status).toBe(401);

    await revokeScimToken(a.org, { directoryId: a.directory.id, tokenId: a.tokenId });
    const revoked = await app.request(`/scim/v2/${a.directory.id}/ServiceProviderConfig`, {
      headers: { Authorization: `Bearer ${a.token}` },
    });
    expect(revoked.status).toBe(401);
    expect((await scimJson(revoked)).detail).toContain('not valid for this directory');
  });

  it('answers 401 for an unknown or malformed directory id, so ids cannot be probed', async () => {
    const { app } = buildTestApp(database.handle);
    const { token } = await createTestDirectory(database.handle);
    for (const id of ['00000000-0000-7000-8000-000000000000', 'not-a-uuid']) {
      const response = await app.request(`/scim/v2/${id}/Users`, { headers: { Authorization: `Bearer ${token}` } });
      expect(response.status).toBe(401);
    }
  });

  it('answers unknown SCIM routes with a SCIM 404 once authenticated', async () => {
    const { app } = buildTestApp(database.handle);
    const { directory, token } = await createTestDirectory(database.handle);
    const response = await app.request(`/scim/v2/${directory.id}/Nope`, { headers: { Authorization: `Bearer ${token}` } });
    expect(response.status).toBe(404);
    expect(await scimJson(response)).toMatchObject({ schemas: [SCIM_ERROR], status: '404' });
    const root = await app.request('/scim/v2');
    expect(root.status).toBe(404);
    expect((await scimJson(root)).status).toBe('404');
  });

  it('answers an oversized body with a SCIM 413 before reading it all', async () => {
    const { app } = buildTestApp(database.handle, { MAX_BODY_BYTES: '2048' });
    const { directory, token } = await createTestDirectory(database.handle);
    const response = await app.request(`/scim/v2/${directory.id}/Users`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/scim+json' },
      body: JSON.stringify({ userName: 'x'.repeat(4096) }),
    });
    expect(response.status).toBe(413);
    expect(await scimJson(response)).toMatchObject({ status: '413', detail: 'request body exceeds the limit of 2048 bytes' });
  });

  it('enforces the body limit over a real socket, for a declared Content-Length and for a chunked body alike', async () => {
    const { app } = buildTestApp(database.handle, { MAX_BODY_BYTES: '2048' });
    const { directory, token } = await createTestDirectory(database.handle);
    const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    const post = (body: string, chunked: boolean) =>
      new Promise<{ status: number; body: Record<string, unknown> }>((resolve, reject) => {
        const req = request(
          {
            host: '127.0.0.1',
            port,
            method: 'POST',
            path: `/scim/v2/${directory.id}/Users`,
            headers: {
              Authorization: `Bearer ${token}`,
              'Content-Type': 'application/scim+json',
              ...(chunked ? { 'Transfer-Encoding': 'chunked' } : { 'Content-Length': String(Buffer.byteLength(body)) }),
            },
          },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (chunk: Buffer) => chunks.push(chunk));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString()) as Record<string, unknown> }));
          },
        );
        req.on('error', reject);
        // Two writes, so that a chunked body really arrives in chunks.
        req.write(body.slice(0, 100));
        req.end(body.slice(100));
      });
    try {
      const user = (userName: string) => JSON.stringify({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName });
      for (const chunked of [false, true]) {
        const tooLarge = await post(user('x'.repeat(4096)), chunked);
        expect(tooLarge).toEqual({ status: 413, body: expect.objectContaining({ status: '413', detail: 'request body exceeds the limit of 2048 bytes' }) });
        const fits = await post(user(`${chunked ? 'chunked' : 'declared'}-${'y'.repeat(1800)}`), chunked);
        expect(fits.status).toBe(201);
      }
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('never writes a token into the logs', async () => {
    const { app, logs } = buildTestApp(database.handle);
    const { directory, token } = await createTestDirectory(database.handle);
    await app.request(`/scim/v2/${directory.id}/ServiceProviderConfig?x=${token}`, { headers: { Authorization: `Bearer ${token}` } });
    await app.request(`/scim/v2/${directory.id}/ServiceProviderConfig`, { headers: { Authorization: `Bearer ${token}x` } });
    expect(logs.length).toBeGreaterThanOrEqual(2);
    for (const line of logs) {
      expect(line).not.toContain(token);
      const entry = JSON.parse(line) as Record<string, unknown>;
      expect(entry).toMatchObject({ service: 'roster', msg: 'request' });
    }
  });
});

describe(`health endpoints on ${testDatabaseKind}`, () => {
  it('reports liveness and readiness with migrations applied', async () => {
    const { app } = buildTestApp(database.handle);
    expect(await (await app.request('/healthz')).json()).toEqual({ status: 'ok' });
    const ready = await app.request('/readyz');
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready', database: testDatabaseKind });
  });

  it('answers JSON 404 for unknown routes', async () => {
    const { app } = buildTestApp(database.handle);
    const response = await app.request('/nope');
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ error: { code: 'not_found', message: 'no route for GET /nope' } });
  });
});
