/** The claims of the tokens Roster issues for a member. */
import { and, eq, sql } from 'drizzle-orm';
import { schema, type Database } from '../../db/index.ts';

export interface MemberTokenClaims {
  sub: string;
  email: string;
  email_verified: boolean;
  name?: string;
  given_name?: string;
  family_name?: string;
  org: { id: string; slug: string };
  role: string;
  teams: string[];
  groups: string[];
  idp: { connection: string; type: 'saml' | 'oidc' };
}

/**
 * The claims of an active member for the tokens Roster issues; undefined for an unknown or
 * deactivated member, so no token is issued for them after deactivation. Groups and `idp` come
 * from the identity the member last signed in with.
 */
export async function memberTokenClaims(db: Database, memberId: string): Promise<MemberTokenClaims | undefined> {
  const [row] = await db
    .select({
      member: schema.members,
      slug: schema.organizations.slug,
      groups: schema.memberIdentities.groups,
      connectionId: schema.memberIdentities.connectionId,
      connectionType: schema.ssoConnections.type,
    })
    .from(schema.members)
    .innerJoin(schema.organizations, eq(schema.organizations.id, schema.members.organizationId))
    .leftJoin(schema.memberIdentities, and(eq(schema.memberIdentities.organizationId, schema.members.organizationId), eq(schema.memberIdentities.memberId, schema.members.id)))
    .leftJoin(schema.ssoConnections, eq(schema.ssoConnections.id, schema.memberIdentities.connectionId))
    .where(eq(schema.members.id, memberId))
    .orderBy(sql`${schema.memberIdentities.lastSignInAt} desc nulls last`)
    .limit(1);
  if (!row || row.member.status !== 'active') return undefined;
  const m = row.member;
  const name = m.displayName ?? ([m.givenName, m.familyName].filter(Boolean).join(' ') || undefined);
  return {
    sub: m.id,
    email: m.email,
    email_verified: m.emailVerified,
    ...(name === undefined ? {} : { name }),
    ...(m.givenName === null ? {} : { given_name: m.givenName }),
    ...(m.familyName === null ? {} : { family_name: m.familyName }),
    org: { id: m.organizationId, slug: row.slug },
    role: m.role,
    teams: [],
    groups: row.groups ?? [],
    idp: { connection: row.connectionId ?? '', type: row.connectionType ?? 'saml' },
  };
}
