/** The teams of members, read for a whole page of members in one query. */
import { and, asc, eq, sql } from 'drizzle-orm';
import { schema, type Database } from '../../db/index.ts';
import type { OrganizationId } from '../../ids.ts';
import { uuidArray } from '../sql-arrays.ts';
import type { MemberTeam } from './members.ts';

/** Each member's teams (by team name); members in no team are absent from the map. */
export async function teamsOfMembers(db: Database, organizationId: OrganizationId, memberIds: readonly string[]): Promise<Map<string, MemberTeam[]>> {
  const teams = new Map<string, MemberTeam[]>();
  if (memberIds.length === 0) return teams;
  const rows = await db
    .select({ memberId: schema.teamMembers.memberId, id: schema.teams.id, name: schema.teams.name, role: schema.teamMembers.role })
    .from(schema.teamMembers)
    .innerJoin(schema.teams, and(eq(schema.teams.organizationId, schema.teamMembers.organizationId), eq(schema.teams.id, schema.teamMembers.teamId)))
    .where(and(eq(schema.teamMembers.organizationId, organizationId), sql`${schema.teamMembers.memberId} = any(${uuidArray(memberIds)})`))
    .orderBy(asc(schema.teams.nameKey));
  for (const { memberId, ...team } of rows) {
    const list = teams.get(memberId);
    if (list) list.push(team);
    else teams.set(memberId, [team]);
  }
  return teams;
}
