/** Loads a member as an actor: their role, its permissions and the teams they administer. */
import { and, eq } from 'drizzle-orm';
import { schema, type Database } from '../../db/index.ts';
import type { OrganizationId } from '../../ids.ts';
import type { MemberActor } from '../context.ts';

/** The actor for an active member of an organization; undefined when they are not (any more). */
export async function memberActor(db: Database, organizationId: OrganizationId, memberId: string): Promise<MemberActor | undefined> {
  const [row] = await db
    .select({ email: schema.members.email, role: schema.members.role, status: schema.members.status, permissions: schema.roles.permissions })
    .from(schema.members)
    .innerJoin(schema.roles, and(eq(schema.roles.organizationId, schema.members.organizationId), eq(schema.roles.key, schema.members.role)))
    .where(and(eq(schema.members.organizationId, organizationId), eq(schema.members.id, memberId)));
  if (!row || row.status !== 'active') return undefined;
  const administered = await db
    .select({ teamId: schema.teamMembers.teamId })
    .from(schema.teamMembers)
    .where(and(eq(schema.teamMembers.organizationId, organizationId), eq(schema.teamMembers.memberId, memberId), eq(schema.teamMembers.role, 'admin')));
  return {
    type: 'member',
    id: memberId,
    organizationId,
    email: row.email,
    role: row.role,
    permissions: new Set(row.permissions),
    teamAdminOf: new Set(administered.map((t) => t.teamId)),
  };
}
