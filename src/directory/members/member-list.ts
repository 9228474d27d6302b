/**
 * Reading members: pages of an organization's members, filtered and searched, and one member in
 * full. Pages are keyset-paged on (email_key, id), and every predicate is written on the very
 * expressions the migration indexed (see src/db/schema/members.ts), so a page of a large
 * organization is an index scan, not a sort of the whole organization.
 */
import { and, asc, eq, or, sql, type SQL, type SQLWrapper } from 'drizzle-orm';
import { jsonValue, schema, type Database } from '../../db/index.ts';
import { DomainError } from '../../errors.ts';
import { isUuid } from '../../ids.ts';
import { requireRead } from '../access/index.ts';
import type { OrgContext } from '../context.ts';
import { memberNotFound, type MemberRow } from './member-locks.ts';
import { teamsOfMembers } from './member-teams.ts';
import { toMember, type Member, type MemberSource, type MemberStatus, type MemberTeam } from './members.ts';

export const MEMBER_STATUSES: readonly MemberStatus[] = ['invited', 'active', 'deactivated'];
export const MEMBER_SOURCES: readonly MemberSource[] = ['invitation', 'jit', 'scim', 'admin'];
export const MAX_MEMBER_PAGE = 200;
/** The longest search prefix: longer ones match nothing an index could not already tell. */
export const MAX_MEMBER_SEARCH = 200;

/** Where a page resumes: after the member with this email key and id. */
export interface MemberPosition {
  emailKey: string;
  id: string;
}

export interface MemberQuery {
  status?: MemberStatus | undefined;
  /** A role key (built-in or custom). */
  role?: string | undefined;
  /** A team, by id or by name. */
  team?: string | undefined;
  source?: MemberSource | undefined;
  /** Matches the start of the email, of the name (display name, or given and family name) or of the family name, in any case. */
  q?: string | undefined;
  limit?: number | undefined;
  after?: MemberPosition | undefined;
}

export interface MemberPage {
  members: Member[];
  /** Where the next page starts; null on the last page. */
  next: MemberPosition | null;
}

/**
 * `expression` starts with `prefix` (already lower-cased by the database), as a range of the
 * pattern operators (byte order, whatever the collation): the upper bound appends the highest code
 * point. A range rather than LIKE 'prefix%' because a prepared statement's generic plan cannot
 * turn a LIKE parameter into index bounds, and would walk the whole organization instead.
 */
function startsWith(expression: SQLWrapper, prefix: SQL): SQL {
  return sql`(${expression} ~>=~ ${prefix} and ${expression} ~<~ (${prefix} || chr(1114111)))`;
}

/**
 * A member's teams as one JSON value, read with the member's row. The member's columns are named
 * with their table: drizzle leaves them unqualified in a one-table select, where inside this
 * subquery they would name the team's.
 */
const TEAMS_OF_MEMBER = sql<unknown>`(
  select coalesce(jsonb_agg(jsonb_build_object('id', t.id, 'name', t.name, 'role', tm.role) order by t.name_key), '[]'::jsonb)
  from ${schema.teamMembers} tm join ${schema.teams} t on t.organization_id = tm.organization_id and t.id = tm.team_id
  where tm.organization_id = "members"."organization_id" and tm.member_id = "members"."id"
)`;

/**
 * A page of the organization's members, by email, with their teams, in one statement. Any member
 * of the organization may read it; an app needs members:read.
 *
 * A search matches the start of the email, of the name or of the family name: a range of each
 * one's index, which also holds (email_key, id), so every match is read from the index alone; each
 * alternative's first page is the first of its matches, and the page the first of the three.
 * Each range is read on its own (OFFSET 0 keeps the planner from merging it with the page's order):
 * ordered by email, the planner would rather walk the email index from the start of the
 * organization and wait for matches, which sit together where names and emails start alike.
 */
export async function listMemberPage(ctx: OrgContext, query: MemberQuery = {}): Promise<MemberPage> {
  requireRead(ctx, 'members');
  const limit = query.limit ?? 50;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_MEMBER_PAGE) {
    throw new DomainError('invalid_input', `limit must be a whole number from 1 to ${MAX_MEMBER_PAGE}`, { details: { field: 'limit' } });
  }
  const m = schema.members;
  const { filters, search } = await filterConditions(ctx, query);
  const conditions = [eq(m.organizationId, ctx.organization.id), ...filters];
  if (query.after) conditions.push(sql`(${m.emailKey}, ${m.id}) > (${query.after.emailKey}, ${query.after.id}::uuid)`);
  const order = [asc(m.emailKey), asc(m.id)];
  const columns = { member: m, teams: TEAMS_OF_MEMBER };
  let rows: { member: MemberRow; teams: unknown }[];
  if (search) {
    const firstOf = (match: SQL) =>
      sql`(select id, email_key from (select ${m.id} as id, ${m.emailKey} as email_key from ${m} where ${and(...conditions, match)} offset 0) as matches order by email_key, id limit ${limit + 1})`;
    const page = sql`(select id, email_key from (${firstOf(search[0])} union ${firstOf(search[1])} union ${firstOf(search[2])}) as firsts order by email_key, id limit ${limit + 1}) as page`;
    rows = await ctx.db.select(columns).from(m).innerJoin(page, sql`page.id = ${m.id}`).orderBy(sql`page.email_key`, sql`page.id`);
  } else {
    rows = await ctx.db.select(columns).from(m).where(and(...conditions)).orderBy(...order).limit(limit + 1);
  }
  if (rows.length === 0) await requireFilterTargets(ctx, query);
  const page = rows.slice(0, limit);
  const last = page.at(-1)?.member;
  return {
    members: page.map((r) => toMember(r.member, jsonValue<MemberTeam[]>(r.teams))),
    next: rows.length > limit && last ? { emailKey: last.emailKey, id: last.id } : null,
  };
}

/** Every member matching the query, page after page (for the CLI and exports). */
export async function listMembers(ctx: OrgContext, query: Omit<MemberQuery, 'limit' | 'after'> = {}): Promise<Member[]> {
  const all: Member[] = [];
  let after: MemberPosition | undefined;
  do {
    const page = await listMemberPage(ctx, { ...query, limit: MAX_MEMBER_PAGE, after });
    all.push(...page.members);
    after = page.next ?? undefined;
  } while (after);
  return all;
}

/** The filters' conditions, and a search's three alternatives (email, name, family name). */
async function filterConditions(ctx: OrgContext, query: MemberQuery): Promise<{ filters: SQL[]; search: [SQL, SQL, SQL] | undefined }> {
  const m = schema.members;
  const filters: SQL[] = [];
  if (query.status !== undefined) {
    if (!MEMBER_STATUSES.includes(query.status)) throw invalidChoice('status', query.status, MEMBER_STATUSES);
    filters.push(eq(m.status, query.status));
  }
  if (query.source !== undefined) {
    if (!MEMBER_SOURCES.includes(query.source)) throw invalidChoice('source', query.source, MEMBER_SOURCES);
    filters.push(eq(m.source, query.source));
  }
  // A role or team the organization does not have is told apart from one nobody holds only when
  // the page comes back empty (see listMemberPage): a filtered page costs no lookup beforehand.
  if (query.role !== undefined) filters.push(eq(m.role, query.role));
  if (query.team !== undefined) {
    const name = query.team.trim().toLowerCase();
    const t = schema.teams;
    const tm = schema.teamMembers;
    const named = isUuid(query.team) ? or(eq(t.id, query.team.toLowerCase()), eq(t.nameKey, name)) : eq(t.nameKey, name);
    filters.push(
      sql`exists (select 1 from ${tm} join ${t} on ${t.organizationId} = ${tm.organizationId} and ${t.id} = ${tm.teamId} where ${tm.organizationId} = ${ctx.organization.id} and ${tm.memberId} = "members"."id" and ${named})`,
    );
  }
  let search: [SQL, SQL, SQL] | undefined;
  if (query.q !== undefined) {
    const q = query.q.trim();
    if (q.length > MAX_MEMBER_SEARCH) {
      throw new DomainError('invalid_input', `q must be at most ${MAX_MEMBER_SEARCH} characters`, { details: { field: 'q' } });
    }
    if (q !== '') {
      const prefix = sql`lower(${q})`;
      search = [startsWith(m.emailKey, prefix), startsWith(m.nameKey, prefix), startsWith(m.familyKey, prefix)];
    }
  }
  return { filters, search };
}

function invalidChoice(field: string, value: string, choices: readonly string[]): DomainError {
  return new DomainError('invalid_input', `${field} must be one of ${choices.join(', ')} (got "${value}")`, { details: { field } });
}

/** Refuses a role the organization does not have. */
export async function requireRole(db: Database, ctx: OrgContext, role: string, field = 'role'): Promise<void> {
  const [found] = await db
    .select({ key: schema.roles.key })
    .from(schema.roles)
    .where(and(eq(schema.roles.organizationId, ctx.organization.id), eq(schema.roles.key, role)));
  if (!found) throw new DomainError('invalid_input', `the organization has no role "${role}"`, { details: { field } });
}

/** Refuses a role or team filter naming what the organization does not have (an empty page's cause). */
async function requireFilterTargets(ctx: OrgContext, query: MemberQuery): Promise<void> {
  if (query.role !== undefined) await requireRole(ctx.db, ctx, query.role);
  if (query.team === undefined) return;
  const t = schema.teams;
  const byName = eq(t.nameKey, query.team.trim().toLowerCase());
  const [found] = await ctx.db
    .select({ id: t.id })
    .from(t)
    .where(and(eq(t.organizationId, ctx.organization.id), isUuid(query.team) ? or(eq(t.id, query.team.toLowerCase()), byName) : byName))
    .limit(1);
  if (!found) throw new DomainError('invalid_input', `the organization has no team "${query.team}"`, { details: { field: 'team' } });
}

/** An SSO identity linked to a member. */
export interface MemberIdentity {
  id: string;
  connectionId: string;
  connectionType: 'saml' | 'oidc';
  /** The IdP's subject (NameID or `sub`). */
  subject: string;
  createdAt: Date;
  lastSignInAt: Date | null;
}

export interface MemberDetail extends Member {
  identities: MemberIdentity[];
}

/** One member in full: profile, role, teams with their team role, and SSO identities. */
export async function getMember(ctx: OrgContext, id: string): Promise<MemberDetail> {
  requireRead(ctx, 'members');
  if (!isUuid(id)) throw memberNotFound(id);
  const memberId = id.toLowerCase();
  const [row] = await ctx.db
    .select()
    .from(schema.members)
    .where(and(eq(schema.members.organizationId, ctx.organization.id), eq(schema.members.id, memberId)));
  if (!row) throw memberNotFound(id);
  const teams = (await teamsOfMembers(ctx.db, ctx.organization.id, [memberId])).get(memberId) ?? [];
  const identities = await ctx.db
    .select({
      id: schema.memberIdentities.id,
      connectionId: schema.memberIdentities.connectionId,
      connectionType: schema.ssoConnections.type,
      subject: schema.memberIdentities.subject,
      createdAt: schema.memberIdentities.createdAt,
      lastSignInAt: schema.memberIdentities.lastSignInAt,
    })
    .from(schema.memberIdentities)
    .innerJoin(schema.ssoConnections, eq(schema.ssoConnections.id, schema.memberIdentities.connectionId))
    .where(and(eq(schema.memberIdentities.organizationId, ctx.organization.id), eq(schema.memberIdentities.memberId, memberId)))
    .orderBy(asc(schema.memberIdentities.createdAt));
  return { ...toMember(row, teams), identities };
}
