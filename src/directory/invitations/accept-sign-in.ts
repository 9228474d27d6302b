/**
 * Accepting an invitation by signing in at the organization's IdP: the first sign-in of a new
 * identity whose address is an invited member's, while that member's invitation lives, links the
 * identity to that member and activates them. The IdP is the organization's own connection, so
 * its word on the address is what the organization trusts (as for a just-in-time member); an
 * expired invitation links nothing and the sign-in is refused as before.
 */
import { and, eq, gt } from 'drizzle-orm';
import { schema, type Database } from '../../db/index.ts';
import { newId, type OrganizationId } from '../../ids.ts';
import type { Actor } from '../context.ts';
import { emailKey, toMember, type Member, type SignInProfile } from '../members/index.ts';
import { joinInvitedMember } from './accept-join.ts';

/**
 * Called by the sign-in resolution, in its transaction, when a new identity's address is already
 * a member's: the member it activates with the identity linked, or undefined when that member is
 * not invited or its invitation has expired.
 */
export async function acceptInvitationAtSignIn(
  tx: Database,
  input: { organizationId: OrganizationId; connectionId: string; profile: SignInProfile },
  now: Date,
): Promise<Member | undefined> {
  const { profile } = input;
  if (profile.email === undefined) return undefined;
  const [found] = await tx
    .select({ member: schema.members, invitationId: schema.invitations.id, slug: schema.organizations.slug })
    .from(schema.members)
    .innerJoin(schema.invitations, and(eq(schema.invitations.organizationId, schema.members.organizationId), eq(schema.invitations.memberId, schema.members.id)))
    .innerJoin(schema.organizations, eq(schema.organizations.id, schema.members.organizationId))
    .where(
      and(
        eq(schema.members.organizationId, input.organizationId),
        eq(schema.members.emailKey, emailKey(profile.email)),
        eq(schema.members.status, 'invited'),
        gt(schema.invitations.expiresAt, now),
      ),
    )
    .for('update', { of: [schema.members, schema.invitations] });
  if (!found) return undefined;
  const actor: Actor = { type: 'connection', id: input.connectionId };
  await tx.insert(schema.memberIdentities).values({
    id: newId(),
    organizationId: input.organizationId,
    memberId: found.member.id,
    connectionId: input.connectionId,
    subject: profile.subject,
    groups: profile.groups,
    rawAttributes: profile.raw,
    lastSignInAt: now,
  });
  const joined = await joinInvitedMember(tx, {
    organization: { id: input.organizationId, slug: found.slug },
    member: found.member,
    invitationId: found.invitationId,
    actor,
    via: { type: 'sso', connectionId: input.connectionId },
    now,
    changes: {
      emailVerified: profile.emailVerified,
      ...(profile.givenName === undefined ? {} : { givenName: profile.givenName }),
      ...(profile.familyName === undefined ? {} : { familyName: profile.familyName }),
      ...(profile.displayName === undefined ? {} : { displayName: profile.displayName }),
    },
  });
  return toMember(joined, []);
}
