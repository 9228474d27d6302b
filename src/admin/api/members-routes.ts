/**
 * Members of an organization: pages of them (filtered, searched), one in full, their profile,
 * role and status, removal, bulk changes, login history and ownership transfer. Every rule is the
 * domain verb's; these handlers only parse, call one verb and shape the answer.
 */
import { createRoute, z } from '@hono/zod-openapi';
import {
  bulkChangeRole,
  bulkDeactivate,
  changeMemberRole,
  deactivateMember,
  enterOrganization,
  getMember,
  listMemberPage,
  listMemberSignIns,
  MAX_AVATAR_URL_LENGTH,
  MAX_BULK_MEMBERS,
  MAX_MEMBER_PAGE,
  MAX_MEMBER_SEARCH,
  MAX_NAME_LENGTH,
  MAX_SIGN_IN_HISTORY_PAGE,
  reactivateMember,
  removeMember,
  transferOwnership,
  updateMemberProfile,
  type MemberPosition,
  type SignInPosition,
} from '../../directory/index.ts';
import {
  deactivatedMemberJson,
  memberDetailJson,
  memberJson,
  memberSources,
  memberStatuses,
  ownershipTransferJson,
  removedMemberJson,
} from '../member-operations.ts';
import { signInJson } from '../sso-operations.ts';
import type { AdminApi } from './env.ts';
import { decodeCursor, encodeCursor, jsonContent, OrgParams, pageOf, problemResponses, SignInSchema, Timestamp } from './schemas.ts';

const MemberId = z.string().uuid().openapi({ example: '01936f14-3b5a-7c6d-8e9f-a0b1c2d3e4f5' });
const MemberParams = OrgParams.extend({ id: MemberId.openapi({ param: { name: 'id', in: 'path' }, description: 'Member id' }) });

const MemberTeamSchema = z.object({ id: z.string().uuid(), name: z.string(), role: z.enum(['member', 'admin']).openapi({ description: 'Their role in the team' }) });

const MemberSchema = z
  .object({
    id: MemberId,
    email: z.string(),
    givenName: z.string().nullable(),
    familyName: z.string().nullable(),
    displayName: z.string().nullable(),
    avatarUrl: z.string().nullable(),
    status: z.enum(memberStatuses),
    role: z.string().openapi({ description: 'The key of a built-in (owner, admin, member, viewer) or custom role' }),
    teams: z.array(MemberTeamSchema).openapi({ description: 'Their teams, by name' }),
    source: z.enum(memberSources).openapi({ description: 'How they came: an invitation, a first SSO sign-in (jit), the SCIM directory, or an admin' }),
    createdAt: Timestamp,
    lastSignInAt: Timestamp.nullable(),
    lastSeenAt: Timestamp.nullable().openapi({ description: 'Coarse: refreshed at most every 5 minutes' }),
    deactivatedAt: Timestamp.nullable(),
  })
  .openapi('Member');

const MemberDetailSchema = MemberSchema.extend({
  directoryUserId: z.string().uuid().nullable().openapi({ description: 'The SCIM user this member is provisioned from' }),
  identities: z.array(
    z.object({
      id: z.string().uuid(),
      connectionId: z.string().uuid(),
      connectionType: z.enum(['saml', 'oidc']),
      subject: z.string().openapi({ description: "The IdP's subject (NameID or sub)" }),
      createdAt: Timestamp,
      lastSignInAt: Timestamp.nullable(),
    }),
  ),
}).openapi('MemberDetail');

const DeactivatedSchema = z
  .object({
    id: MemberId,
    status: z.enum(memberStatuses),
    sessionsEnded: z.number().int().openapi({ description: 'Sessions, grants and tokens at the OpenID Provider, and console sessions, ended' }),
    logoutsQueued: z.number().int().openapi({ description: 'Back-channel logouts queued for apps' }),
  })
  .openapi('DeactivatedMember');

const BULK_RESULTS = ['changed', 'unchanged', 'not_found', 'forbidden', 'precondition_failed'] as const;
const BulkResultSchema = z
  .object({
    id: z.string(),
    result: z.enum(BULK_RESULTS),
    detail: z.string().nullable().openapi({ description: 'Why, when the member was not changed for a reason of their own' }),
  })
  .openapi('BulkMemberResult');

const BulkIds = z
  .array(z.string())
  .min(1)
  .max(MAX_BULK_MEMBERS)
  .openapi({ description: `Member ids, 1 to ${MAX_BULK_MEMBERS}; each is answered once` });

const json = <T extends z.ZodType>(schema: T) => ({ body: { content: { 'application/json': { schema } }, required: true } });

const nameField = (what: string) =>
  z
    .string()
    .max(MAX_NAME_LENGTH)
    .nullable()
    .optional()
    .openapi({ description: `${what}; null or "" clears it` });

const isMemberPosition = (v: unknown): v is MemberPosition =>
  typeof v === 'object' && v !== null && typeof (v as MemberPosition).emailKey === 'string' && typeof (v as MemberPosition).id === 'string' && z.string().uuid().safeParse((v as MemberPosition).id).success;

const isSignInPosition = (v: unknown): v is SignInPosition =>
  typeof v === 'object' && v !== null && typeof (v as SignInPosition).micros === 'string' && typeof (v as SignInPosition).id === 'string';

const WHO_READS = 'Any member of the organization may read; an app needs `members:read`.';

const listRoute = createRoute({
  method: 'get',
  path: '/organizations/{slug}/members',
  tags: ['members'],
  summary: "List an organization's members, by email",
  description: `Filters combine. \`q\` matches the start of the email, of the name (display name, or given and family name) or of the family name, in any case. Pages follow \`nextCursor\`. ${WHO_READS}`,
  request: {
    params: OrgParams,
    query: z.object({
      limit: z.coerce.number().int().min(1).max(MAX_MEMBER_PAGE).default(50).openapi({ description: `Members per page, 1 to ${MAX_MEMBER_PAGE}` }),
      cursor: z.string().optional().openapi({ description: 'The `nextCursor` of the previous page' }),
      status: z.enum(memberStatuses).optional(),
      role: z.string().min(1).optional().openapi({ description: 'A role key' }),
      team: z.string().min(1).optional().openapi({ description: 'A team, by id or name' }),
      source: z.enum(memberSources).optional(),
      q: z.string().max(MAX_MEMBER_SEARCH).optional().openapi({ description: 'The start of an email or name' }),
    }),
  },
  responses: { 200: jsonContent(pageOf(MemberSchema), 'A page of members'), ...problemResponses() },
});

const getRoute = createRoute({
  method: 'get',
  path: '/organizations/{slug}/members/{id}',
  tags: ['members'],
  summary: 'Read one member in full',
  description: `Profile, status, role, teams with the team role, source, SSO identities and SCIM user. ${WHO_READS}`,
  request: { params: MemberParams },
  responses: { 200: jsonContent(MemberDetailSchema, 'The member'), ...problemResponses() },
});

const updateRoute = createRoute({
  method: 'patch',
  path: '/organizations/{slug}/members/{id}',
  tags: ['members'],
  summary: "Edit a member's profile (names and avatar)",
  description:
    "Fields left out stay as they are. The email is not changed here. A member edits their own profile when their role grants `profile.edit`; anyone else's needs `members.manage`. An IdP's next sign-in refreshes the names it sends.",
  request: {
    params: MemberParams,
    ...json(
      z
        .object({
          givenName: nameField('Given name'),
          familyName: nameField('Family name'),
          displayName: nameField('Display name'),
          avatarUrl: z
            .string()
            .max(MAX_AVATAR_URL_LENGTH)
            .nullable()
            .optional()
            .openapi({ description: `An https URL of at most ${MAX_AVATAR_URL_LENGTH} characters; null or "" clears it` }),
        })
        .strict(),
    ),
  },
  responses: { 200: jsonContent(MemberSchema, 'The member as they are now'), ...problemResponses() },
});

const roleRoute = createRoute({
  method: 'put',
  path: '/organizations/{slug}/members/{id}/role',
  tags: ['members'],
  summary: "Change a member's role",
  description:
    'Needs `roles.assign`. Nobody changes their own role; the role must exist in the organization; only an owner (or an operator) grants or takes away `owner`; the last active owner stays owner (412). Setting the role the member has changes nothing.',
  request: { params: MemberParams, ...json(z.object({ role: z.string().min(1).openapi({ example: 'admin' }) }).strict()) },
  responses: { 200: jsonContent(MemberSchema, 'The member with their role'), ...problemResponses(412) },
});

const deactivateRoute = createRoute({
  method: 'post',
  path: '/organizations/{slug}/members/{id}/deactivate',
  tags: ['members'],
  summary: 'Deactivate a member: their sessions end at once',
  description:
    "Ends their sessions and tokens at Roster's OpenID Provider and the console, and queues a back-channel logout for every app that has a URI for it, in the same transaction. Needs `members.manage`; nobody deactivates themselves, nor the last active owner (412), nor a member still invited (412: remove them instead). Deactivating a deactivated member changes nothing. Answers 200 with what ended.",
  request: { params: MemberParams },
  responses: { 200: jsonContent(DeactivatedSchema, 'The member and what ended'), ...problemResponses(412) },
});

const reactivateRoute = createRoute({
  method: 'post',
  path: '/organizations/{slug}/members/{id}/reactivate',
  tags: ['members'],
  summary: 'Reactivate a deactivated member',
  description:
    'They take a seat again: refused with 429 and the `limit` and `used` seats when none is free. Their role, teams and history are as they were. Needs `members.manage`. Reactivating an active member changes nothing.',
  request: { params: MemberParams },
  responses: { 200: jsonContent(MemberSchema, 'The member, active'), ...problemResponses(412, 429) },
});

const removeRoute = createRoute({
  method: 'delete',
  path: '/organizations/{slug}/members/{id}',
  tags: ['members'],
  summary: 'Remove a member for good',
  description:
    'Their sessions end, and the member goes with their invitation, SSO identities and team memberships; the address may be invited again. The audit log keeps who they were. Needs `members.manage`; nobody removes themselves, nor the last active owner (412). Answers 200 with what ended.',
  request: { params: MemberParams },
  responses: {
    200: jsonContent(
      z.object({ id: MemberId, email: z.string(), removed: z.literal(true), sessionsEnded: z.number().int(), logoutsQueued: z.number().int() }).openapi('RemovedMember'),
      'The member removed and what ended',
    ),
    ...problemResponses(412),
  },
});

const bulkRoleRoute = createRoute({
  method: 'post',
  path: '/organizations/{slug}/members/bulk/role',
  tags: ['members'],
  summary: 'Give many members one role',
  description:
    'Per item, not all-or-nothing: each member is answered `changed`, `unchanged`, `not_found`, `forbidden` (their own role, or `owner` by a non-owner) or `precondition_failed` (the last active owners), and the others are changed all the same, in one transaction. The request as a whole needs `roles.assign` (403) and a role the organization has (400).',
  request: { params: OrgParams, ...json(z.object({ ids: BulkIds, role: z.string().min(1) }).strict()) },
  responses: { 200: jsonContent(z.object({ results: z.array(BulkResultSchema) }), 'One result per member, in the order given'), ...problemResponses() },
});

const bulkDeactivateRoute = createRoute({
  method: 'post',
  path: '/organizations/{slug}/members/bulk/deactivate',
  tags: ['members'],
  summary: 'Deactivate many members',
  description:
    'Per item, not all-or-nothing: each member is answered `changed`, `unchanged` (already deactivated), `not_found`, `forbidden` (oneself) or `precondition_failed` (still invited, or the last active owners), and the others are deactivated all the same, in one transaction, their sessions ended and back-channel logouts queued. The request as a whole needs `members.manage` (403).',
  request: { params: OrgParams, ...json(z.object({ ids: BulkIds }).strict()) },
  responses: {
    200: jsonContent(
      z.object({ results: z.array(BulkResultSchema), sessionsEnded: z.number().int(), logoutsQueued: z.number().int() }),
      'One result per member, in the order given, and what ended',
    ),
    ...problemResponses(),
  },
});

const signInsRoute = createRoute({
  method: 'get',
  path: '/organizations/{slug}/members/{id}/sign-ins',
  tags: ['members'],
  summary: "A member's login history, newest first",
  description: 'Their sign-in attempts from the sign-in log. The member themself may read it; anyone else needs `audit.view` (an app, `audit:read`).',
  request: {
    params: MemberParams,
    query: z.object({
      limit: z.coerce.number().int().min(1).max(MAX_SIGN_IN_HISTORY_PAGE).default(50),
      cursor: z.string().optional().openapi({ description: 'The `nextCursor` of the previous page' }),
    }),
  },
  responses: { 200: jsonContent(pageOf(SignInSchema), 'A page of sign-ins'), ...problemResponses() },
});

const transferRoute = createRoute({
  method: 'post',
  path: '/organizations/{slug}/transfer-ownership',
  tags: ['members'],
  summary: 'Transfer ownership to another member',
  description:
    'The new owner must be an active member; the previous owner becomes admin, in one transaction. Only an owner transfers (their own ownership: `from` may be left out); an operator names `from`.',
  request: {
    params: OrgParams,
    ...json(
      z
        .object({
          to: MemberId.openapi({ description: 'The member who becomes owner' }),
          from: MemberId.optional().openapi({ description: 'The owner who becomes admin (an owner: themself)' }),
        })
        .strict(),
    ),
  },
  responses: { 200: jsonContent(z.object({ from: MemberSchema, to: MemberSchema }), 'Both members as they are now'), ...problemResponses(412) },
});

export function registerMembersRoutes(api: AdminApi): void {
  // The bulk paths first: `bulk` would otherwise be read as a member id.
  api.openapi(bulkRoleRoute, async (c) => {
    const ctx = await enterOrganization(c.get('ctx'), c.req.valid('param').slug);
    return c.json({ results: await bulkChangeRole(ctx, c.req.valid('json')) }, 200);
  });

  api.openapi(bulkDeactivateRoute, async (c) => {
    const ctx = await enterOrganization(c.get('ctx'), c.req.valid('param').slug);
    return c.json(await bulkDeactivate(ctx, c.req.valid('json')), 200);
  });

  api.openapi(listRoute, async (c) => {
    const ctx = await enterOrganization(c.get('ctx'), c.req.valid('param').slug);
    const { limit, cursor, ...filters } = c.req.valid('query');
    const page = await listMemberPage(ctx, { ...filters, limit, after: decodeCursor(cursor, isMemberPosition) });
    return c.json({ data: page.members.map(memberJson), nextCursor: page.next === null ? null : encodeCursor(page.next) }, 200);
  });

  api.openapi(getRoute, async (c) => {
    const { slug, id } = c.req.valid('param');
    return c.json(memberDetailJson(await getMember(await enterOrganization(c.get('ctx'), slug), id)), 200);
  });

  api.openapi(updateRoute, async (c) => {
    const { slug, id } = c.req.valid('param');
    return c.json(memberJson(await updateMemberProfile(await enterOrganization(c.get('ctx'), slug), id, c.req.valid('json'))), 200);
  });

  api.openapi(roleRoute, async (c) => {
    const { slug, id } = c.req.valid('param');
    return c.json(memberJson(await changeMemberRole(await enterOrganization(c.get('ctx'), slug), id, c.req.valid('json').role)), 200);
  });

  api.openapi(deactivateRoute, async (c) => {
    const { slug, id } = c.req.valid('param');
    return c.json(deactivatedMemberJson(await deactivateMember(await enterOrganization(c.get('ctx'), slug), id)), 200);
  });

  api.openapi(reactivateRoute, async (c) => {
    const { slug, id } = c.req.valid('param');
    return c.json(memberJson(await reactivateMember(await enterOrganization(c.get('ctx'), slug), id)), 200);
  });

  api.openapi(removeRoute, async (c) => {
    const { slug, id } = c.req.valid('param');
    return c.json(removedMemberJson(await removeMember(await enterOrganization(c.get('ctx'), slug), id)), 200);
  });

  api.openapi(signInsRoute, async (c) => {
    const { slug, id } = c.req.valid('param');
    const { limit, cursor } = c.req.valid('query');
    const page = await listMemberSignIns(await enterOrganization(c.get('ctx'), slug), id, { limit, before: decodeCursor(cursor, isSignInPosition) });
    return c.json({ data: page.signIns.map(signInJson), nextCursor: page.next === null ? null : encodeCursor(page.next) }, 200);
  });

  api.openapi(transferRoute, async (c) => {
    const ctx = await enterOrganization(c.get('ctx'), c.req.valid('param').slug);
    return c.json(ownershipTransferJson(await transferOwnership(ctx, c.req.valid('json'))), 200);
  });
}
