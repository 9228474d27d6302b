/**
 * The permission catalogue: Roster's own permissions and the ones the app registers, which custom
 * roles are made from. One catalogue for every organization, so only operators change it.
 */
import { createRoute, z } from '@hono/zod-openapi';
import { listPermissions, registerAppPermission, unregisterAppPermission } from '../../directory/index.ts';
import { permissionJson, registeredPermissionJson } from '../access-operations.ts';
import type { AdminApi } from './env.ts';
import { jsonContent, problemResponses } from './schemas.ts';

const PermissionKey = z.string().openapi({ example: 'tickets.delete' });

export const PermissionSchema = z
  .object({
    key: PermissionKey,
    description: z.string().nullable(),
    source: z.enum(['roster', 'app']).openapi({ description: "`roster`: one of Roster's own; `app`: registered by the app" }),
  })
  .openapi('Permission');

const RegisteredPermissionSchema = PermissionSchema.extend({
  created: z.boolean().openapi({ description: 'Whether this request added it to the catalogue (false: it was registered already)' }),
}).openapi('RegisteredPermission');

const KeyParams = z.object({ key: PermissionKey.openapi({ param: { name: 'key', in: 'path' }, description: 'An app permission key' }) });

const listRoute = createRoute({
  method: 'get',
  path: '/permissions',
  tags: ['roles'],
  summary: 'List the permission catalogue',
  description: "Roster's own permissions in their fixed order, then the app's registered ones by key. Any authenticated caller may read it.",
  responses: { 200: jsonContent(z.object({ data: z.array(PermissionSchema) }), 'The catalogue'), ...problemResponses() },
});

const registerRoute = createRoute({
  method: 'post',
  path: '/permissions',
  tags: ['roles'],
  summary: 'Register an app permission',
  description:
    "Idempotent, so the app may register its permissions at every start: registering a key again changes only its description (a description left out keeps the registered one). Keys are lowercase segments joined by `.` or `:` (e.g. `tickets.delete`) and may not be one of Roster's own (409). Operators only: members and apps get 403. Answers 201 when the permission is new, 200 otherwise.",
  request: {
    body: {
      required: true,
      content: {
        'application/json': {
          schema: z
            .object({
              key: PermissionKey.max(100),
              description: z.string().max(500).optional().openapi({ example: 'Delete tickets' }),
            })
            .strict(),
        },
      },
    },
  },
  responses: {
    201: jsonContent(RegisteredPermissionSchema, 'Registered'),
    200: jsonContent(RegisteredPermissionSchema, 'Registered already; the description is as it is now'),
    ...problemResponses(409),
  },
});

const unregisterRoute = createRoute({
  method: 'delete',
  path: '/permissions/{key}',
  tags: ['roles'],
  summary: 'Unregister an app permission',
  description:
    "Refused with 409 while a custom role of any organization grants it: the problem names those roles (`roles`), which must drop it first. Roster's own permissions cannot be unregistered (400). Operators only.",
  request: { params: KeyParams },
  responses: { 200: jsonContent(PermissionSchema, 'The permission, now gone from the catalogue'), ...problemResponses(409) },
});

export function registerPermissionRoutes(api: AdminApi): void {
  api.openapi(listRoute, async (c) => c.json({ data: (await listPermissions(c.get('ctx'))).map(permissionJson) }, 200));

  api.openapi(registerRoute, async (c) => {
    const registered = await registerAppPermission(c.get('ctx'), c.req.valid('json'));
    return registered.created ? c.json(registeredPermissionJson(registered), 201) : c.json(registeredPermissionJson(registered), 200);
  });

  api.openapi(unregisterRoute, async (c) => c.json(permissionJson(await unregisterAppPermission(c.get('ctx'), { key: c.req.valid('param').key })), 200));
}
