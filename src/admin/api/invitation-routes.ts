/**
 * Invitations of an organization: invite by address (all or nothing) or by CSV file (row by row),
 * list the pending ones, resend and revoke. Every rule is the domain verb's; these handlers only
 * parse, call one verb and shape the answer (the same JSON as the CLI's commands).
 */
import { createRoute, z } from '@hono/zod-openapi';
import {
  enterOrganization,
  importInvitations,
  IMPORT_RESULTS,
  inviteMembers,
  listPendingInvitations,
  MAX_IMPORT_ROWS,
  MAX_INVITATIONS_PER_REQUEST,
  MAX_PENDING_PAGE,
  resendInvitation,
  revokeInvitation,
} from '../../directory/index.ts';
import { DomainError } from '../../errors.ts';
import { isUuid } from '../../ids.ts';
import { importedRowJson, invitedMemberJson, pendingInvitationJson, revokedInvitationJson } from '../invitation-operations.ts';
import type { AdminApi, AdminApiDeps } from './env.ts';
import { decodeCursor, encodeCursor, jsonContent, OrgParams, pageOf, problemResponses, Timestamp } from './schemas.ts';

const MemberId = z.string().uuid().openapi({ example: '01936f14-3b5a-7c6d-8e9f-a0b1c2d3e4f5' });
const InvitationParams = OrgParams.extend({
  id: MemberId.openapi({ param: { name: 'id', in: 'path' }, description: "The invited member's id" }),
});

const InvitedMemberSchema = z
  .object({
    id: MemberId.openapi({ description: "The invited member's id (the `sub` of their tokens once they join)" }),
    email: z.string(),
    status: z.literal('invited'),
    role: z.string(),
    teams: z.array(z.string()).openapi({ description: 'Names of the teams they join' }),
    expiresAt: Timestamp.openapi({ description: 'When the emailed link stops working' }),
  })
  .openapi('InvitedMember');

const PendingInvitationSchema = InvitedMemberSchema.extend({
  expired: z.boolean().openapi({ description: 'The link has stopped working; an expired invitation holds no seat (resend it to revive it)' }),
  sentCount: z.number().int().openapi({ description: 'How many times the invitation email was sent' }),
  lastSentAt: Timestamp,
  invitedBy: z.object({ type: z.string().openapi({ example: 'member' }), id: z.string() }).openapi({ description: 'A member, an operator API key (api_key) or the CLI (operator)' }),
  createdAt: Timestamp,
}).openapi('PendingInvitation');

const ImportedRowSchema = z
  .object({
    row: z.number().int().openapi({ description: 'The line of the file the row starts on (the header is line 1)' }),
    email: z.string().openapi({ description: 'The address as the file gave it' }),
    result: z.enum(IMPORT_RESULTS),
    detail: z.string().openapi({ description: 'Why, in words' }),
    id: MemberId.optional().openapi({ description: 'The invited member (invited rows only)' }),
    expiresAt: Timestamp.optional().openapi({ description: 'When the link stops working (invited rows only)' }),
  })
  .openapi('ImportedRow');

const InviteBody = z
  .object({
    emails: z.array(z.string()).min(1).max(MAX_INVITATIONS_PER_REQUEST).openapi({ example: ['ada@acme.com'] }),
    role: z.string().optional().openapi({ description: 'A role key of the organization; `member` when absent', example: 'admin' }),
    teams: z.array(z.string()).optional().openapi({ description: 'Names of existing teams they join', example: ['Tier 2'] }),
  })
  .openapi('InviteRequest');

const CSV_EXAMPLE = 'email,role,teams\nada@acme.com,admin,Tier 2;Billing\ngrace@acme.com,,\n';
const isCursor = (v: unknown): v is { id: string } => typeof v === 'object' && v !== null && typeof (v as { id?: unknown }).id === 'string' && isUuid((v as { id: string }).id);

const inviteRoute = createRoute({
  method: 'post',
  path: '/organizations/{slug}/invitations',
  tags: ['invitations'],
  summary: 'Invite people by email address',
  description: [
    `All or nothing: up to ${MAX_INVITATIONS_PER_REQUEST} addresses are invited together, or none is.`,
    'Each becomes a member with status `invited`, the given role and teams, and an invitation whose link is emailed to them;',
    "it expires after the organization's invitation lifetime (7 days by default) and holds a seat until then.",
    'A bad or repeated address, an unknown role or team (400), an address that is already a member, invited ones included (409),',
    'or too few free seats (429, with `limit` and `used`) refuses the whole request. Needs `members.manage`;',
    'inviting as `owner` needs an owner, and any role but `member` and `viewer` also needs `roles.assign`.',
  ].join(' '),
  request: { params: OrgParams, body: { content: { 'application/json': { schema: InviteBody } }, required: true } },
  responses: {
    201: jsonContent(z.object({ data: z.array(InvitedMemberSchema) }), 'The invited members, in the order given'),
    ...problemResponses(409, 429),
  },
});

const listRoute = createRoute({
  method: 'get',
  path: '/organizations/{slug}/invitations',
  tags: ['invitations'],
  summary: 'List pending invitations, newest first',
  description: 'Invited members with their invitation: expiry, whether it has expired, how often it was sent and by whom. Any member of the organization may read them; an app needs `members:read`.',
  request: {
    params: OrgParams,
    query: z.object({
      limit: z.coerce.number().int().min(1).max(MAX_PENDING_PAGE).default(50).openapi({ description: `Items per page, 1 to ${MAX_PENDING_PAGE}` }),
      cursor: z.string().optional().openapi({ description: 'The `nextCursor` of the previous page' }),
    }),
  },
  responses: { 200: jsonContent(pageOf(PendingInvitationSchema), 'A page of pending invitations'), ...problemResponses() },
});

const resendRoute = createRoute({
  method: 'post',
  path: '/organizations/{slug}/invitations/{id}/resend',
  tags: ['invitations'],
  summary: 'Resend an invitation',
  description:
    'Emails a new link (the previous one stops working) with a new expiry from now. Reviving an expired invitation needs a free seat (429 otherwise). Only for members still invited (409 otherwise). Needs `members.manage`.',
  request: { params: InvitationParams },
  responses: { 200: jsonContent(PendingInvitationSchema, 'The invitation as it is now'), ...problemResponses(409, 429) },
});

const revokeRoute = createRoute({
  method: 'delete',
  path: '/organizations/{slug}/invitations/{id}',
  tags: ['invitations'],
  summary: 'Revoke an invitation',
  description:
    'Removes the invited member with their invitation and team memberships: the link stops working and the seat is free at once. Only for members still invited (409 otherwise). Needs `members.manage`.',
  request: { params: InvitationParams },
  responses: {
    200: jsonContent(z.object({ id: MemberId, email: z.string(), revoked: z.literal(true) }).openapi('RevokedInvitation'), 'The revoked invitation'),
    ...problemResponses(409),
  },
});

const importRoute = createRoute({
  method: 'post',
  path: '/organizations/{slug}/invitations/import',
  tags: ['invitations'],
  summary: 'Invite people from a CSV file',
  description: [
    'Per row, not all or nothing: every valid row is invited (as by POST …/invitations) and every other row is answered with why not,',
    'in file order: `invited`, `invalid_email`, `duplicate_in_file` (the first occurrence is used), `already_member`, `unknown_role`, `unknown_team`,',
    '`forbidden_role` (a role the caller may not give), or `over_seat_limit` (rows beyond the free seats, in file order).',
    'The body is the file itself, `Content-Type: text/csv`: a header row naming the columns `email` (required), `role` (empty: `member`)',
    `and \`teams\` (names separated by \`;\`), then at most ${MAX_IMPORT_ROWS.toLocaleString('en-US')} rows, within the server's request size limit`,
    '(MAX_BODY_BYTES, 2 MiB by default: room for 10,000 ordinary rows). A file that is not CSV, lacks the email column, names another column',
    'has too many rows, or is not sent as text/csv is refused as a whole (400). Needs `members.manage`.',
  ].join(' '),
  request: {
    params: OrgParams,
    body: { content: { 'text/csv': { schema: z.string().openapi({ example: CSV_EXAMPLE }) } }, required: true, description: 'The CSV file' },
  },
  responses: {
    200: jsonContent(z.object({ results: z.array(ImportedRowSchema) }), 'One result per row, in file order'),
    ...problemResponses(),
    413: { description: 'The file is larger than the request size limit (MAX_BODY_BYTES)', content: { 'application/json': { schema: z.object({ error: z.object({ code: z.string(), message: z.string() }) }) } } },
  },
});

export function registerInvitationRoutes(api: AdminApi, deps: AdminApiDeps): void {
  const delivery = { box: deps.box, publicUrl: deps.publicUrl };

  api.openapi(inviteRoute, async (c) => {
    const ctx = await enterOrganization(c.get('ctx'), c.req.valid('param').slug);
    const body = c.req.valid('json');
    const invited = await inviteMembers(ctx, { ...delivery, emails: body.emails, role: body.role, teams: body.teams });
    return c.json({ data: invited.map(invitedMemberJson) }, 201);
  });

  api.openapi(listRoute, async (c) => {
    const { limit, cursor } = c.req.valid('query');
    const ctx = await enterOrganization(c.get('ctx'), c.req.valid('param').slug);
    const page = await listPendingInvitations(ctx, { limit, after: decodeCursor(cursor, isCursor)?.id });
    return c.json({ data: page.items.map(pendingInvitationJson), nextCursor: page.next === undefined ? null : encodeCursor({ id: page.next }) }, 200);
  });

  api.openapi(resendRoute, async (c) => {
    const { slug, id } = c.req.valid('param');
    const ctx = await enterOrganization(c.get('ctx'), slug);
    return c.json(pendingInvitationJson(await resendInvitation(ctx, { ...delivery, memberId: id })), 200);
  });

  api.openapi(revokeRoute, async (c) => {
    const { slug, id } = c.req.valid('param');
    const ctx = await enterOrganization(c.get('ctx'), slug);
    return c.json(revokedInvitationJson(await revokeInvitation(ctx, { memberId: id })), 200);
  });

  api.openapi(importRoute, async (c) => {
    const ctx = await enterOrganization(c.get('ctx'), c.req.valid('param').slug);
    const type = (c.req.header('Content-Type') ?? '').split(';')[0]!.trim().toLowerCase();
    if (type !== 'text/csv') {
      throw new DomainError('invalid_input', `send the file as the request body with Content-Type: text/csv (got ${type === '' ? 'no Content-Type' : type})`, {
        details: { field: 'Content-Type' },
      });
    }
    const results = await importInvitations(ctx, { ...delivery, csv: await c.req.text() });
    return c.json({ results: results.map(importedRowJson) }, 200);
  });
}
