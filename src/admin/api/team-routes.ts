/**
 * Teams of an organization and who is in them. Every rule is the domain verb's (teams.manage, or
 * being the team's admin); these handlers only parse, call one verb and shape the answer.
 */
import { createRoute, z } from '@hono/zod-openapi';
import {
  addTeamMembers,
  createTeam,
  deleteTeam,
  enterOrganization,
  getTeam,
  listTeams,
  MAX_TEAM_ADDITIONS,
  MAX_TEAM_PAGE,
  removeTeamMember,
  setTeamMemberRole,
  TEAM_ROLES,
  updateTeam,
  type TeamPosition,
} from '../../directory/index.ts';
import { teamAdditionJson, teamDetailJson, teamJson, teamMembershipJson } from '../access-operations.ts';
import type { AdminApi } from './env.ts';
import { decodeCursor, encodeCursor, jsonContent, OrgParams, pageOf, problemResponses, Timestamp } from './schemas.ts';

const TeamRole = z.enum(TEAM_ROLES).openapi({ description: "A member's role in the team: `admin` manages that team (its description and members) and nothing else" });

export const TeamSchema = z
  .object({
    id: z.string().uuid(),
    name: z.string().openapi({ example: 'Tier 2' }),
    description: z.string().nullable(),
    memberCount: z.number().int(),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  })
  .openapi('Team');

const TeamDetailSchema = TeamSchema.extend({
  members: z.array(
    z.object({
      id: z.string().uuid(),
      email: z.string(),
      name: z.string().nullable(),
      status: z.enum(['invited', 'active', 'deactivated']),
      role: TeamRole,
      addedAt: Timestamp,
    }),
  ),
}).openapi('TeamWithMembers');

const TeamAdditionSchema = z
  .object({
    member: z.string().openapi({ description: 'The id or email as given' }),
    id: z.string().uuid().nullable().openapi({ description: "The member's id; null when there is no such member" }),
    status: z.enum(['added', 'already', 'not_found']),
    role: TeamRole.nullable().openapi({ description: 'Their team role now (a member who was there already keeps theirs)' }),
  })
  .openapi('TeamAddition');

const TeamMembershipSchema = z
  .object({ teamId: z.string().uuid(), team: z.string(), memberId: z.string().uuid(), role: TeamRole })
  .openapi('TeamMembership');

const TeamParams = OrgParams.extend({
  id: z.string().min(1).openapi({ param: { name: 'id', in: 'path' }, description: "The team's id (its name is accepted too)" }),
});
const TeamMemberParams = TeamParams.extend({
  memberId: z.string().min(1).openapi({ param: { name: 'memberId', in: 'path' }, description: "The member's id (their email is accepted too)" }),
});

const MemberRef = z.string().min(1).max(320).openapi({ description: "A member's id or email", example: 'ada@example.com' });

const json = <T extends z.ZodType>(schema: T) => ({ body: { content: { 'application/json': { schema } }, required: true } });

const isTeamPosition = (v: unknown): v is TeamPosition =>
  typeof v === 'object' && v !== null && typeof (v as TeamPosition).nameKey === 'string' && z.string().uuid().safeParse((v as TeamPosition).id).success;

const MANAGE = 'Needs `teams.manage`, or being an admin of this team.';

const listRoute = createRoute({
  method: 'get',
  path: '/organizations/{slug}/teams',
  tags: ['teams'],
  summary: "List an organization's teams, by name",
  description: 'With each team\'s member count. `q` keeps the teams whose name starts with it, in any case. Pages follow `nextCursor`. Any member of the organization may read; an app needs `teams:read`.',
  request: {
    params: OrgParams,
    query: z.object({
      limit: z.coerce.number().int().min(1).max(MAX_TEAM_PAGE).default(50).openapi({ description: `Teams per page, 1 to ${MAX_TEAM_PAGE}` }),
      cursor: z.string().optional().openapi({ description: 'The `nextCursor` of the previous page' }),
      q: z.string().max(100).optional().openapi({ description: 'The start of a team name' }),
    }),
  },
  responses: { 200: jsonContent(pageOf(TeamSchema), 'A page of teams'), ...problemResponses() },
});

const createTeamRoute = createRoute({
  method: 'post',
  path: '/organizations/{slug}/teams',
  tags: ['teams'],
  summary: 'Create a team',
  description: 'Needs `teams.manage`. Names are unique in the organization ignoring case and surrounding spaces: a taken name is a 409.',
  request: {
    params: OrgParams,
    ...json(z.object({ name: z.string().max(100).openapi({ example: 'Tier 2' }), description: z.string().max(500).optional() }).strict()),
  },
  responses: { 201: jsonContent(TeamSchema, 'The team'), ...problemResponses(409) },
});

const getTeamRoute = createRoute({
  method: 'get',
  path: '/organizations/{slug}/teams/{id}',
  tags: ['teams'],
  summary: 'Read a team and its members',
  description: 'Its members by email, each with their team role. Any member of the organization may read; an app needs `teams:read`.',
  request: { params: TeamParams },
  responses: { 200: jsonContent(TeamDetailSchema, 'The team'), ...problemResponses() },
});

const updateTeamRoute = createRoute({
  method: 'patch',
  path: '/organizations/{slug}/teams/{id}',
  tags: ['teams'],
  summary: "Rename a team or change its description",
  description: `Fields left out stay as they are. ${MANAGE} A name another team has (ignoring case) is a 409.`,
  request: {
    params: TeamParams,
    ...json(
      z
        .object({
          name: z.string().max(100).optional(),
          description: z.string().max(500).nullable().optional().openapi({ description: 'null or "" clears it' }),
        })
        .strict(),
    ),
  },
  responses: { 200: jsonContent(TeamSchema, 'The team as it is now'), ...problemResponses(409) },
});

const deleteTeamRoute = createRoute({
  method: 'delete',
  path: '/organizations/{slug}/teams/{id}',
  tags: ['teams'],
  summary: 'Delete a team',
  description: 'Needs `teams.manage`. Its members leave it: each gets a `member.teams_changed` event, in the same transaction.',
  request: { params: TeamParams },
  responses: { 200: jsonContent(TeamSchema, 'The team, now deleted'), ...problemResponses() },
});

const addMembersRoute = createRoute({
  method: 'post',
  path: '/organizations/{slug}/teams/{id}/members',
  tags: ['teams'],
  summary: 'Add one or many members to a team',
  description:
    `Give \`member\` (one) or \`members\` (1 to ${MAX_TEAM_ADDITIONS}), by id or email, and optionally the team \`role\` for all of them (default \`member\`). ` +
    'Per item, not all-or-nothing: each is answered `added`, `already` (in the team already, with their team role unchanged: use PATCH on the member to change it) or `not_found`, and the others are added all the same, in one transaction. ' +
    `${MANAGE} Making team admins needs \`teams.manage\` (403 for the whole request).`,
  request: {
    params: TeamParams,
    ...json(
      z
        .object({
          member: MemberRef.optional(),
          members: z.array(MemberRef).min(1).max(MAX_TEAM_ADDITIONS).optional(),
          role: TeamRole.optional(),
        })
        .strict()
        .refine((body) => (body.member === undefined) !== (body.members === undefined), { message: 'give either member or members', path: ['members'] }),
    ),
  },
  responses: { 200: jsonContent(z.object({ results: z.array(TeamAdditionSchema) }), 'One result per member, in the order given'), ...problemResponses() },
});

const setRoleRoute = createRoute({
  method: 'patch',
  path: '/organizations/{slug}/teams/{id}/members/{memberId}',
  tags: ['teams'],
  summary: "Change a member's team role",
  description: 'Makes a team member an admin of the team, or a plain member again. Needs `teams.manage`: team admins do not choose admins.',
  request: { params: TeamMemberParams, ...json(z.object({ role: TeamRole }).strict()) },
  responses: { 200: jsonContent(TeamMembershipSchema, 'The membership as it is now'), ...problemResponses() },
});

const removeMemberRoute = createRoute({
  method: 'delete',
  path: '/organizations/{slug}/teams/{id}/members/{memberId}',
  tags: ['teams'],
  summary: 'Take a member out of a team',
  description: `${MANAGE} A team admin may remove the team's members and themselves; removing another admin needs \`teams.manage\`. A member who is not in the team is a 404.`,
  request: { params: TeamMemberParams },
  responses: { 200: jsonContent(TeamMembershipSchema, 'The membership that ended'), ...problemResponses() },
});

export function registerTeamRoutes(api: AdminApi): void {
  api.openapi(listRoute, async (c) => {
    const ctx = await enterOrganization(c.get('ctx'), c.req.valid('param').slug);
    const { limit, cursor, q } = c.req.valid('query');
    const page = await listTeams(ctx, { limit, after: decodeCursor(cursor, isTeamPosition), prefix: q });
    return c.json({ data: page.teams.map(teamJson), nextCursor: page.next === undefined ? null : encodeCursor(page.next) }, 200);
  });

  api.openapi(createTeamRoute, async (c) => {
    const ctx = await enterOrganization(c.get('ctx'), c.req.valid('param').slug);
    return c.json(teamJson(await createTeam(ctx, c.req.valid('json'))), 201);
  });

  api.openapi(getTeamRoute, async (c) => {
    const { slug, id } = c.req.valid('param');
    return c.json(teamDetailJson(await getTeam(await enterOrganization(c.get('ctx'), slug), id)), 200);
  });

  api.openapi(updateTeamRoute, async (c) => {
    const { slug, id } = c.req.valid('param');
    return c.json(teamJson(await updateTeam(await enterOrganization(c.get('ctx'), slug), id, c.req.valid('json'))), 200);
  });

  api.openapi(deleteTeamRoute, async (c) => {
    const { slug, id } = c.req.valid('param');
    return c.json(teamJson(await deleteTeam(await enterOrganization(c.get('ctx'), slug), id)), 200);
  });

  api.openapi(addMembersRoute, async (c) => {
    const { slug, id } = c.req.valid('param');
    const { member, members, role } = c.req.valid('json');
    const refs = members ?? (member === undefined ? [] : [member]);
    const results = await addTeamMembers(await enterOrganization(c.get('ctx'), slug), id, refs.map((ref) => ({ member: ref, role })));
    return c.json({ results: results.map(teamAdditionJson) }, 200);
  });

  api.openapi(setRoleRoute, async (c) => {
    const { slug, id, memberId } = c.req.valid('param');
    return c.json(teamMembershipJson(await setTeamMemberRole(await enterOrganization(c.get('ctx'), slug), id, memberId, c.req.valid('json').role)), 200);
  });

  api.openapi(removeMemberRoute, async (c) => {
    const { slug, id, memberId } = c.req.valid('param');
    return c.json(teamMembershipJson(await removeTeamMember(await enterOrganization(c.get('ctx'), slug), id, memberId)), 200);
  });
}
