/** Organizations as the admin API shows them: operators and apps see all, a member their own. */
import { createRoute, z } from '@hono/zod-openapi';
import { listOrganizations } from '../../directory/index.ts';
import type { AdminApi } from './env.ts';
import { jsonContent, problemResponses, Timestamp } from './schemas.ts';

export const OrganizationSchema = z
  .object({ id: z.string().uuid(), slug: z.string(), name: z.string(), createdAt: Timestamp })
  .openapi('Organization');

const listOrganizationsRoute = createRoute({
  method: 'get',
  path: '/organizations',
  tags: ['organizations'],
  summary: 'List organizations',
  description: 'Operators and apps see every organization; a member with a console session sees their own.',
  responses: { 200: jsonContent(z.object({ data: z.array(OrganizationSchema) }), 'The organizations, by slug'), ...problemResponses() },
});

export function registerOrganizationRoutes(api: AdminApi): void {
  api.openapi(listOrganizationsRoute, async (c) => {
    const actor = c.get('actor');
    const all = await listOrganizations(c.get('ctx'));
    const visible = actor.type === 'member' ? all.filter((o) => o.id === actor.organizationId) : all;
    return c.json({ data: visible.map((o) => ({ id: o.id, slug: o.slug, name: o.name, createdAt: o.createdAt.toISOString() })) }, 200);
  });
}
