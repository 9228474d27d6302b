/** The claims of the tokens Roster issues for a member. */
import { and, eq, sql } from 'drizzle-orm';
import { jsonValue, schema, type Database } from '../../db/index.ts';
import { effectivePermissions } from '../roles/index.ts';
import { ROSTER_PERMISSIONS } from '../access/index.ts';

export interface MemberTokenClaims {
  sub: string;
  email: string;
  email_verified: boolean;
  name?: string;
  given_name?: string;
  family_name?: string;
  org: { id: string; slug: string };
  /** The key of the member's role, built-in or custom. */
  role: string;
  /** What the role lets the member do: Roster's permissions and the app's registered ones. */
  permissions: string[];
  /** Names of the member's teams, sorted. */
  teams: string[];
  /** Teams the member administers (team name → 'admin'); absent when there are none. */
  team_roles?: Record<string, 'admin'>;
  groups: string[];
  /** The IdP connection of the member's latest SSO sign-in; absent for members who sign in by email code only. */
  idp?: { connection: string; type: 'saml' | 'oidc' };
}

/**
 * The claims of an active member for the tokens Roster issues; undefined for an unknown or
 * deactivated member, so no token is issued for them after deactivation. Groups and `idp` come
 * from the identity the member last signed in with. One statement: the role's permissions, the
 * app's permission catalogue and the member's teams come as subqueries of the member's row.
 */
export async function memberTokenClaims(db: Database, memberId: string): Promise<MemberTokenClaims | undefined> {
  return (await memberForTokens(db, memberId))?.claims;
}

/**
 * The claims, and when the member was last seen (from the same row), for a caller that records the
 * visit too (Roster's OP, at each token and userinfo): it writes only when that is stale.
 */
export async function memberForTokens(db: Database, memberId: string): Promise<{ claims: MemberTokenClaims; lastSeenAt: Date | null } | undefined> {
  const tm = schema.teamMembers;
  const t = schema.teams;
  const [row] = await db
    .select({
      member: schema.members,
      slug: schema.organizations.slug,
      builtin: schema.roles.builtin,
      rolePermissions: schema.roles.permissions,
      appPermissions: sql<unknown>`(select coalesce(jsonb_agg(${schema.appPermissions.key} order by ${schema.appPermissions.key}), '[]'::jsonb) from ${schema.appPermissions})`,
      teams: sql<unknown>`(
        select coalesce(jsonb_agg(jsonb_build_array(${t.name}, ${tm.role}) order by ${t.name}), '[]'::jsonb)
        from ${tm} join ${t} on ${t.organizationId} = ${tm.organizationId} and ${t.id} = ${tm.teamId}
        where ${tm.organizationId} = ${schema.members.organizationId} and ${tm.memberId} = ${schema.members.id}
      )`,
      groups: schema.memberIdentities.groups,
      connectionId: schema.memberIdentities.connectionId,
      connectionType: schema.ssoConnections.type,
    })
    .from(schema.members)
    .innerJoin(schema.organizations, eq(schema.organizations.id, schema.members.organizationId))
    .innerJoin(schema.roles, and(eq(schema.roles.organizationId, schema.members.organizationId), eq(schema.roles.key, schema.members.role)))
    .leftJoin(schema.memberIdentities, and(eq(schema.memberIdentities.organizationId, schema.members.organizationId), eq(schema.memberIdentities.memberId, schema.members.id)))
    .leftJoin(schema.ssoConnections, eq(schema.ssoConnections.id, schema.memberIdentities.connectionId))
    .where(eq(schema.members.id, memberId))
    .orderBy(sql`${schema.memberIdentities.lastSignInAt} desc nulls last`)
    .limit(1);
  if (!row || row.member.status !== 'active') return undefined;
  const m = row.member;
  const name = m.displayName ?? ([m.givenName, m.familyName].filter(Boolean).join(' ') || undefined);
  const catalogue = [...Object.keys(ROSTER_PERMISSIONS), ...jsonValue<string[]>(row.appPermissions)];
  const teams = jsonValue<[string, string][]>(row.teams);
  const administered = teams.filter(([, role]) => role === 'admin').map(([team]) => [team, 'admin'] as const);
  const claims: MemberTokenClaims = {
    sub: m.id,
    email: m.email,
    email_verified: m.emailVerified,
    ...(name === undefined ? {} : { name }),
    ...(m.givenName === null ? {} : { given_name: m.givenName }),
    ...(m.familyName === null ? {} : { family_name: m.familyName }),
    org: { id: m.organizationId, slug: row.slug },
    role: m.role,
    permissions: effectivePermissions(m.role, row.builtin ? [] : row.rolePermissions, catalogue),
    teams: teams.map(([team]) => team).sort(),
    ...(administered.length === 0 ? {} : { team_roles: Object.fromEntries(administered) }),
    groups: row.groups ?? [],
    ...(row.connectionId === null || row.connectionType === null ? {} : { idp: { connection: row.connectionId, type: row.connectionType } }),
  };
  return { claims, lastSeenAt: m.lastSeenAt };
}
