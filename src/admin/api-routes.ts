/**
 * The admin API, authenticated with operator API keys (`roster api-key create`). It grows with the
 * admin console; today it lists organizations, their directories and each directory's SCIM request
 * log, and deletes a directory.
 */
import { Hono } from 'hono';
import type { Database } from '../db/index.ts';
import {
  authenticateApiKey,
  deleteDirectory,
  enterOrganization,
  listDirectories,
  listOrganizations,
  listRequests,
  type Actor,
} from '../directory/index.ts';
import { DomainError } from '../errors.ts';
import { readBearer } from '../http/index.ts';
import { jsonError, jsonErrorFor } from '../http/index.ts';
import { deletedDirectoryJson } from './operations.ts';
import { loggedRequestJson, parseBefore } from './request-log-json.ts';

type AdminVariables = { actor: Actor };

export function adminApiRoutes(options: { db: Database; publicUrl: string }): Hono<{ Variables: AdminVariables }> {
  const api = new Hono<{ Variables: AdminVariables }>();

  api.use('*', async (c, next) => {
    const bearer = readBearer(c.req.header('Authorization'));
    if (!bearer.ok) {
      c.header('WWW-Authenticate', 'Bearer realm="admin"');
      return jsonError(c, 401, 'unauthenticated', bearer.reason === 'missing' ? 'API key required' : 'malformed Authorization header');
    }
    const key = await authenticateApiKey(options.db, bearer.token);
    if (!key) {
      c.header('WWW-Authenticate', 'Bearer realm="admin", error="invalid_token"');
      return jsonError(c, 401, 'unauthenticated', 'invalid or revoked API key');
    }
    c.set('actor', { type: 'api_key', id: key.id });
    await next();
  });

  api.get('/organizations', async (c) => {
    const orgs = await listOrganizations({ db: options.db, actor: c.get('actor') });
    return c.json({ data: orgs.map((o) => ({ id: o.id, slug: o.slug, name: o.name, createdAt: o.createdAt.toISOString() })) });
  });

  api.get('/organizations/:slug/directories', async (c) => {
    const ctx = await enterOrganization({ db: options.db, actor: c.get('actor') }, c.req.param('slug'));
    const dirs = await listDirectories(ctx);
    return c.json({
      data: dirs.map((d) => ({
        id: d.id,
        name: d.name,
        provider: d.provider,
        scimBaseUrl: `${options.publicUrl}/scim/v2/${d.id}`,
        liveTokens: d.liveTokens,
        lastRequestAt: d.lastRequestAt?.toISOString() ?? null,
        createdAt: d.createdAt.toISOString(),
      })),
    });
  });

  // 200 with what went, rather than 204: how many users and groups a deletion took is worth seeing.
  api.delete('/organizations/:slug/directories/:id', async (c) => {
    const ctx = await enterOrganization({ db: options.db, actor: c.get('actor') }, c.req.param('slug'));
    return c.json(deletedDirectoryJson(await deleteDirectory(ctx, { directoryId: c.req.param('id') })));
  });

  api.get('/organizations/:slug/directories/:id/requests', async (c) => {
    const ctx = await enterOrganization({ db: options.db, actor: c.get('actor') }, c.req.param('slug'));
    const entries = await listRequests(ctx, {
      directoryId: c.req.param('id'),
      failedOnly: booleanParam('failed', c.req.query('failed')),
      limit: integerParam('limit', c.req.query('limit')) ?? 50,
      before: parseBefore(c.req.query('before')),
    });
    return c.json({ data: entries.map(loggedRequestJson) });
  });

  api.all('*', (c) => jsonError(c, 404, 'not_found', `no admin API endpoint at ${c.req.method} ${c.req.path}`));
  api.onError((error, c) => jsonErrorFor(c, error));
  return api;
}

function booleanParam(name: string, raw: string | undefined): boolean {
  if (raw === undefined || raw === '' || raw === 'false') return false;
  if (raw === 'true') return true;
  throw new DomainError('invalid_input', `${name} must be true or false (got "${raw}")`, { details: { field: name } });
}

function integerParam(name: string, raw: string | undefined): number | undefined {
  if (raw === undefined || raw === '') return undefined;
  if (!/^\d{1,9}$/.test(raw)) {
    throw new DomainError('invalid_input', `${name} must be a whole number (got "${raw}")`, { details: { field: name } });
  }
  return Number(raw);
}
