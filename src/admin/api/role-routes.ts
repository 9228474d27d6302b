/**
 * An organization's roles: the four built-in ones and custom ones made from the permission
 * catalogue. Every rule is the domain verb's; these handlers only parse, call one verb and shape
 * the answer.
 */
import { createRoute, z } from '@hono/zod-openapi';
import { createRole, deleteRole, enterOrganization, listRoles, updateRole } from '../../directory/index.ts';
import { roleJson } from '../access-operations.ts';
import type { AdminApi } from './env.ts';
import { jsonContent, OrgParams, problemResponses, Timestamp } from './schemas.ts';

const RoleKey = z.string().openapi({ example: 'agent' });
const Permissions = z.array(z.string().openapi({ example: 'tickets.delete' }));

export const RoleSchema = z
  .object({
    key: RoleKey.openapi({ description: "What members' `role` and the ID token's `role` claim hold" }),
    name: z.string(),
    description: z.string().nullable(),
    builtin: z.boolean().openapi({ description: 'owner, admin, member and viewer are built in: defined by Roster, not edited' }),
    permissions: Permissions.openapi({
      description: "What holders may do, in catalogue order: built-in roles resolved over the whole catalogue (an owner holds the app's permissions too), custom roles what they list",
    }),
    members: z.number().int().openapi({ description: 'Members holding the role, whatever their status' }),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  })
  .openapi('Role');

const RoleParams = OrgParams.extend({ key: RoleKey.openapi({ param: { name: 'key', in: 'path' }, description: "The role's key" }) });

const json = <T extends z.ZodType>(schema: T) => ({ body: { content: { 'application/json': { schema } }, required: true } });

const PERMISSION_RULES =
  'Each permission must be in the catalogue (`GET /permissions`: Roster\'s own and the app\'s registered ones), never `billing.manage` (only owners change billing); a member may only grant permissions they hold themselves (403).';

const listRoute = createRoute({
  method: 'get',
  path: '/organizations/{slug}/roles',
  tags: ['roles'],
  summary: "List an organization's roles",
  description: 'Built-in roles first (owner, admin, member, viewer), then custom roles by key, each with its effective permissions and how many members hold it. Any member of the organization may read; an app needs `roles:read`.',
  request: { params: OrgParams },
  responses: { 200: jsonContent(z.object({ data: z.array(RoleSchema) }), 'The roles'), ...problemResponses() },
});

const createRoleRoute = createRoute({
  method: 'post',
  path: '/organizations/{slug}/roles',
  tags: ['roles'],
  summary: 'Create a custom role',
  description: `Needs \`roles.assign\`. The key is lowercase (\`^[a-z][a-z0-9_-]{0,62}$\`) and not a built-in role's; a key the organization has already is a 409. ${PERMISSION_RULES}`,
  request: {
    params: OrgParams,
    ...json(
      z
        .object({
          key: RoleKey.max(63),
          name: z.string().max(100).openapi({ example: 'Agent' }),
          description: z.string().max(500).optional(),
          permissions: Permissions.max(200).default([]),
        })
        .strict(),
    ),
  },
  responses: { 201: jsonContent(RoleSchema, 'The role'), ...problemResponses(409) },
});

const updateRoleRoute = createRoute({
  method: 'patch',
  path: '/organizations/{slug}/roles/{key}',
  tags: ['roles'],
  summary: 'Edit a custom role',
  description: `Fields left out stay as they are; \`permissions\` replaces the list. Needs \`roles.assign\`. Built-in roles cannot be edited (412). ${PERMISSION_RULES} Members holding the role get its new permissions in their next token.`,
  request: {
    params: RoleParams,
    ...json(
      z
        .object({
          name: z.string().max(100).optional(),
          description: z.string().max(500).nullable().optional().openapi({ description: 'null or "" clears it' }),
          permissions: Permissions.max(200).optional(),
        })
        .strict(),
    ),
  },
  responses: { 200: jsonContent(RoleSchema, 'The role as it is now'), ...problemResponses(412) },
});

const deleteRoleRoute = createRoute({
  method: 'delete',
  path: '/organizations/{slug}/roles/{key}',
  tags: ['roles'],
  summary: 'Delete a custom role',
  description: 'Needs `roles.assign`. Built-in roles cannot be deleted (412); a role members hold is refused with 409 saying how many (`members`): give them another role first.',
  request: { params: RoleParams },
  responses: { 200: jsonContent(RoleSchema, 'The role, now deleted'), ...problemResponses(409, 412) },
});

export function registerRoleRoutes(api: AdminApi): void {
  api.openapi(listRoute, async (c) => {
    const ctx = await enterOrganization(c.get('ctx'), c.req.valid('param').slug);
    return c.json({ data: (await listRoles(ctx)).map(roleJson) }, 200);
  });

  api.openapi(createRoleRoute, async (c) => {
    const ctx = await enterOrganization(c.get('ctx'), c.req.valid('param').slug);
    return c.json(roleJson(await createRole(ctx, c.req.valid('json'))), 201);
  });

  api.openapi(updateRoleRoute, async (c) => {
    const { slug, key } = c.req.valid('param');
    return c.json(roleJson(await updateRole(await enterOrganization(c.get('ctx'), slug), key, c.req.valid('json'))), 200);
  });

  api.openapi(deleteRoleRoute, async (c) => {
    const { slug, key } = c.req.valid('param');
    return c.json(roleJson(await deleteRole(await enterOrganization(c.get('ctx'), slug), key)), 200);
  });
}
