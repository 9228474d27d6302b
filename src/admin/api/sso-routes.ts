/** SSO of an organization: its connections, its email domains and its sign-in log. */
import { createRoute, z } from '@hono/zod-openapi';
import { enterOrganization } from '../../directory/index.ts';
import {
  addDomain,
  connectionCreateInput,
  connectionUpdateInput,
  createConnection,
  domainAddInput,
  listConnections,
  listDomains,
  listSignInsJson,
  MAX_SIGN_IN_PAGE,
  updateConnection,
} from '../sso-operations.ts';
import type { AdminApi, AdminApiDeps } from './env.ts';
import { jsonContent, OrgParams, problemResponses, SignInSchema, Timestamp } from './schemas.ts';

const ConnectionUrls = {
  spEntityId: z.string().optional().openapi({ description: 'SAML: the entity ID to enter at the IdP' }),
  acsUrl: z.string().optional().openapi({ description: 'SAML: the assertion consumer service URL' }),
  spMetadataUrl: z.string().optional().openapi({ description: "SAML: Roster's service provider metadata" }),
  redirectUri: z.string().optional().openapi({ description: 'OIDC: the redirect URI to register at the IdP' }),
};

const CreatedConnectionSchema = z.object({ id: z.string().uuid(), type: z.enum(['saml', 'oidc']), ...ConnectionUrls }).openapi('CreatedConnection');

const ConnectionSchema = z
  .object({
    id: z.string().uuid(),
    type: z.enum(['saml', 'oidc']),
    name: z.string(),
    preset: z.string().nullable(),
    createdAt: Timestamp,
    mapping: z.record(z.string(), z.unknown()),
    ...ConnectionUrls,
  })
  .openapi('Connection');

const DomainSchema = z
  .object({ id: z.string().uuid(), domain: z.string(), verified: z.boolean(), verifiedAt: Timestamp.nullable(), createdAt: Timestamp.optional() })
  .openapi('Domain');

const json = <T extends z.ZodType>(schema: T) => ({ body: { content: { 'application/json': { schema } }, required: true } });

const createConnectionRoute = createRoute({
  method: 'post',
  path: '/organizations/{slug}/connections',
  tags: ['sso'],
  summary: 'Connect an SAML or OpenID Connect IdP',
  description: 'SAML from metadata (XML or URL) or typed-in fields; OIDC by issuer discovery. Answers the URLs to enter at the IdP. Needs `sso.manage`.',
  request: { params: OrgParams, ...json(connectionCreateInput.strict()) },
  responses: { 201: jsonContent(CreatedConnectionSchema, 'The connection, and what to enter at the IdP'), ...problemResponses(409) },
});

const updateConnectionRoute = createRoute({
  method: 'patch',
  path: '/organizations/{slug}/connections/{id}',
  tags: ['sso'],
  summary: 'Change a connection in place (name, certificates, IdP-initiated sign-in, mapping)',
  description: 'Its URLs and SP key pair stay, so nothing changes at the IdP. Needs `sso.manage`.',
  request: {
    params: OrgParams.extend({ id: z.string().openapi({ param: { name: 'id', in: 'path' } }) }),
    ...json(connectionUpdateInput.omit({ id: true }).strict()),
  },
  responses: { 200: jsonContent(ConnectionSchema, 'The connection as it is now'), ...problemResponses() },
});

const listConnectionsRoute = createRoute({
  method: 'get',
  path: '/organizations/{slug}/connections',
  tags: ['sso'],
  summary: "List an organization's connections (public settings only, never secrets)",
  description: 'Needs `sso.manage` for a member, `directory:read` for an app.',
  request: { params: OrgParams },
  responses: { 200: jsonContent(z.object({ data: z.array(ConnectionSchema) }), 'The connections'), ...problemResponses() },
});

const addDomainRoute = createRoute({
  method: 'post',
  path: '/organizations/{slug}/domains',
  tags: ['sso'],
  summary: 'Add an email domain that routes sign-ins to this organization',
  description: 'Only verified domains route sign-ins. Needs `sso.manage`.',
  request: { params: OrgParams, ...json(domainAddInput.strict()) },
  responses: { 201: jsonContent(DomainSchema, 'The domain'), ...problemResponses(409) },
});

const listDomainsRoute = createRoute({
  method: 'get',
  path: '/organizations/{slug}/domains',
  tags: ['sso'],
  summary: "List an organization's domains",
  request: { params: OrgParams },
  responses: { 200: jsonContent(z.object({ data: z.array(DomainSchema) }), 'The domains'), ...problemResponses() },
});

const listSignInsRoute = createRoute({
  method: 'get',
  path: '/organizations/{slug}/sign-ins',
  tags: ['sso'],
  summary: "Read an organization's sign-in log, newest first",
  description: 'Every attempt, with the reason of each failure. Needs `audit.view` for a member, `audit:read` for an app.',
  request: { params: OrgParams, query: z.object({ limit: z.coerce.number().int().min(1).max(MAX_SIGN_IN_PAGE).optional() }) },
  responses: { 200: jsonContent(z.object({ data: z.array(SignInSchema) }), 'Sign-in attempts'), ...problemResponses() },
});

export function registerSsoRoutes(api: AdminApi, deps: AdminApiDeps): void {
  api.openapi(createConnectionRoute, async (c) => {
    const ctx = await enterOrganization(c.get('ctx'), c.req.valid('param').slug);
    return c.json(await createConnection(ctx, deps, c.req.valid('json')), 201);
  });

  api.openapi(updateConnectionRoute, async (c) => {
    const { slug, id } = c.req.valid('param');
    const ctx = await enterOrganization(c.get('ctx'), slug);
    return c.json(await updateConnection(ctx, deps.publicUrl, { ...c.req.valid('json'), id }), 200);
  });

  api.openapi(listConnectionsRoute, async (c) => {
    const ctx = await enterOrganization(c.get('ctx'), c.req.valid('param').slug);
    return c.json({ data: await listConnections(ctx, deps.publicUrl) }, 200);
  });

  api.openapi(addDomainRoute, async (c) => {
    const ctx = await enterOrganization(c.get('ctx'), c.req.valid('param').slug);
    return c.json(await addDomain(ctx, c.req.valid('json')), 201);
  });

  api.openapi(listDomainsRoute, async (c) => {
    const ctx = await enterOrganization(c.get('ctx'), c.req.valid('param').slug);
    return c.json({ data: await listDomains(ctx) }, 200);
  });

  api.openapi(listSignInsRoute, async (c) => {
    const ctx = await enterOrganization(c.get('ctx'), c.req.valid('param').slug);
    return c.json({ data: await listSignInsJson(ctx, c.req.valid('query').limit) }, 200);
  });
}
