/**
 * What inviting one person and inviting ten thousand share: reading the organization's roles,
 * teams and existing addresses, and writing the invited members with everything that goes with
 * them (invitations, team memberships, audit entries, member events, emails). Every read and write
 * is one statement for the whole set, so a large file costs a few statements, not a few per row.
 */
import { and, eq, sql } from 'drizzle-orm';
import { rowsOf, schema, type Database } from '../../db/index.ts';
import { newId, type OrganizationId } from '../../ids.ts';
import type { SecretBox } from '../../secrets/index.ts';
import { can } from '../access/index.ts';
import { recordAudits } from '../audit.ts';
import { nowOf, type OrgContext } from '../context.ts';
import { enqueueMails } from '../mail/index.ts';
import { emailKey, recordMemberEvents, type MemberStatus } from '../members/index.ts';
import { invitationMail } from './invitation-mail.ts';
import { hashInvitationToken, invitationLink, newInvitationToken } from './tokens.ts';

/** An invited member as every invitation verb answers: the member and when the link stops working. */
export interface InvitedMember {
  id: string;
  email: string;
  status: 'invited';
  role: string;
  /** Names of the member's teams. */
  teams: string[];
  expiresAt: Date;
}

export interface TeamRef {
  id: string;
  name: string;
}

/** The organization as an invitation email and its expiry need it. */
export interface InvitingOrganization {
  id: OrganizationId;
  name: string;
  ttlHours: number;
}

/** Where links point and how bodies are sealed: what the verb's caller lends it. */
export interface InvitationDelivery {
  box: SecretBox;
  publicUrl: string;
}

export async function loadInvitingOrganization(tx: Database, ctx: OrgContext): Promise<InvitingOrganization> {
  const [row] = await tx
    .select({ name: schema.organizations.name, ttlHours: schema.organizations.invitationTtlHours })
    .from(schema.organizations)
    .where(eq(schema.organizations.id, ctx.organization.id));
  if (!row) throw new Error(`organization ${ctx.organization.id} vanished`);
  return { id: ctx.organization.id, name: row.name, ttlHours: row.ttlHours };
}

/** The organization's roles: key → name. */
export async function loadRoles(tx: Database, ctx: OrgContext): Promise<Map<string, string>> {
  const rows = await tx.select({ key: schema.roles.key, name: schema.roles.name }).from(schema.roles).where(eq(schema.roles.organizationId, ctx.organization.id));
  return new Map(rows.map((r) => [r.key, r.name]));
}

/** What team names compare as (the teams' name_key): trimmed and lower-cased. */
export const teamNameKey = (name: string) => name.trim().toLowerCase();

/** The organization's teams among `names`, by name key. */
export async function loadTeams(tx: Database, ctx: OrgContext, names: Iterable<string>): Promise<Map<string, TeamRef>> {
  const keys = [...new Set([...names].map(teamNameKey))];
  if (keys.length === 0) return new Map();
  const rows = await tx
    .select({ id: schema.teams.id, name: schema.teams.name, key: schema.teams.nameKey })
    .from(schema.teams)
    .where(and(eq(schema.teams.organizationId, ctx.organization.id), sql`${schema.teams.nameKey} in (select jsonb_array_elements_text(${JSON.stringify(keys)}::jsonb))`));
  return new Map(rows.map((r) => [r.key, { id: r.id, name: r.name }]));
}

/** Members already holding any of these addresses (keys), by email key. */
export async function existingMembers(tx: Database, ctx: OrgContext, keys: readonly string[]): Promise<Map<string, { id: string; status: MemberStatus }>> {
  if (keys.length === 0) return new Map();
  const rows = await tx
    .select({ id: schema.members.id, key: schema.members.emailKey, status: schema.members.status })
    .from(schema.members)
    .where(
      and(eq(schema.members.organizationId, ctx.organization.id), sql`${schema.members.emailKey} in (select jsonb_array_elements_text(${JSON.stringify(keys)}::jsonb))`),
    );
  return new Map(rows.map((r) => [r.key, { id: r.id, status: r.status }]));
}

/**
 * Why the actor may not invite someone as `role`, or undefined when they may. Only owners (and
 * operators) make owners. Any other role but the plain `member` and `viewer` is a role assignment,
 * which needs `roles.assign`: `members.manage` alone must not hand out more than it holds.
 */
export function roleRefusal(ctx: OrgContext, role: string): string | undefined {
  if (role === 'owner' && ctx.actor.type === 'member' && ctx.actor.role !== 'owner') return 'only an owner may invite someone as owner';
  if (role !== 'member' && role !== 'viewer' && !can(ctx, 'roles.assign')) {
    return `inviting someone as "${role}" needs the "roles.assign" permission, which role "${ctx.actor.type === 'member' ? ctx.actor.role : ctx.actor.type}" does not grant`;
  }
  return undefined;
}

/** The inviting member's name as the email shows it; undefined for operators and tools. */
export async function inviterName(tx: Database, ctx: OrgContext): Promise<string | undefined> {
  if (ctx.actor.type !== 'member') return undefined;
  const [row] = await tx
    .select({ email: schema.members.email, displayName: schema.members.displayName, givenName: schema.members.givenName, familyName: schema.members.familyName })
    .from(schema.members)
    .where(and(eq(schema.members.organizationId, ctx.organization.id), eq(schema.members.id, ctx.actor.id)));
  if (!row) return ctx.actor.email;
  const name = row.displayName ?? [row.givenName, row.familyName].filter(Boolean).join(' ');
  return name === '' ? row.email : `${name} (${row.email})`;
}

/** One person to invite, already validated: address, an existing role, existing teams. */
export interface PlannedInvitation {
  email: string;
  role: string;
  teams: readonly TeamRef[];
}

export interface WrittenInvitations {
  /** In the order planned, without the addresses taken meanwhile. */
  invited: InvitedMember[];
  /** Email keys another transaction gave to a member between the check and the insert. */
  taken: Set<string>;
}

/**
 * Writes the invited members and what goes with them, in the caller's transaction: a member row
 * each (status invited), an invitation with a fresh token, their team memberships, a
 * `member.invited` audit entry and event each, and the invitation emails. An address that became a
 * member's meanwhile is skipped and reported in `taken`; the caller decides whether that refuses all.
 */
export async function writeInvitations(
  tx: Database,
  ctx: OrgContext,
  organization: InvitingOrganization,
  planned: readonly PlannedInvitation[],
  delivery: InvitationDelivery & { roleNames: ReadonlyMap<string, string>; inviter: string | undefined },
): Promise<WrittenInvitations> {
  if (planned.length === 0) return { invited: [], taken: new Set() };
  const orgId = ctx.organization.id;
  const now = nowOf(ctx);
  const expiresAt = new Date(now.getTime() + organization.ttlHours * 3600_000);
  const rows = planned.map((p) => ({ ...p, id: newId(), key: emailKey(p.email) }));

  const inserted = rowsOf<{ id: string }>(
    await tx.execute(sql`
      insert into members (id, organization_id, email, email_key, status, role, source)
      select r.id, ${orgId}::uuid, r.email, r.email_key, 'invited', r.role, 'invitation'
      from jsonb_to_recordset(${JSON.stringify(rows.map((r) => ({ id: r.id, email: r.email, email_key: r.key, role: r.role })))}::jsonb)
        as r(id uuid, email text, email_key text, role text)
      on conflict do nothing
      returning id`),
  );
  const insertedIds = new Set(inserted.map((r) => r.id));
  const kept = rows.filter((r) => insertedIds.has(r.id));
  const taken = new Set(rows.filter((r) => !insertedIds.has(r.id)).map((r) => r.key));
  if (kept.length === 0) return { invited: [], taken };

  const tokens = kept.map(() => newInvitationToken());
  await tx.execute(sql`
    insert into invitations (id, organization_id, member_id, token_hash, expires_at, invited_by_type, invited_by_id, sent_count, last_sent_at)
    select r.id, ${orgId}::uuid, r.member_id, r.token_hash, ${expiresAt.toISOString()}::timestamptz, ${ctx.actor.type}, ${ctx.actor.id}, 1, ${now.toISOString()}::timestamptz
    from jsonb_to_recordset(${JSON.stringify(kept.map((r, i) => ({ id: newId(), member_id: r.id, token_hash: hashInvitationToken(tokens[i]!) })))}::jsonb)
      as r(id uuid, member_id uuid, token_hash text)`);

  const memberships = kept.flatMap((r) => r.teams.map((t) => ({ team_id: t.id, member_id: r.id })));
  if (memberships.length > 0) {
    await tx.execute(sql`
      insert into team_members (organization_id, team_id, member_id, role)
      select ${orgId}::uuid, r.team_id, r.member_id, 'member'
      from jsonb_to_recordset(${JSON.stringify(memberships)}::jsonb) as r(team_id uuid, member_id uuid)`);
  }

  const invited: InvitedMember[] = kept.map((r) => ({ id: r.id, email: r.email, status: 'invited', role: r.role, teams: r.teams.map((t) => t.name), expiresAt }));
  await recordAudits(
    tx,
    ctx.actor,
    invited.map((m) => ({
      organizationId: orgId,
      action: 'member.invited',
      target: { type: 'member', id: m.id },
      details: { source: 'invitation' },
      after: { email: m.email, status: 'invited', role: m.role, teams: m.teams, expiresAt: m.expiresAt.toISOString() },
    })),
  );
  await recordMemberEvents(
    tx,
    ctx,
    invited.map((m) => ({ type: 'member.invited', memberId: m.id, data: { email: m.email, role: m.role, teams: m.teams, expiresAt: m.expiresAt.toISOString() } })),
  );

  await enqueueMails(
    tx,
    delivery.box,
    invited.map((m, i) =>
      invitationMail({
        organizationId: orgId,
        organizationName: organization.name,
        inviter: delivery.inviter,
        to: m.email,
        roleName: delivery.roleNames.get(m.role) ?? m.role,
        teams: m.teams,
        link: invitationLink(delivery.publicUrl, tokens[i]!),
        expiresAt,
      }),
    ),
  );
  return { invited, taken };
}
