/**
 * Revoking an invitation removes the invited member: the link dies with its invitation row, their
 * team memberships go with them (cascades), and their seat is free again at once.
 */
import { and, eq } from 'drizzle-orm';
import { jsonValue, schema, withTransaction } from '../../db/index.ts';
import { isUuid } from '../../ids.ts';
import { requirePermission } from '../access/index.ts';
import { recordAudit } from '../audit.ts';
import type { OrgContext } from '../context.ts';
import { withdrawUnsentMails } from '../mail/index.ts';
import { recordMemberEvent } from '../members/index.ts';
import { INVITATION_MAIL_KIND } from './invitation-mail.ts';
import { teamNamesOfMember } from './pending.ts';
import { noInvitation, notInvited } from './resend.ts';

export interface RevokedInvitation {
  id: string;
  email: string;
}

export async function revokeInvitation(ctx: OrgContext, input: { memberId: string }): Promise<RevokedInvitation> {
  requirePermission(ctx, 'members.manage', 'revoking invitations');
  const memberId = input.memberId.toLowerCase();
  if (!isUuid(memberId)) throw noInvitation(input.memberId);
  return withTransaction(ctx.db, async (tx) => {
    const m = schema.members;
    const [row] = await tx
      .select({ email: m.email, status: m.status, role: m.role, teams: teamNamesOfMember() })
      .from(m)
      .where(and(eq(m.organizationId, ctx.organization.id), eq(m.id, memberId)))
      .for('update');
    if (!row) throw noInvitation(input.memberId);
    if (row.status !== 'invited') throw notInvited(memberId, row.status);
    await tx.delete(m).where(and(eq(m.organizationId, ctx.organization.id), eq(m.id, memberId)));
    // An invitation email that has not left yet must not arrive after all.
    await withdrawUnsentMails(tx, { organizationId: ctx.organization.id, kind: INVITATION_MAIL_KIND, to: row.email });
    await recordAudit(tx, ctx.actor, {
      organizationId: ctx.organization.id,
      action: 'member.removed',
      target: { type: 'member', id: memberId },
      details: { reason: 'invitation_revoked' },
      before: { email: row.email, status: row.status, role: row.role, teams: jsonValue<string[]>(row.teams) },
    });
    await recordMemberEvent(tx, ctx, { type: 'member.removed', memberId, data: { reason: 'invitation_revoked', email: row.email } });
    return { id: memberId, email: row.email };
  });
}
