/**
 * Inviting people by address: all of them or none. Each becomes a member with status `invited`
 * (their role and teams already set, a seat taken while the invitation lives), with an invitation
 * whose link is emailed in the same transaction.
 */
import { withTransaction } from '../../db/index.ts';
import { DomainError } from '../../errors.ts';
import { requirePermission } from '../access/index.ts';
import type { OrgContext } from '../context.ts';
import { emailKey, requireSeats } from '../members/index.ts';
import { addressProblem, parseEmailAddress } from './addresses.ts';
import {
  existingMembers,
  inviterName,
  loadInvitingOrganization,
  loadRoles,
  loadTeams,
  roleRefusal,
  teamNameKey,
  writeInvitations,
  type InvitationDelivery,
  type InvitedMember,
  type TeamRef,
} from './invitation-writes.ts';

/** The most addresses one request invites; larger lists go through a CSV import. */
export const MAX_INVITATIONS_PER_REQUEST = 100;

export interface InviteMembersInput extends InvitationDelivery {
  emails: readonly string[];
  /** A role of the organization (built-in or custom); `member` when absent. */
  role?: string | undefined;
  /** Names of existing teams the invited members join. */
  teams?: readonly string[] | undefined;
}

/**
 * Invites every address or none: a bad address, an unknown role or team, an address that is
 * already a member's (invited ones included), or too few free seats refuses the whole request and
 * writes nothing.
 */
export async function inviteMembers(ctx: OrgContext, input: InviteMembersInput): Promise<InvitedMember[]> {
  requirePermission(ctx, 'members.manage', 'inviting members');
  const emails = validateEmails(input.emails);
  const role = (input.role ?? 'member').trim().toLowerCase();
  const refusal = roleRefusal(ctx, role);
  if (refusal !== undefined) throw new DomainError('forbidden', refusal, { details: { field: 'role' } });
  const teamNames = [...new Map((input.teams ?? []).map((name) => [teamNameKey(name), name.trim()])).values()];
  if (teamNames.some((name) => name === '')) throw new DomainError('invalid_input', 'a team name is empty', { details: { field: 'teams' } });

  return withTransaction(ctx.db, async (tx) => {
    const roles = await loadRoles(tx, ctx);
    if (!roles.has(role)) {
      throw new DomainError('invalid_input', `no role "${role}" in this organization (roles: ${[...roles.keys()].sort().join(', ')})`, {
        details: { field: 'role' },
      });
    }
    const found = await loadTeams(tx, ctx, teamNames);
    const teams: TeamRef[] = [];
    for (const name of teamNames) {
      const team = found.get(teamNameKey(name));
      if (!team) throw new DomainError('invalid_input', `no team "${name}" in this organization; create it first or leave it out`, { details: { field: 'teams', team: name } });
      teams.push(team);
    }

    // The seat check locks the organization's row: concurrent invitations to it wait here, so the
    // addresses checked next cannot be invited meanwhile by another invitation.
    await requireSeats(tx, ctx, emails.length, emails.length === 1 ? `inviting ${emails[0]}` : `inviting ${emails.length} members`);
    const existing = await existingMembers(
      tx,
      ctx,
      emails.map((e) => emailKey(e)),
    );
    if (existing.size > 0) throw alreadyMembers(emails, existing);

    const organization = await loadInvitingOrganization(tx, ctx);
    const written = await writeInvitations(
      tx,
      ctx,
      organization,
      emails.map((email) => ({ email, role, teams })),
      { box: input.box, publicUrl: input.publicUrl, roleNames: roles, inviter: await inviterName(tx, ctx) },
    );
    // An address that became a member's by another way (a sign-in, SCIM) since the check.
    if (written.taken.size > 0) {
      throw new DomainError('conflict', `${[...written.taken].join(', ')} became a member meanwhile; nothing was invited, try again without it`, {
        details: { emails: [...written.taken] },
      });
    }
    return written.invited;
  });
}

function validateEmails(raw: readonly string[]): string[] {
  if (raw.length === 0) throw new DomainError('invalid_input', 'give at least one email address to invite', { details: { field: 'emails' } });
  if (raw.length > MAX_INVITATIONS_PER_REQUEST) {
    throw new DomainError('invalid_input', `at most ${MAX_INVITATIONS_PER_REQUEST} addresses per request (got ${raw.length}); import a CSV file for more`, {
      details: { field: 'emails', limit: MAX_INVITATIONS_PER_REQUEST },
    });
  }
  const seen = new Set<string>();
  return raw.map((value) => {
    const email = parseEmailAddress(value);
    if (email === undefined) throw new DomainError('invalid_input', addressProblem(value), { details: { field: 'emails', email: value } });
    const key = emailKey(email);
    if (seen.has(key)) throw new DomainError('invalid_input', `${email} is listed twice`, { details: { field: 'emails', email } });
    seen.add(key);
    return email;
  });
}

function alreadyMembers(emails: readonly string[], existing: ReadonlyMap<string, { id: string; status: string }>): DomainError {
  const clashes = emails.flatMap((email) => {
    const member = existing.get(emailKey(email));
    return member ? [{ email, id: member.id, status: member.status }] : [];
  });
  const what = clashes.map((c) =>
    c.status === 'invited'
      ? `${c.email} is already invited (member ${c.id}): resend that invitation instead`
      : c.status === 'deactivated'
        ? `${c.email} is already a member, deactivated (member ${c.id}): reactivate them instead`
        : `${c.email} is already a member (member ${c.id})`,
  );
  return new DomainError('conflict', `nothing was invited: ${what.join('; ')}`, { details: { members: clashes } });
}
