/**
 * Members and organization settings as operations: the JSON the admin API answers and the CLI
 * prints, built by the same functions from the same verbs, and the entries of the operation table
 * (src/admin/operations.ts) behind `roster member …` and `roster org show|set`.
 */
import { z } from 'zod';
import {
  changeMemberRole,
  deactivateMember,
  enterOrganization,
  getMember,
  getOrganizationSettings,
  listMembers,
  MAX_INVITATION_TTL_HOURS,
  MAX_SEAT_LIMIT,
  MIN_INVITATION_TTL_HOURS,
  reactivateMember,
  removeMember,
  transferOwnership,
  updateMemberProfile,
  updateOrganizationSettings,
  type Context,
  type DeactivatedMember,
  type Member,
  type MemberDetail,
  type OrgContext,
  type OwnershipTransfer,
  type RemovedMember,
} from '../directory/index.ts';
import { DomainError } from '../errors.ts';
import { isUuid } from '../ids.ts';
import { define, type OperationEnv } from './operation.ts';

const iso = (d: Date | null) => (d === null ? null : d.toISOString());

/** A member as the admin API shows them, in lists and after a change. */
export const memberJson = (m: Member) => ({
  id: m.id,
  email: m.email,
  givenName: m.givenName,
  familyName: m.familyName,
  displayName: m.displayName,
  avatarUrl: m.avatarUrl,
  status: m.status,
  role: m.role,
  teams: m.teams.map((t) => ({ id: t.id, name: t.name, role: t.role })),
  source: m.source,
  createdAt: m.createdAt.toISOString(),
  lastSignInAt: iso(m.lastSignInAt),
  lastSeenAt: iso(m.lastSeenAt),
  deactivatedAt: iso(m.deactivatedAt),
});
export type MemberJson = ReturnType<typeof memberJson>;

/** One member in full: also their SCIM user and SSO identities. */
export const memberDetailJson = (m: MemberDetail) => ({
  ...memberJson(m),
  directoryUserId: m.directoryUserId,
  identities: m.identities.map((i) => ({
    id: i.id,
    connectionId: i.connectionId,
    connectionType: i.connectionType,
    subject: i.subject,
    createdAt: i.createdAt.toISOString(),
    lastSignInAt: iso(i.lastSignInAt),
  })),
});

/** A line of `member list`: who, their status and role, and their teams by name. */
export const memberListItemJson = (m: Member) => ({ id: m.id, email: m.email, status: m.status, role: m.role, teams: m.teams.map((t) => t.name), source: m.source });

/** What a deactivation answers: the member's status and what ended with it. */
export const deactivatedMemberJson = (d: DeactivatedMember) => ({ id: d.member.id, status: d.member.status, sessionsEnded: d.sessionsEnded, logoutsQueued: d.logoutsQueued });

export const removedMemberJson = (r: RemovedMember) => ({ id: r.id, email: r.email, removed: true as const, sessionsEnded: r.sessionsEnded, logoutsQueued: r.logoutsQueued });

export const ownershipTransferJson = (t: OwnershipTransfer) => ({ from: memberJson(t.from), to: memberJson(t.to) });

const org = z.string().min(1);
const member = z.string().min(1);
/** A name: text to set, or null (or "") to clear. */
const nameChange = z.string().nullable().optional();

/** The member id of a command; the API's path parameter is checked by its schema instead. */
function memberId(id: string): string {
  if (!isUuid(id)) throw new DomainError('invalid_input', `"${id}" is not a member id (a UUID)`, { details: { field: 'member' } });
  return id;
}

const ctxOf = (env: OperationEnv): Context => ({ db: env.handle.db, actor: env.actor });
const inOrg = (env: OperationEnv, slug: string): Promise<OrgContext> => enterOrganization(ctxOf(env), slug);

export const memberStatuses = ['invited', 'active', 'deactivated'] as const;
export const memberSources = ['invitation', 'jit', 'scim', 'admin'] as const;

export const memberOperations = {
  'member.list': define({
    input: z.object({
      org,
      status: z.enum(memberStatuses).optional(),
      role: z.string().min(1).optional(),
      team: z.string().min(1).optional(),
      source: z.enum(memberSources).optional(),
      search: z.string().optional(),
    }),
    run: async (env, input) => {
      const ctx = await inOrg(env, input.org);
      const members = await listMembers(ctx, { status: input.status, role: input.role, team: input.team, source: input.source, q: input.search });
      return members.map(memberListItemJson);
    },
  }),

  'member.show': define({
    input: z.object({ org, member }),
    run: async (env, input) => memberDetailJson(await getMember(await inOrg(env, input.org), memberId(input.member))),
  }),

  'member.update': define({
    input: z.object({ org, member, givenName: nameChange, familyName: nameChange, displayName: nameChange, avatarUrl: nameChange }),
    run: async (env, { org: slug, member: id, ...changes }) => memberJson(await updateMemberProfile(await inOrg(env, slug), memberId(id), changes)),
  }),

  'member.set-role': define({
    input: z.object({ org, member, role: z.string().min(1) }),
    run: async (env, input) => memberJson(await changeMemberRole(await inOrg(env, input.org), memberId(input.member), input.role)),
  }),

  'member.deactivate': define({
    input: z.object({ org, member }),
    run: async (env, input) => deactivatedMemberJson(await deactivateMember(await inOrg(env, input.org), memberId(input.member))),
  }),

  'member.reactivate': define({
    input: z.object({ org, member }),
    run: async (env, input) => memberJson(await reactivateMember(await inOrg(env, input.org), memberId(input.member))),
  }),

  'member.remove': define({
    input: z.object({ org, member }),
    run: async (env, input) => removedMemberJson(await removeMember(await inOrg(env, input.org), memberId(input.member))),
  }),

  'member.transfer-ownership': define({
    input: z.object({ org, to: member, from: member.optional() }),
    run: async (env, input) =>
      ownershipTransferJson(
        await transferOwnership(await inOrg(env, input.org), { to: memberId(input.to), from: input.from === undefined ? undefined : memberId(input.from) }),
      ),
  }),

  'org.show': define({
    input: z.object({ org }),
    run: async (env, input) => getOrganizationSettings(await inOrg(env, input.org)),
  }),

  'org.set': define({
    input: z.object({
      org,
      seatLimit: z.number().int().min(0).max(MAX_SEAT_LIMIT).nullable().optional(),
      invitationTtlHours: z.number().int().min(MIN_INVITATION_TTL_HOURS).max(MAX_INVITATION_TTL_HOURS).optional(),
    }),
    run: async (env, { org: slug, ...changes }) => updateOrganizationSettings(await inOrg(env, slug), changes),
  }),
} as const;
