/**
 * What accepting an invitation changes, however the person proved who they are (a code sent to
 * the invited address, or their organization's IdP): the member becomes active (its source stays
 * `invitation`), the invitation row is deleted so the link dies, and the join is audited and put
 * in the member feed, all in the caller's transaction.
 */
import { and, eq } from 'drizzle-orm';
import { schema, type Database } from '../../db/index.ts';
import type { OrganizationId } from '../../ids.ts';
import { recordAudit } from '../audit.ts';
import type { Actor, OrgContext } from '../context.ts';
import { recordMemberEvent, type MemberRow } from '../members/index.ts';

/** How the invited person proved the address: a one-time code, or a sign-in at the organization's IdP. */
export type JoinedVia = { type: 'email_code' } | { type: 'sso'; connectionId: string };

/**
 * Activates an invited member (locked by the caller) and deletes its invitation. `changes` are
 * further columns to set (what the IdP said of the person). Returns the updated row.
 */
export async function joinInvitedMember(
  tx: Database,
  input: {
    organization: { id: OrganizationId; slug: string };
    member: MemberRow;
    invitationId: string;
    actor: Actor;
    via: JoinedVia;
    now: Date;
    changes?: Partial<typeof schema.members.$inferInsert>;
  },
): Promise<MemberRow> {
  const { member, now } = input;
  const [updated] = await tx
    .update(schema.members)
    .set({ ...input.changes, status: 'active', lastSignInAt: now, updatedAt: now })
    .where(and(eq(schema.members.organizationId, input.organization.id), eq(schema.members.id, member.id)))
    .returning();
  if (!updated) throw new Error(`invited member ${member.id} vanished while it was locked`);
  await tx.delete(schema.invitations).where(and(eq(schema.invitations.organizationId, input.organization.id), eq(schema.invitations.id, input.invitationId)));
  const via = input.via.type === 'sso' ? { via: 'sso', connection: input.via.connectionId } : { via: 'email_code' };
  await recordAudit(tx, input.actor, {
    organizationId: input.organization.id,
    action: 'member.joined',
    target: { type: 'member', id: member.id },
    details: { email: member.email, role: member.role, ...via },
    before: { status: member.status },
    after: { status: 'active' },
  });
  const ctx: OrgContext = { db: tx, actor: input.actor, organization: input.organization, clock: () => now };
  await recordMemberEvent(tx, ctx, { type: 'member.joined', memberId: member.id, data: { email: member.email, role: member.role, ...via } });
  return updated;
}

/** The invited person acting on their own invitation: what the audit log and the member feed name. */
export function invitedActor(member: MemberRow): Actor {
  return {
    type: 'member',
    id: member.id,
    organizationId: member.organizationId as OrganizationId,
    email: member.email,
    role: member.role,
    permissions: new Set(),
    teamAdminOf: new Set(),
  };
}
