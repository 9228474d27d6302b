/**
 * Accepting an invitation from its emailed link. The token in the link is the credential: whoever
 * holds it sees the invitation, and proves they own the invited address either at the
 * organization's IdP (see accept-sign-in.ts) or, for an organization without SSO, with a one-time
 * code sent to that address. The change is recorded as the invited member's own.
 */
import { and, count, eq } from 'drizzle-orm';
import { schema, withTransaction, type Database } from '../../db/index.ts';
import { DomainError } from '../../errors.ts';
import type { OrganizationId } from '../../ids.ts';
import type { SecretBox } from '../../secrets/index.ts';
import { inOrganization, nowOf, type Context } from '../context.ts';
import { issueEmailCode, toMember, verifyEmailCode, type EmailCodeRefusal, type IssuedEmailCode, type Member, type MemberRow } from '../members/index.ts';
import { invitedActor, joinInvitedMember } from './accept-join.ts';
import { hashInvitationToken } from './tokens.ts';

export interface InvitationView {
  organization: { id: OrganizationId; slug: string; name: string };
  memberId: string;
  email: string;
  role: { key: string; name: string };
  expiresAt: Date;
  /** The organization signs its people in through an IdP: the invitation is accepted by signing in there. */
  signsInWithSso: boolean;
}

export type InvitationLookup = { state: 'valid'; invitation: InvitationView } | { state: 'expired'; invitation: InvitationView } | { state: 'unknown' };

/** A token as links carry it (base64url); anything else names no invitation. */
const TOKEN = /^[A-Za-z0-9_-]{16,128}$/;

/**
 * The invitation a link's token names: `unknown` when there is none (never was, already accepted,
 * revoked, or replaced by a resend), `expired` once its time is up (ctx's clock).
 */
export async function findInvitation(ctx: Context, token: string): Promise<InvitationLookup> {
  const found = await loadByToken(ctx.db, token, false);
  if (!found) return { state: 'unknown' };
  const view = await viewOf(ctx.db, found);
  return { state: found.invitation.expiresAt > nowOf(ctx) ? 'valid' : 'expired', invitation: view };
}

/**
 * Emails a one-time code to the invited address, bound to the browser holding `browserSecret`.
 * Refused when the link is no longer valid or has expired, when the organization signs its people
 * in through an IdP, and (limit_exceeded) after too many codes.
 */
export async function sendInvitationCode(ctx: Context, box: SecretBox, input: { token: string; browserSecret: string }): Promise<IssuedEmailCode & { email: string }> {
  const { found, view } = usable(ctx, await withView(ctx.db, await loadByToken(ctx.db, input.token, false)));
  const org = inOrganization({ ...ctx, actor: invitedActor(found.member) }, { id: view.organization.id, slug: view.organization.slug });
  const issued = await issueEmailCode(org, box, { memberId: found.member.id, purpose: 'invitation', browserSecret: input.browserSecret });
  return { ...issued, email: found.member.email };
}

export type InvitationCodeAcceptance =
  | { ok: true; member: Member; organization: { id: OrganizationId; slug: string } }
  | { ok: false; reason: EmailCodeRefusal; attemptsLeft: number };

/**
 * Accepts the invitation with the code sent to the invited address, typed in the browser that
 * asked for it: in one transaction the code is used, the member joins (active), the invitation is
 * deleted, and the join is audited and put in the member feed. A wrong code spends one of its
 * tries (committed) and changes nothing else. The caller opens the member's session.
 */
export async function acceptInvitationWithCode(ctx: Context, input: { token: string; code: string; browserSecret: string }): Promise<InvitationCodeAcceptance> {
  return withTransaction(ctx.db, async (tx) => {
    const { found, view } = usable(ctx, await withView(tx, await loadByToken(tx, input.token, true)));
    const check = await verifyEmailCode({ ...ctx, db: tx }, { purpose: 'invitation', browserSecret: input.browserSecret, code: input.code, memberId: found.member.id });
    if (check.ok === false) return check;
    if (check.ok !== true) throw new Error('an invitation code names one member');
    const organization = { id: view.organization.id, slug: view.organization.slug };
    const joined = await joinInvitedMember(tx, {
      organization,
      member: found.member,
      invitationId: found.invitation.id,
      actor: invitedActor(found.member),
      via: { type: 'email_code' },
      now: nowOf(ctx),
      // The code proved the address.
      changes: { emailVerified: true },
    });
    return { ok: true, member: toMember(joined, []), organization };
  });
}

type Found = { invitation: typeof schema.invitations.$inferSelect; member: MemberRow };

async function loadByToken(db: Database, token: string, lock: boolean): Promise<Found | undefined> {
  if (!TOKEN.test(token)) return undefined;
  const query = db
    .select({ invitation: schema.invitations, member: schema.members })
    .from(schema.invitations)
    .innerJoin(schema.members, and(eq(schema.members.organizationId, schema.invitations.organizationId), eq(schema.members.id, schema.invitations.memberId)))
    .where(and(eq(schema.invitations.tokenHash, hashInvitationToken(token)), eq(schema.members.status, 'invited')));
  const [row] = lock ? await query.for('update') : await query;
  return row;
}

async function viewOf(db: Database, found: Found): Promise<InvitationView> {
  const organizationId = found.invitation.organizationId;
  const [org] = await db.select().from(schema.organizations).where(eq(schema.organizations.id, organizationId));
  const [role] = await db
    .select({ name: schema.roles.name })
    .from(schema.roles)
    .where(and(eq(schema.roles.organizationId, organizationId), eq(schema.roles.key, found.member.role)));
  const [connections] = await db.select({ n: count() }).from(schema.ssoConnections).where(eq(schema.ssoConnections.organizationId, organizationId));
  if (!org) throw new Error(`invitation ${found.invitation.id} has no organization`);
  return {
    organization: { id: org.id as OrganizationId, slug: org.slug, name: org.name },
    memberId: found.member.id,
    email: found.member.email,
    role: { key: found.member.role, name: role?.name ?? found.member.role },
    expiresAt: found.invitation.expiresAt,
    signsInWithSso: (connections?.n ?? 0) > 0,
  };
}

async function withView(db: Database, found: Found | undefined) {
  return found && { found, view: await viewOf(db, found) };
}

/** The invitation, when a code may accept it; otherwise why not. */
function usable(ctx: Context, loaded: { found: Found; view: InvitationView } | undefined): { found: Found; view: InvitationView } {
  if (!loaded) throw new DomainError('not_found', 'this invitation link is no longer valid: it was already used, withdrawn, or replaced by a newer one');
  const { found, view } = loaded;
  if (found.invitation.expiresAt <= nowOf(ctx)) {
    throw new DomainError('precondition_failed', `this invitation expired on ${found.invitation.expiresAt.toISOString()}; ask for a new one`, {
      details: { reason: 'invitation_expired', expiresAt: found.invitation.expiresAt.toISOString() },
    });
  }
  if (view.signsInWithSso) {
    throw new DomainError('precondition_failed', `${view.organization.name} signs its people in with single sign-on: accept the invitation by signing in there`, {
      details: { reason: 'sso_required' },
    });
  }
  return loaded;
}
