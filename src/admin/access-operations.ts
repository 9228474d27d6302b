/**
 * The permission catalogue, roles and teams as operations: the JSON the admin API answers and the
 * CLI prints, built by the same functions from the same verbs, and the entries of the operation
 * table (src/admin/operations.ts) behind `roster permission|role|team …`.
 */
import { z } from 'zod';
import {
  addTeamMembers,
  createRole,
  createTeam,
  deleteRole,
  deleteTeam,
  enterOrganization,
  getTeam,
  listPermissions,
  listRoles,
  listTeams,
  MAX_TEAM_ADDITIONS,
  MAX_TEAM_PAGE,
  registerAppPermission,
  removeTeamMember,
  setTeamMemberRole,
  TEAM_ROLES,
  unregisterAppPermission,
  updateRole,
  updateTeam,
  type Context,
  type OrgContext,
  type Permission,
  type Role,
  type Team,
  type TeamAdditionResult,
  type TeamMembership,
  type TeamPosition,
  type TeamWithMembers,
} from '../directory/index.ts';
import { define, type OperationEnv } from './operation.ts';

export const permissionJson = (p: Permission) => ({ key: p.key, description: p.description, source: p.source });

/** A registration: the permission, and whether this call added it to the catalogue. */
export const registeredPermissionJson = (p: Permission & { created: boolean }) => ({ ...permissionJson(p), created: p.created });

export const roleJson = (r: Role) => ({
  key: r.key,
  name: r.name,
  description: r.description,
  builtin: r.builtin,
  permissions: r.permissions,
  members: r.members,
  createdAt: r.createdAt.toISOString(),
  updatedAt: r.updatedAt.toISOString(),
});

export const teamJson = (t: Team) => ({
  id: t.id,
  name: t.name,
  description: t.description,
  memberCount: t.memberCount,
  createdAt: t.createdAt.toISOString(),
  updatedAt: t.updatedAt.toISOString(),
});

/** A team with its members; `role` is each member's team role. */
export const teamDetailJson = (t: TeamWithMembers) => ({
  ...teamJson(t),
  members: t.members.map((m) => ({ id: m.id, email: m.email, name: m.name, status: m.status, role: m.teamRole, addedAt: m.addedAt.toISOString() })),
});

export const teamAdditionJson = (r: TeamAdditionResult) => ({ member: r.member, id: r.id, status: r.status, role: r.role });

export const teamMembershipJson = (m: TeamMembership) => ({ teamId: m.teamId, team: m.team, memberId: m.memberId, role: m.role });

const org = z.string().min(1);
const team = z.string().min(1);
const teamRole = z.enum(TEAM_ROLES);

const ctxOf = (env: OperationEnv): Context => ({ db: env.handle.db, actor: env.actor });
const inOrg = (env: OperationEnv, slug: string): Promise<OrgContext> => enterOrganization(ctxOf(env), slug);

/** Every team of the organization, by name: the CLI lists them whole, page after page. */
async function allTeams(ctx: OrgContext, prefix: string | undefined): Promise<Team[]> {
  const teams: Team[] = [];
  let after: TeamPosition | undefined;
  do {
    const page = await listTeams(ctx, { limit: MAX_TEAM_PAGE, after, prefix });
    teams.push(...page.teams);
    after = page.next;
  } while (after);
  return teams;
}

export const accessOperations = {
  'permission.register': define({
    input: z.object({ key: z.string(), description: z.string().optional() }),
    run: async (env, input) => registeredPermissionJson(await registerAppPermission(ctxOf(env), input)),
  }),

  'permission.list': define({
    input: z.object({}),
    run: async (env) => (await listPermissions(ctxOf(env))).map(permissionJson),
  }),

  'permission.unregister': define({
    input: z.object({ key: z.string().min(1) }),
    run: async (env, input) => permissionJson(await unregisterAppPermission(ctxOf(env), input)),
  }),

  'role.list': define({
    input: z.object({ org }),
    run: async (env, input) => (await listRoles(await inOrg(env, input.org))).map(roleJson),
  }),

  'role.create': define({
    input: z.object({ org, key: z.string(), name: z.string(), description: z.string().optional(), permissions: z.array(z.string()).default([]) }),
    run: async (env, { org: slug, ...input }) => roleJson(await createRole(await inOrg(env, slug), input)),
  }),

  'role.update': define({
    input: z.object({ org, key: z.string().min(1), name: z.string().optional(), description: z.string().nullable().optional(), permissions: z.array(z.string()).optional() }),
    run: async (env, { org: slug, key, ...changes }) => roleJson(await updateRole(await inOrg(env, slug), key, changes)),
  }),

  'role.delete': define({
    input: z.object({ org, key: z.string().min(1) }),
    run: async (env, input) => roleJson(await deleteRole(await inOrg(env, input.org), input.key)),
  }),

  'team.create': define({
    input: z.object({ org, name: z.string(), description: z.string().optional() }),
    run: async (env, { org: slug, ...input }) => teamJson(await createTeam(await inOrg(env, slug), input)),
  }),

  'team.list': define({
    input: z.object({ org, search: z.string().optional() }),
    run: async (env, input) => (await allTeams(await inOrg(env, input.org), input.search)).map(teamJson),
  }),

  'team.show': define({
    input: z.object({ org, team }),
    run: async (env, input) => teamDetailJson(await getTeam(await inOrg(env, input.org), input.team)),
  }),

  'team.update': define({
    input: z.object({ org, team, name: z.string().optional(), description: z.string().nullable().optional() }),
    run: async (env, { org: slug, team: ref, ...changes }) => teamJson(await updateTeam(await inOrg(env, slug), ref, changes)),
  }),

  'team.delete': define({
    input: z.object({ org, team }),
    run: async (env, input) => teamJson(await deleteTeam(await inOrg(env, input.org), input.team)),
  }),

  'team.add': define({
    input: z.object({ org, team, members: z.array(z.string().min(1)).min(1).max(MAX_TEAM_ADDITIONS), role: teamRole.optional() }),
    run: async (env, input) =>
      (await addTeamMembers(await inOrg(env, input.org), input.team, input.members.map((member) => ({ member, role: input.role })))).map(teamAdditionJson),
  }),

  'team.remove': define({
    input: z.object({ org, team, member: z.string().min(1) }),
    run: async (env, input) => teamMembershipJson(await removeTeamMember(await inOrg(env, input.org), input.team, input.member)),
  }),

  'team.set-role': define({
    input: z.object({ org, team, member: z.string().min(1), role: teamRole }),
    run: async (env, input) => teamMembershipJson(await setTeamMemberRole(await inOrg(env, input.org), input.team, input.member, input.role)),
  }),
} as const;
