/** SCIM directories of an organization: list, delete, and each directory's request log. */
import { createRoute, z } from '@hono/zod-openapi';
import {
  deleteDirectory,
  enterOrganization,
  listDirectories,
  listDirectoryGroups,
  listDirectoryUsers,
  listGroupUserIds,
  listRequests,
  MAX_DIRECTORY_PAGE,
  MAX_REQUEST_LOG_PAGE,
} from '../../directory/index.ts';
import { deletedDirectoryJson } from '../operations.ts';
import { loggedRequestJson, parseBefore } from '../request-log-json.ts';
import type { AdminApi, AdminApiDeps } from './env.ts';
import { decodeCursor, encodeCursor, iso, jsonContent, OrgParams, pageOf, problemResponses, Timestamp } from './schemas.ts';

const DirectorySchema = z
  .object({
    id: z.string().uuid(),
    name: z.string(),
    provider: z.string(),
    scimBaseUrl: z.string().url(),
    liveTokens: z.number().int(),
    lastRequestAt: Timestamp.nullable(),
    createdAt: Timestamp,
  })
  .openapi('Directory');

const DirectoryParams = OrgParams.extend({ id: z.string().openapi({ param: { name: 'id', in: 'path' }, description: 'Directory id' }) });

const LoggedRequestSchema = z
  .object({
    id: z.string().uuid(),
    time: Timestamp,
    method: z.string(),
    path: z.string(),
    filter: z.string().nullable(),
    status: z.number().int(),
    scimType: z.string().nullable(),
    durationMs: z.number(),
    resourceType: z.string().nullable(),
    resourceId: z.string().nullable(),
    userAgent: z.string().nullable(),
    requestId: z.string(),
    requestBody: z.unknown().openapi({ description: 'The request body as received, secrets removed; null when there was none' }),
  })
  .openapi('LoggedScimRequest');

const listRoute = createRoute({
  method: 'get',
  path: '/organizations/{slug}/directories',
  tags: ['directories'],
  summary: "List an organization's SCIM directories",
  description: 'Needs `sso.manage` for a member, `directory:read` for an app.',
  request: { params: OrgParams },
  responses: { 200: jsonContent(z.object({ data: z.array(DirectorySchema) }), 'The directories'), ...problemResponses() },
});

const deleteRoute = createRoute({
  method: 'delete',
  path: '/organizations/{slug}/directories/{id}',
  tags: ['directories'],
  summary: 'Delete a directory with its users, groups and tokens',
  description: 'Answers 200 with what went (how many users, groups and tokens) rather than 204. Needs `sso.manage`.',
  request: { params: DirectoryParams },
  responses: {
    200: jsonContent(
      z.object({ id: z.string().uuid(), deleted: z.literal(true), users: z.number().int(), groups: z.number().int(), tokens: z.number().int() }),
      'What the deletion took',
    ),
    ...problemResponses(),
  },
});

const requestsRoute = createRoute({
  method: 'get',
  path: '/organizations/{slug}/directories/{id}/requests',
  tags: ['directories'],
  summary: "Read a directory's SCIM request log, newest first",
  description: 'Page backwards with `before` (the id of the last entry of the previous page, or an ISO 8601 time).',
  request: {
    params: DirectoryParams,
    query: z.object({
      failed: z.enum(['true', 'false']).optional().openapi({ description: 'Only failed requests (status ≥ 400)' }),
      limit: z.coerce.number().int().min(1).max(MAX_REQUEST_LOG_PAGE).default(50),
      before: z.string().optional(),
    }),
  },
  responses: { 200: jsonContent(z.object({ data: z.array(LoggedRequestSchema) }), 'Logged requests'), ...problemResponses() },
});

const DirectoryUserSchema = z
  .object({
    id: z.string().uuid(),
    userName: z.string(),
    externalId: z.string().nullable(),
    active: z.boolean(),
    displayName: z.string().nullable(),
    emails: z.array(z.string()),
    document: z.record(z.string(), z.unknown()).openapi({ description: 'The SCIM User the IdP pushed (without id and meta)' }),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  })
  .openapi('DirectoryUser');

const DirectoryGroupSchema = z
  .object({ id: z.string().uuid(), displayName: z.string(), externalId: z.string().nullable(), memberCount: z.number().int(), createdAt: Timestamp, updatedAt: Timestamp })
  .openapi('DirectoryGroup');

const DirectoryPageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(MAX_DIRECTORY_PAGE).default(100),
  cursor: z.string().optional().openapi({ description: 'The `nextCursor` of the previous page' }),
});

const READ_DIRECTORY = 'What the IdP pushed over SCIM, paged by id. Needs `sso.manage` for a member, `directory:read` for an app.';

const usersRoute = createRoute({
  method: 'get',
  path: '/organizations/{slug}/directories/{id}/users',
  tags: ['directories'],
  summary: "Read a directory's users as the IdP pushed them",
  description: READ_DIRECTORY,
  request: { params: DirectoryParams, query: DirectoryPageQuery },
  responses: { 200: jsonContent(pageOf(DirectoryUserSchema), 'A page of users'), ...problemResponses() },
});

const groupsRoute = createRoute({
  method: 'get',
  path: '/organizations/{slug}/directories/{id}/groups',
  tags: ['directories'],
  summary: "Read a directory's groups, with how many users each holds",
  description: READ_DIRECTORY,
  request: { params: DirectoryParams, query: DirectoryPageQuery },
  responses: { 200: jsonContent(pageOf(DirectoryGroupSchema), 'A page of groups'), ...problemResponses() },
});

const groupUsersRoute = createRoute({
  method: 'get',
  path: '/organizations/{slug}/directories/{id}/groups/{groupId}/users',
  tags: ['directories'],
  summary: "Read the ids of a group's users",
  description: READ_DIRECTORY,
  request: { params: DirectoryParams.extend({ groupId: z.string().openapi({ param: { name: 'groupId', in: 'path' } }) }), query: DirectoryPageQuery },
  responses: { 200: jsonContent(pageOf(z.string().uuid()), "A page of the group's user ids"), ...problemResponses() },
});

const isId = (v: unknown): v is string => typeof v === 'string';
const nextCursorOf = (ids: readonly string[], limit: number) => (ids.length === limit ? encodeCursor(ids.at(-1)) : null);

export function registerDirectoryRoutes(api: AdminApi, deps: AdminApiDeps): void {
  api.openapi(listRoute, async (c) => {
    const ctx = await enterOrganization(c.get('ctx'), c.req.valid('param').slug);
    const dirs = await listDirectories(ctx);
    return c.json(
      {
        data: dirs.map((d) => ({
          id: d.id,
          name: d.name,
          provider: d.provider,
          scimBaseUrl: `${deps.publicUrl}/scim/v2/${d.id}`,
          liveTokens: d.liveTokens,
          lastRequestAt: iso(d.lastRequestAt),
          createdAt: d.createdAt.toISOString(),
        })),
      },
      200,
    );
  });

  api.openapi(deleteRoute, async (c) => {
    const { slug, id } = c.req.valid('param');
    const ctx = await enterOrganization(c.get('ctx'), slug);
    return c.json({ ...deletedDirectoryJson(await deleteDirectory(ctx, { directoryId: id })), deleted: true as const }, 200);
  });

  api.openapi(requestsRoute, async (c) => {
    const { slug, id } = c.req.valid('param');
    const query = c.req.valid('query');
    const ctx = await enterOrganization(c.get('ctx'), slug);
    const entries = await listRequests(ctx, { directoryId: id, failedOnly: query.failed === 'true', limit: query.limit, before: parseBefore(query.before) });
    return c.json({ data: entries.map(loggedRequestJson) }, 200);
  });

  api.openapi(usersRoute, async (c) => {
    const { slug, id } = c.req.valid('param');
    const { limit, cursor } = c.req.valid('query');
    const ctx = await enterOrganization(c.get('ctx'), slug);
    const users = await listDirectoryUsers(ctx, { directoryId: id, limit, after: decodeCursor(cursor, isId) });
    return c.json(
      {
        data: users.map((u) => ({ ...u, createdAt: u.createdAt.toISOString(), updatedAt: u.updatedAt.toISOString() })),
        nextCursor: nextCursorOf(users.map((u) => u.id), limit),
      },
      200,
    );
  });

  api.openapi(groupsRoute, async (c) => {
    const { slug, id } = c.req.valid('param');
    const { limit, cursor } = c.req.valid('query');
    const ctx = await enterOrganization(c.get('ctx'), slug);
    const groups = await listDirectoryGroups(ctx, { directoryId: id, limit, after: decodeCursor(cursor, isId) });
    return c.json(
      {
        data: groups.map((g) => ({ ...g, createdAt: g.createdAt.toISOString(), updatedAt: g.updatedAt.toISOString() })),
        nextCursor: nextCursorOf(groups.map((g) => g.id), limit),
      },
      200,
    );
  });

  api.openapi(groupUsersRoute, async (c) => {
    const { slug, id, groupId } = c.req.valid('param');
    const { limit, cursor } = c.req.valid('query');
    const ctx = await enterOrganization(c.get('ctx'), slug);
    const ids = await listGroupUserIds(ctx, { directoryId: id, groupId, limit, after: decodeCursor(cursor, isId) });
    return c.json({ data: ids, nextCursor: nextCursorOf(ids, limit) }, 200);
  });
}
