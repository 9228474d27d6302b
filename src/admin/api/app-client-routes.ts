/** The apps registered at Roster's OpenID Provider: operators only (they are not an organization's). */
import { createRoute, z } from '@hono/zod-openapi';
import { requireOperator } from '../../directory/index.ts';
import { appCreateInput, createAppClient, listAppClients } from '../sso-operations.ts';
import type { AdminApi, AdminApiDeps } from './env.ts';
import { jsonContent, problemResponses, Timestamp } from './schemas.ts';

const AppSchema = z
  .object({
    clientId: z.string(),
    name: z.string(),
    redirectUris: z.array(z.string()),
    postLogoutRedirectUris: z.array(z.string()),
    backchannelLogoutUri: z.string().nullable(),
    initiateLoginUri: z.string().nullable(),
    createdAt: Timestamp,
  })
  .openapi('App');

const createAppRoute = createRoute({
  method: 'post',
  path: '/apps',
  tags: ['apps'],
  summary: 'Register an app at Roster’s OpenID Provider',
  description: 'Answers its client credentials, the secret shown this once. Operators only.',
  request: { body: { content: { 'application/json': { schema: appCreateInput.strict() } }, required: true } },
  responses: {
    201: jsonContent(z.object({ clientId: z.string(), clientSecret: z.string(), issuer: z.string() }).openapi('AppCredentials'), 'The credentials'),
    ...problemResponses(),
  },
});

const listAppsRoute = createRoute({
  method: 'get',
  path: '/apps',
  tags: ['apps'],
  summary: 'List registered apps (without secrets)',
  description: 'Operators only.',
  responses: { 200: jsonContent(z.object({ data: z.array(AppSchema) }), 'The apps'), ...problemResponses() },
});

export function registerAppClientRoutes(api: AdminApi, deps: AdminApiDeps): void {
  api.openapi(createAppRoute, async (c) => {
    requireOperator(c.get('actor'), 'registering an app');
    return c.json(await createAppClient(deps.db, deps, c.get('actor'), c.req.valid('json')), 201);
  });

  api.openapi(listAppsRoute, async (c) => {
    requireOperator(c.get('actor'), 'listing apps');
    return c.json({ data: await listAppClients(deps.db) }, 200);
  });
}
