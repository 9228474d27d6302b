/**
 * The admin API at /api/v1: JSON over HTTP, described by the OpenAPI 3.1 document at
 * /api/v1/openapi.json, generated from the same zod schemas that validate each request. Errors are
 * RFC 9457 problem details. Each area registers its routes from its own file.
 */
import { OpenAPIHono } from '@hono/zod-openapi';
import { APP_READ_SCOPES } from '../../directory/index.ts';
import { adminAuthentication } from './auth.ts';
import type { AdminApi, AdminApiDeps, AdminEnv } from './env.ts';
import { problem, problemFor, type ProblemField } from './problem.ts';
import { registerRoutes } from './routes.ts';

export const API_VERSION = '1.0.0';

export function createAdminApi(deps: AdminApiDeps): AdminApi {
  const api = new OpenAPIHono<AdminEnv>({
    // A request that fails its schema: one 400 naming every bad field.
    defaultHook: (result, c) => {
      if (result.success) return;
      const errors: ProblemField[] = result.error.issues.map((issue) => ({
        field: [result.target === 'json' ? '' : result.target, ...issue.path.map(String)].filter(Boolean).join('.') || result.target,
        message: issue.message,
      }));
      const summary = errors.map((e) => `${e.field}: ${e.message}`).join('; ');
      return problem(c, 400, 'invalid_input', `invalid ${result.target === 'json' ? 'body' : result.target}: ${summary}`, { errors });
    },
  });

  api.openAPIRegistry.registerComponent('securitySchemes', 'operatorKey', {
    type: 'http',
    scheme: 'bearer',
    description: 'An operator API key (`roster api-key create`): every organization, every action.',
  });
  api.openAPIRegistry.registerComponent('securitySchemes', 'appToken', {
    type: 'oauth2',
    description: "The app's access token from Roster's OpenID Provider (client credentials): read-only, by scope.",
    flows: {
      clientCredentials: {
        tokenUrl: `${deps.publicUrl}/oauth2/token`,
        scopes: Object.fromEntries(Object.entries(APP_READ_SCOPES).map(([what, scope]) => [scope, `read ${what}`])),
      },
    },
  });
  api.openAPIRegistry.registerComponent('securitySchemes', 'consoleSession', {
    type: 'apiKey',
    in: 'cookie',
    name: 'roster_console',
    description: "A member's console session: their organization, their role's permissions.",
  });

  api.doc31('/openapi.json', {
    openapi: '3.1.0',
    info: {
      title: 'Roster admin API',
      version: API_VERSION,
      description: 'Members, roles, teams, invitations, SSO and directories of each organization. Errors are RFC 9457 problem details.',
    },
    servers: [{ url: `${deps.publicUrl}/api/v1` }],
    security: [{ operatorKey: [] }, { appToken: [] }, { consoleSession: [] }],
  });

  api.use('*', adminAuthentication(deps));
  registerRoutes(api, deps);

  api.notFound((c) => problem(c, 404, 'not_found', `no admin API endpoint at ${c.req.method} ${c.req.path}`));
  api.onError((error, c) => problemFor(c, error));
  return api;
}
