/** Loads a member as an actor: their role, its permissions and the teams they administer. */
import { and, eq, sql } from 'drizzle-orm';
import { jsonValue, schema, type Database } from '../../db/index.ts';
import type { OrganizationId } from '../../ids.ts';
import type { MemberActor } from '../context.ts';

/**
 * The actor for an active member of an organization; undefined when they are not (any more). One
 * statement (it runs on every request made with a console session): the teams the member
 * administers come as a subquery of the member's row.
 */
export async function memberActor(db: Database, organizationId: OrganizationId, memberId: string): Promise<MemberActor | undefined> {
  const tm = schema.teamMembers;
  const [row] = await db
    .select({
      email: schema.members.email,
      role: schema.members.role,
      status: schema.members.status,
      permissions: schema.roles.permissions,
      administered: sql<unknown>`(
        select coalesce(jsonb_agg(${tm.teamId}), '[]'::jsonb) from ${tm}
        where ${tm.organizationId} = ${organizationId} and ${tm.memberId} = ${memberId} and ${tm.role} = 'admin'
      )`,
    })
    .from(schema.members)
    .innerJoin(schema.roles, and(eq(schema.roles.organizationId, schema.members.organizationId), eq(schema.roles.key, schema.members.role)))
    .where(and(eq(schema.members.organizationId, organizationId), eq(schema.members.id, memberId)));
  if (!row || row.status !== 'active') return undefined;
  return {
    type: 'member',
    id: memberId,
    organizationId,
    email: row.email,
    role: row.role,
    permissions: new Set(row.permissions),
    teamAdminOf: new Set(jsonValue<string[]>(row.administered)),
  };
}
