/** One organization's settings: its seat limit and how long its invitations last. */
import { createRoute, z } from '@hono/zod-openapi';
import {
  enterOrganization,
  getOrganizationSettings,
  MAX_INVITATION_TTL_HOURS,
  MAX_SEAT_LIMIT,
  MIN_INVITATION_TTL_HOURS,
  updateOrganizationSettings,
} from '../../directory/index.ts';
import type { AdminApi } from './env.ts';
import { jsonContent, OrgParams, problemResponses } from './schemas.ts';

const SettingsFields = {
  slug: z.string(),
  name: z.string(),
  seatLimit: z.number().int().nullable().openapi({ description: 'Seats (active members and live invitations) it may use; null is unlimited' }),
  seatsUsed: z.number().int().openapi({ description: 'Active members and invited members with a live invitation' }),
  invitationTtlHours: z.number().int().openapi({ description: 'How long an invitation link stays valid, in hours' }),
};

const SettingsSchema = z.object(SettingsFields).openapi('OrganizationSettings');

const getRoute = createRoute({
  method: 'get',
  path: '/organizations/{slug}',
  tags: ['organizations'],
  summary: "Read an organization's settings and seat usage",
  description: 'Any member of the organization may read them; an app needs `members:read`.',
  request: { params: OrgParams },
  responses: { 200: jsonContent(SettingsSchema, 'The settings'), ...problemResponses() },
});

const updateRoute = createRoute({
  method: 'patch',
  path: '/organizations/{slug}',
  tags: ['organizations'],
  summary: "Change an organization's seat limit or invitation lifetime",
  description:
    'Fields left out stay as they are. The seat limit needs `billing.manage` (owners) or an operator; a limit below the seats in use is accepted (nobody loses their seat, but no new seat is taken until usage falls below it) and `warnings` says so. The invitation lifetime needs `members.manage` and applies to invitations sent from now on.',
  request: {
    params: OrgParams,
    body: {
      required: true,
      content: {
        'application/json': {
          schema: z
            .object({
              seatLimit: z.number().int().min(0).max(MAX_SEAT_LIMIT).nullable().optional().openapi({ description: 'null: unlimited' }),
              invitationTtlHours: z.number().int().min(MIN_INVITATION_TTL_HOURS).max(MAX_INVITATION_TTL_HOURS).optional(),
            })
            .strict(),
        },
      },
    },
  },
  responses: {
    200: jsonContent(
      z.object({ ...SettingsFields, warnings: z.array(z.string()).openapi({ description: 'What the change means beyond itself, e.g. a limit below usage' }) }),
      'The settings as they are now',
    ),
    ...problemResponses(),
  },
});

export function registerOrganizationSettingsRoutes(api: AdminApi): void {
  api.openapi(getRoute, async (c) => {
    const ctx = await enterOrganization(c.get('ctx'), c.req.valid('param').slug);
    return c.json(await getOrganizationSettings(ctx), 200);
  });

  api.openapi(updateRoute, async (c) => {
    const ctx = await enterOrganization(c.get('ctx'), c.req.valid('param').slug);
    return c.json(await updateOrganizationSettings(ctx, c.req.valid('json')), 200);
  });
}
