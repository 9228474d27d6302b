/**
 * Resending an invitation: a new link (the old one dies with its hash), a new expiry from now, and
 * the email again. An expired invitation held no seat, so reviving it needs a free one.
 */
import { and, eq, sql } from 'drizzle-orm';
import { jsonValue, schema, withTransaction } from '../../db/index.ts';
import { DomainError } from '../../errors.ts';
import { isUuid, newId } from '../../ids.ts';
import { requirePermission } from '../access/index.ts';
import { recordAudit } from '../audit.ts';
import { nowOf, type OrgContext } from '../context.ts';
import { enqueueMails, withdrawUnsentMails } from '../mail/index.ts';
import { requireSeats } from '../members/index.ts';
import { INVITATION_MAIL_KIND, invitationMail } from './invitation-mail.ts';
import { inviterName, loadInvitingOrganization, type InvitationDelivery } from './invitation-writes.ts';
import { findPendingInvitation, teamNamesOfMember, type PendingInvitation } from './pending.ts';
import { hashInvitationToken, invitationLink, newInvitationToken } from './tokens.ts';

export async function resendInvitation(ctx: OrgContext, input: InvitationDelivery & { memberId: string }): Promise<PendingInvitation> {
  requirePermission(ctx, 'members.manage', 'resending invitations');
  const memberId = input.memberId.toLowerCase();
  if (!isUuid(memberId)) throw noInvitation(input.memberId);
  return withTransaction(ctx.db, async (tx) => {
    const m = schema.members;
    const i = schema.invitations;
    const [row] = await tx
      .select({ email: m.email, status: m.status, role: m.role, roleName: schema.roles.name, teams: teamNamesOfMember(), expiresAt: i.expiresAt, sentCount: i.sentCount })
      .from(m)
      .innerJoin(schema.roles, and(eq(schema.roles.organizationId, m.organizationId), eq(schema.roles.key, m.role)))
      .leftJoin(i, and(eq(i.organizationId, m.organizationId), eq(i.memberId, m.id)))
      .where(and(eq(m.organizationId, ctx.organization.id), eq(m.id, memberId)))
      .for('update', { of: [m] });
    if (!row) throw noInvitation(input.memberId);
    if (row.status !== 'invited') throw notInvited(memberId, row.status);

    const now = nowOf(ctx);
    const expired = row.expiresAt === null || row.expiresAt.getTime() <= now.getTime();
    if (expired) await requireSeats(tx, ctx, 1, `resending the expired invitation of ${row.email}`);

    const organization = await loadInvitingOrganization(tx, ctx);
    const token = newInvitationToken();
    const expiresAt = new Date(now.getTime() + organization.ttlHours * 3600_000);
    const sentCount = (row.sentCount ?? 0) + 1;
    // An invited member always has their invitation; should one be missing, resending makes it anew.
    await tx
      .insert(i)
      .values({
        id: newId(),
        organizationId: ctx.organization.id,
        memberId,
        tokenHash: hashInvitationToken(token),
        expiresAt,
        invitedByType: ctx.actor.type,
        invitedById: ctx.actor.id,
        sentCount,
        lastSentAt: now,
      })
      .onConflictDoUpdate({ target: i.memberId, set: { tokenHash: sql`excluded.token_hash`, expiresAt, sentCount, lastSentAt: now } });
    await recordAudit(tx, ctx.actor, {
      organizationId: ctx.organization.id,
      action: 'member.invitation_resent',
      target: { type: 'member', id: memberId },
      details: { email: row.email, wasExpired: expired },
      before: { expiresAt: row.expiresAt?.toISOString() ?? null, sentCount: row.sentCount },
      after: { expiresAt: expiresAt.toISOString(), sentCount },
    });
    // An earlier email still waiting to leave would carry the link that just died.
    await withdrawUnsentMails(tx, { organizationId: ctx.organization.id, kind: INVITATION_MAIL_KIND, to: row.email });
    await enqueueMails(tx, input.box, [
      invitationMail({
        organizationId: ctx.organization.id,
        organizationName: organization.name,
        inviter: await inviterName(tx, ctx),
        to: row.email,
        roleName: row.roleName,
        teams: jsonValue<string[]>(row.teams),
        link: invitationLink(input.publicUrl, token),
        expiresAt,
        resent: true,
      }),
    ]);
    const pending = await findPendingInvitation(tx, ctx, memberId);
    if (!pending) throw new Error(`invitation of member ${memberId} vanished inside its transaction`);
    return pending;
  });
}

export function noInvitation(memberId: string): DomainError {
  return new DomainError('not_found', `no member ${memberId} in this organization`);
}

export function notInvited(memberId: string, status: string): DomainError {
  return new DomainError('conflict', `member ${memberId} is ${status}, not invited: there is no pending invitation to act on`, {
    details: { status },
  });
}
