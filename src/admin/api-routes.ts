/**
 * The admin API, authenticated with operator API keys (`roster api-key create`). It grows with the
 * admin console; today it lists organizations, their directories and each directory's SCIM request
 * log, and deletes a directory; it creates and lists SSO connections, domains and apps, lists
 * members and the sign-in log, and deactivates members. Each route calls the same function as the
 * CLI's command of the same name, so both answer with the same JSON.
 */
import { Hono, type Context } from 'hono';
import type { AdminApiDeps, AdminEnv } from './api/index.ts';
import {
  deleteDirectory,
  enterOrganization,
  listDirectories,
  listRequests,
} from '../directory/index.ts';
import { DomainError } from '../errors.ts';
import { deletedDirectoryJson } from './operations.ts';
import { loggedRequestJson, parseBefore } from './request-log-json.ts';
import {
  addDomain,
  appCreateInput,
  connectionCreateInput,
  connectionUpdateInput,
  updateConnection,
  createAppClient,
  createConnection,
  deactivateMemberJson,
  domainAddInput,
  listAppClients,
  listConnections,
  listDomains,
  listMembersJson,
  listSignInsJson,
  MAX_SIGN_IN_PAGE,
  parseInput,
} from './sso-operations.ts';

type AdminVariables = AdminEnv['Variables'];

export function adminApiRoutes(options: AdminApiDeps): Hono<{ Variables: AdminVariables }> {
  const api = new Hono<{ Variables: AdminVariables }>();
  const orgContext = (c: Context<{ Variables: AdminVariables }>) =>
    enterOrganization({ db: options.db, actor: c.get('actor') }, c.req.param('slug') ?? '');

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

  api.post('/organizations/:slug/connections', async (c) => {
    const ctx = await orgContext(c);
    const input = parseInput(connectionCreateInput, await jsonBody(c));
    return c.json(await createConnection(ctx, options, input), 201);
  });

  api.patch('/organizations/:slug/connections/:id', async (c) => {
    const ctx = await orgContext(c);
    const body = parseInput(connectionUpdateInput.omit({ id: true }), await jsonBody(c));
    return c.json(await updateConnection(ctx, options.publicUrl, { ...body, id: c.req.param('id') }));
  });

  api.get('/organizations/:slug/connections', async (c) => {
    return c.json({ data: await listConnections(await orgContext(c), options.publicUrl) });
  });

  api.post('/organizations/:slug/domains', async (c) => {
    const ctx = await orgContext(c);
    const input = parseInput(domainAddInput, await jsonBody(c));
    return c.json(await addDomain(ctx, input), 201);
  });

  api.get('/organizations/:slug/domains', async (c) => c.json({ data: await listDomains(await orgContext(c)) }));

  api.get('/organizations/:slug/members', async (c) => c.json({ data: await listMembersJson(await orgContext(c)) }));

  // 200 rather than 204: how many sessions ended and how many apps are told is worth seeing.
  api.post('/organizations/:slug/members/:id/deactivate', async (c) => {
    return c.json(await deactivateMemberJson(await orgContext(c), c.req.param('id')));
  });

  api.get('/organizations/:slug/sign-ins', async (c) => {
    const ctx = await orgContext(c);
    const limit = integerParam('limit', c.req.query('limit'));
    if (limit !== undefined && (limit < 1 || limit > MAX_SIGN_IN_PAGE)) {
      throw new DomainError('invalid_input', `limit must be 1 to ${MAX_SIGN_IN_PAGE} (got ${limit})`, { details: { field: 'limit' } });
    }
    return c.json({ data: await listSignInsJson(ctx, limit) });
  });

  api.post('/apps', async (c) => {
    const input = parseInput(appCreateInput, await jsonBody(c));
    return c.json(await createAppClient(options.db, options, c.get('actor'), input), 201);
  });

  api.get('/apps', async (c) => c.json({ data: await listAppClients(options.db) }));

  return api;
}

/** The request body as JSON; anything else is invalid input (read only after authentication). */
async function jsonBody(c: Context): Promise<unknown> {
  try {
    return await c.req.json();
  } catch {
    throw new DomainError('invalid_input', 'the body must be a JSON object');
  }
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
