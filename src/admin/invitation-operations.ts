/**
 * Invitations and the outbox from the CLI, and the JSON both the CLI and the admin API answer
 * with: the same verbs, the same shapes. The field names are a contract other tooling relies on
 * (`roster member invite --json` prints exactly an invited member).
 */
import { z } from 'zod';
import {
  enterOrganization,
  importInvitations,
  inviteMembers,
  listOutbox,
  listPendingInvitations,
  MAX_OUTBOX_PAGE,
  MAX_PENDING_PAGE,
  resendInvitation,
  revokeInvitation,
  type ImportedRow,
  type InvitedMember,
  type OutboxEntry,
  type PendingInvitation,
  type RevokedInvitation,
} from '../directory/index.ts';
import { define, type OperationEnv } from './operation.ts';

const iso = (d: Date | null) => (d === null ? null : d.toISOString());

/** What inviting answers, per invited member. */
export const invitedMemberJson = (m: InvitedMember) => ({ id: m.id, email: m.email, status: m.status, role: m.role, teams: m.teams, expiresAt: m.expiresAt.toISOString() });

export const pendingInvitationJson = (p: PendingInvitation) => ({
  id: p.id,
  email: p.email,
  status: p.status,
  role: p.role,
  teams: p.teams,
  expiresAt: p.expiresAt.toISOString(),
  expired: p.expired,
  sentCount: p.sentCount,
  lastSentAt: p.lastSentAt.toISOString(),
  invitedBy: p.invitedBy,
  createdAt: p.createdAt.toISOString(),
});

export const revokedInvitationJson = (r: RevokedInvitation) => ({ id: r.id, email: r.email, revoked: true as const });

/** One row of a CSV import's answer; `id` and `expiresAt` only for invited rows. */
export const importedRowJson = (r: ImportedRow) => ({
  row: r.row,
  email: r.email,
  result: r.result,
  detail: r.detail,
  ...(r.id === undefined ? {} : { id: r.id }),
  ...(r.expiresAt === undefined ? {} : { expiresAt: r.expiresAt.toISOString() }),
});

export const outboxEntryJson = (e: OutboxEntry) => ({
  id: e.id,
  to: e.to,
  kind: e.kind,
  subject: e.subject,
  text: e.text,
  createdAt: e.createdAt.toISOString(),
  sentAt: iso(e.sentAt),
  sentVia: e.sentVia,
});

const org = z.string().min(1);
const orgCtx = (env: OperationEnv, slug: string) => enterOrganization({ db: env.handle.db, actor: env.actor }, slug);
const delivery = (env: OperationEnv) => ({ box: env.box, publicUrl: env.publicUrl });

export const invitationOperations = {
  /** One address answers one invited member; a list of addresses answers a list. */
  'member.invite': define({
    input: z.object({ org, email: z.union([z.string(), z.array(z.string()).min(1)]), role: z.string().optional(), teams: z.array(z.string()).optional() }),
    run: async (env, input) => {
      const ctx = await orgCtx(env, input.org);
      const emails = typeof input.email === 'string' ? [input.email] : input.email;
      const invited = (await inviteMembers(ctx, { ...delivery(env), emails, role: input.role, teams: input.teams })).map(invitedMemberJson);
      return typeof input.email === 'string' ? invited[0] : invited;
    },
  }),

  'member.import': define({
    input: z.object({ org, csv: z.string() }),
    run: async (env, input) => (await importInvitations(await orgCtx(env, input.org), { ...delivery(env), csv: input.csv })).map(importedRowJson),
  }),

  'invitation.list': define({
    input: z.object({ org, limit: z.number().int().min(1).max(MAX_PENDING_PAGE).optional(), after: z.string().optional() }),
    run: async (env, input) => {
      const page = await listPendingInvitations(await orgCtx(env, input.org), { limit: input.limit ?? 50, after: input.after });
      return page.items.map(pendingInvitationJson);
    },
  }),

  'invitation.resend': define({
    input: z.object({ org, member: z.string() }),
    run: async (env, input) => pendingInvitationJson(await resendInvitation(await orgCtx(env, input.org), { ...delivery(env), memberId: input.member })),
  }),

  'invitation.revoke': define({
    input: z.object({ org, member: z.string() }),
    run: async (env, input) => revokedInvitationJson(await revokeInvitation(await orgCtx(env, input.org), { memberId: input.member })),
  }),

  'mail.list': define({
    input: z.object({ org: org.optional(), limit: z.number().int().min(1).max(MAX_OUTBOX_PAGE).optional() }),
    run: async (env, input) => {
      const ctx = { db: env.handle.db, actor: env.actor };
      const organizationId = input.org === undefined ? undefined : (await enterOrganization(ctx, input.org)).organization.id;
      return (await listOutbox(ctx, env.box, { organizationId, limit: input.limit ?? 20 })).map(outboxEntryJson);
    },
  }),
};
