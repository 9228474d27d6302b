/**
 * Members: one person in one organization, as the app sees them. The id is the `sub` of the ID
 * tokens Roster issues. This file holds the member's shape and what SSO needs of one: resolving a
 * sign-in to a member (just in time) and whether a signed-in member answers a request. Reading
 * and changing members lives beside it (member-list.ts, member-changes.ts, member-status.ts).
 */
import { and, eq, sql } from 'drizzle-orm';
import { schema, withTransaction, type Database } from '../../db/index.ts';
import { isUuid, newId, type OrganizationId } from '../../ids.ts';
import { recordAudit } from '../audit.ts';
import { recordMemberEventsOf } from './member-events.ts';
import { acceptInvitationAtSignIn } from '../invitations/index.ts';
import type { Actor } from '../context.ts';

export type MemberStatus = 'invited' | 'active' | 'deactivated';
export type MemberSource = 'invitation' | 'jit' | 'scim' | 'admin';
export type TeamRole = 'member' | 'admin';

/** A team the member is in, and their role in it. */
export interface MemberTeam {
  id: string;
  name: string;
  role: TeamRole;
}

export interface Member {
  id: string;
  organizationId: OrganizationId;
  email: string;
  givenName: string | null;
  familyName: string | null;
  displayName: string | null;
  avatarUrl: string | null;
  status: MemberStatus;
  role: string;
  /** The member's teams, by name. */
  teams: MemberTeam[];
  source: MemberSource;
  directoryUserId: string | null;
  lastSignInAt: Date | null;
  lastSeenAt: Date | null;
  deactivatedAt: Date | null;
  createdAt: Date;
}

/** What an IdP said about the person, already normalised by the protocol layer. */
export interface SignInProfile {
  subject: string;
  email: string | undefined;
  emailVerified: boolean;
  givenName: string | undefined;
  familyName: string | undefined;
  displayName: string | undefined;
  groups: string[];
  raw: Record<string, string[]>;
}

export type SignInRefusal = 'missing_email' | 'member_deactivated' | 'email_belongs_to_another_identity';

export type ResolvedSignIn = { ok: true; member: Member; created: boolean } | { ok: false; reason: SignInRefusal; detail: string; memberId?: string };

/** Emails compare case-insensitively (RFC 5321 allows case-sensitive local parts; no IdP relies on it). */
export const emailKey = (email: string) => email.trim().toLowerCase();

/**
 * Resolves a valid IdP sign-in to a member of the connection's organization, in one transaction:
 * a known identity (connection + subject) signs its member in and refreshes what the IdP says of
 * them; a new identity creates a member just in time, unless its email is already a member's,
 * which is refused rather than silently linked (an IdP that reissues subjects, or a second IdP
 * claiming someone's address, must not take over their account).
 */
export async function resolveSignIn(
  db: Database,
  input: { organizationId: OrganizationId; connectionId: string; profile: SignInProfile },
  now = new Date(),
): Promise<ResolvedSignIn> {
  const { profile } = input;
  const actor: Actor = { type: 'connection', id: input.connectionId };
  return withTransaction(db, async (tx) => {
    const linked = await findLinked(tx, input.connectionId, profile.subject);
    if (linked) return signInLinked(tx, linked, profile, now);

    if (profile.email === undefined) {
      return { ok: false, reason: 'missing_email', detail: 'the IdP sent no email address for a new member' };
    }
    const id = newId();
    const [created] = await tx
      .insert(schema.members)
      .values({
        id,
        organizationId: input.organizationId,
        email: profile.email.trim(),
        emailKey: emailKey(profile.email),
        emailVerified: profile.emailVerified,
        givenName: profile.givenName ?? null,
        familyName: profile.familyName ?? null,
        displayName: profile.displayName ?? null,
        status: 'active',
        role: 'member',
        source: 'jit',
        lastSignInAt: now,
      })
      .onConflictDoNothing()
      .returning();
    if (!created) {
      // The address is taken. By this same identity's first sign-in running at the same moment
      // (a double click)? The insert waited for it to commit, and this statement sees it.
      const raced = await findLinked(tx, input.connectionId, profile.subject);
      if (raced) return signInLinked(tx, raced, profile, now);
      // An invited member with this address: signing in here accepts their live invitation.
      const joined = await acceptInvitationAtSignIn(tx, { organizationId: input.organizationId, connectionId: input.connectionId, profile }, now);
      if (joined) return { ok: true, member: joined, created: false };
      return {
        ok: false,
        reason: 'email_belongs_to_another_identity',
        detail: `${profile.email} is already a member's address, linked to another identity; an admin must link this one`,
      };
    }
    await tx.insert(schema.memberIdentities).values({
      id: newId(),
      organizationId: input.organizationId,
      memberId: id,
      connectionId: input.connectionId,
      subject: profile.subject,
      groups: profile.groups,
      rawAttributes: profile.raw,
      lastSignInAt: now,
    });
    await recordAudit(tx, actor, {
      organizationId: input.organizationId,
      action: 'member.created',
      target: { type: 'member', id },
      details: { email: created.email, source: 'jit', connection: input.connectionId },
      after: { email: created.email, status: 'active', role: created.role, source: 'jit' },
    });
    // Made just in time by a first sign-in: the member has joined, as an accepted invitation does.
    await recordMemberEventsOf(tx, input.organizationId, actor, [
      { type: 'member.joined', memberId: id, data: { email: created.email, role: created.role, source: 'jit', connection: input.connectionId } },
    ]);
    return { ok: true, member: toMember(created, []), created: true };
  });
}

type Linked = { member: typeof schema.members.$inferSelect; identityId: string };

async function findLinked(tx: Database, connectionId: string, subject: string): Promise<Linked | undefined> {
  const [linked] = await tx
    .select({ member: schema.members, identityId: schema.memberIdentities.id })
    .from(schema.memberIdentities)
    .innerJoin(schema.members, and(eq(schema.members.organizationId, schema.memberIdentities.organizationId), eq(schema.members.id, schema.memberIdentities.memberId)))
    .where(and(eq(schema.memberIdentities.connectionId, connectionId), eq(schema.memberIdentities.subject, subject)))
    .for('update', { of: schema.members });
  return linked;
}

async function signInLinked(tx: Database, linked: Linked, profile: SignInProfile, now: Date): Promise<ResolvedSignIn> {
  const member = linked.member;
  if (member.status === 'deactivated') {
    return { ok: false, reason: 'member_deactivated', detail: `member ${member.id} is deactivated`, memberId: member.id };
  }
  await tx
    .update(schema.memberIdentities)
    .set({ groups: profile.groups, rawAttributes: profile.raw, lastSignInAt: now })
    .where(eq(schema.memberIdentities.id, linked.identityId));
  const refreshed = await refreshMember(tx, member, profile, now);
  return { ok: true, member: toMember(refreshed, []), created: false };
}

async function refreshMember(tx: Database, member: typeof schema.members.$inferSelect, profile: SignInProfile, now: Date) {
  const changes: Partial<typeof schema.members.$inferInsert> = { lastSignInAt: now, updatedAt: now };
  // Whether the address is verified is what the IdP says of it now (for the address kept below).
  if (profile.email !== undefined && emailKey(profile.email) === member.emailKey) changes.emailVerified = profile.emailVerified;
  if (profile.givenName !== undefined) changes.givenName = profile.givenName;
  if (profile.familyName !== undefined) changes.familyName = profile.familyName;
  if (profile.displayName !== undefined) changes.displayName = profile.displayName;
  // A changed address is taken only when no other member has it: the IdP is the source of truth
  // for its own person, but it cannot take another member's address.
  if (profile.email !== undefined && emailKey(profile.email) !== member.emailKey) {
    const [taken] = await tx
      .select({ id: schema.members.id })
      .from(schema.members)
      .where(and(eq(schema.members.organizationId, member.organizationId), eq(schema.members.emailKey, emailKey(profile.email))));
    if (!taken) {
      changes.email = profile.email.trim();
      changes.emailKey = emailKey(profile.email);
      changes.emailVerified = profile.emailVerified;
    }
  }
  const [row] = await tx.update(schema.members).set(changes).where(eq(schema.members.id, member.id)).returning();
  return row ?? member;
}

/** A member row as the domain shows it, with the teams read beside it. */
export function toMember(row: typeof schema.members.$inferSelect, teams: MemberTeam[]): Member {
  return {
    id: row.id,
    organizationId: row.organizationId as OrganizationId,
    email: row.email,
    givenName: row.givenName,
    familyName: row.familyName,
    displayName: row.displayName,
    avatarUrl: row.avatarUrl,
    status: row.status,
    role: row.role,
    teams,
    source: row.source,
    directoryUserId: row.directoryUserId,
    lastSignInAt: row.lastSignInAt,
    lastSeenAt: row.lastSeenAt,
    deactivatedAt: row.deactivatedAt,
    createdAt: row.createdAt,
  };
}

/**
 * Whether a signed-in member answers a sign-in request naming an organization (slug) or a
 * connection: a member of that organization, and, for a connection, one linked through it.
 */
export async function memberFitsRequest(db: Database, memberId: string, request: { organization?: string; connection?: string }): Promise<boolean> {
  if (request.connection !== undefined && !isUuid(request.connection)) return false;
  const connection = request.connection?.toLowerCase();
  const [row] = await db
    .select({ slug: schema.organizations.slug, identity: schema.memberIdentities.id })
    .from(schema.members)
    .innerJoin(schema.organizations, eq(schema.organizations.id, schema.members.organizationId))
    .leftJoin(
      schema.memberIdentities,
      and(
        eq(schema.memberIdentities.memberId, schema.members.id),
        connection === undefined ? sql`false` : eq(schema.memberIdentities.connectionId, connection),
      ),
    )
    .where(eq(schema.members.id, memberId))
    .limit(1);
  if (!row) return false;
  if (request.organization !== undefined && request.organization !== row.slug) return false;
  return connection === undefined || row.identity !== null;
}
