/** The audit log of an organization (pages and CSV export) and its member event feed. */
import { createRoute, z } from '@hono/zod-openapi';
import {
  enterOrganization,
  listAuditEntries,
  listMemberEvents,
  MAX_AUDIT_EXPORT,
  MAX_AUDIT_PAGE,
  MAX_MEMBER_EVENT_PAGE,
  type AuditPosition,
} from '../../directory/index.ts';
import { auditCsv, auditEntryJson, auditFilterOf, memberEventJson } from '../audit-json.ts';
import type { AdminApi } from './env.ts';
import { decodeCursor, encodeCursor, jsonContent, OrgParams, pageOf, problemResponses, Timestamp } from './schemas.ts';

const Actor = z.object({ type: z.string().openapi({ example: 'member' }), id: z.string() });

const AuditEntrySchema = z
  .object({
    id: z.string().uuid(),
    time: Timestamp,
    actor: Actor.openapi({ description: 'member, api_key (operator key), operator (the CLI), scim (a directory), connection, app or system' }),
    action: z.string().openapi({ example: 'member.role_changed' }),
    target: z.object({ type: z.string(), id: z.string() }),
    before: z.record(z.string(), z.unknown()).nullable().openapi({ description: "The target's changed fields before the change" }),
    after: z.record(z.string(), z.unknown()).nullable().openapi({ description: "The target's changed fields after the change" }),
    details: z.record(z.string(), z.unknown()),
  })
  .openapi('AuditEntry');

const MemberEventSchema = z
  .object({
    id: z.string().uuid(),
    type: z.string().openapi({ example: 'member.deactivated' }),
    memberId: z.string().uuid(),
    data: z.record(z.string(), z.unknown()),
    actor: Actor,
    time: Timestamp,
  })
  .openapi('MemberEvent');

const AuditQuery = z.object({
  actor: z.string().optional().openapi({ description: "An actor's id (member id, API key id, directory id, connection id, `cli`)" }),
  actorType: z.string().optional(),
  action: z.string().optional().openapi({ description: 'An action, or a family of them: `member.*`' }),
  target: z.string().optional().openapi({ description: "A target's id (e.g. a member id)" }),
  targetType: z.string().optional(),
  since: z.string().optional().openapi({ description: 'From this ISO 8601 time on (inclusive)' }),
  until: z.string().optional().openapi({ description: 'Before this ISO 8601 time (exclusive)' }),
});

const isPosition = (v: unknown): v is AuditPosition =>
  typeof v === 'object' && v !== null && typeof (v as AuditPosition).createdAt === 'string' && typeof (v as AuditPosition).id === 'string';

const listRoute = createRoute({
  method: 'get',
  path: '/organizations/{slug}/audit-log',
  tags: ['audit'],
  summary: "Read an organization's audit log, newest first",
  description: 'Every change with its actor, action, target, before/after and time; filters combine. Needs `audit.view` for a member, `audit:read` for an app.',
  request: {
    params: OrgParams,
    query: AuditQuery.extend({
      limit: z.coerce.number().int().min(1).max(MAX_AUDIT_PAGE).default(50),
      cursor: z.string().optional().openapi({ description: 'The `nextCursor` of the previous page' }),
    }),
  },
  responses: { 200: jsonContent(pageOf(AuditEntrySchema), 'A page of entries'), ...problemResponses() },
});

const exportRoute = createRoute({
  method: 'get',
  path: '/organizations/{slug}/audit-log/export',
  tags: ['audit'],
  summary: 'Export the audit log as CSV',
  description: `The same filters as the list, newest first, at most ${MAX_AUDIT_EXPORT} entries (narrow the time range for more). Columns: time, actor_type, actor_id, action, target_type, target_id, before, after, details (JSON), id.`,
  request: { params: OrgParams, query: AuditQuery },
  responses: { 200: { description: 'CSV with a header row', content: { 'text/csv': { schema: z.string() } } }, ...problemResponses() },
});

const eventsRoute = createRoute({
  method: 'get',
  path: '/organizations/{slug}/member-events',
  tags: ['audit'],
  summary: "Read an organization's member event feed, oldest first",
  description:
    'One ordered feed per organization: member.invited, member.joined, member.updated, member.role_changed, member.teams_changed, member.deactivated, member.reactivated, member.removed. Resume with `after` = the last event id read.',
  request: {
    params: OrgParams,
    query: z.object({ after: z.string().optional(), limit: z.coerce.number().int().min(1).max(MAX_MEMBER_EVENT_PAGE).default(100) }),
  },
  responses: { 200: jsonContent(z.object({ data: z.array(MemberEventSchema) }), 'Events after `after`'), ...problemResponses() },
});

export function registerAuditRoutes(api: AdminApi): void {
  api.openapi(listRoute, async (c) => {
    const { limit, cursor, ...filter } = c.req.valid('query');
    const ctx = await enterOrganization(c.get('ctx'), c.req.valid('param').slug);
    const entries = await listAuditEntries(ctx, { filter: auditFilterOf(filter), limit, after: decodeCursor(cursor, isPosition) });
    const last = entries.at(-1);
    const nextCursor = entries.length === limit && last ? encodeCursor({ createdAt: last.createdAt.toISOString(), id: last.id }) : null;
    return c.json({ data: entries.map(auditEntryJson), nextCursor }, 200);
  });

  api.openapi(exportRoute, async (c) => {
    const ctx = await enterOrganization(c.get('ctx'), c.req.valid('param').slug);
    const entries = await listAuditEntries(ctx, { filter: auditFilterOf(c.req.valid('query')), limit: MAX_AUDIT_EXPORT });
    const name = `audit-${ctx.organization.slug}.csv`;
    return c.body(auditCsv(entries), 200, { 'Content-Type': 'text/csv; charset=utf-8', 'Content-Disposition': `attachment; filename="${name}"` });
  });

  api.openapi(eventsRoute, async (c) => {
    const { after, limit } = c.req.valid('query');
    const ctx = await enterOrganization(c.get('ctx'), c.req.valid('param').slug);
    return c.json({ data: (await listMemberEvents(ctx, { after, limit })).map(memberEventJson) }, 200);
  });
}
