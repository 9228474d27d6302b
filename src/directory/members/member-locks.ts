/**
 * Row locks every member change takes, always in the same order so that two changes never wait on
 * each other in a circle: first the organization's active owners, then the members changed, each
 * set in id order. Locking the owners first is what keeps "never without an active owner" true
 * when two changes race: the second waits for the first and then sees who is still an owner.
 */
import { and, asc, eq, sql } from 'drizzle-orm';
import { schema, type Database } from '../../db/index.ts';
import { DomainError } from '../../errors.ts';
import { isUuid, type OrganizationId } from '../../ids.ts';
import { uuidArray } from '../sql-arrays.ts';

export type MemberRow = typeof schema.members.$inferSelect;

/** The organization's active owners (few), locked until the transaction ends. */
export async function lockActiveOwners(tx: Database, organizationId: OrganizationId): Promise<ReadonlySet<string>> {
  const rows = await tx
    .select({ id: schema.members.id })
    .from(schema.members)
    .where(and(eq(schema.members.organizationId, organizationId), eq(schema.members.role, 'owner'), eq(schema.members.status, 'active')))
    .orderBy(asc(schema.members.id))
    .for('update');
  return new Set(rows.map((r) => r.id));
}

/** Members of the organization by id, locked; ids that are not uuids or not members are absent. */
export async function lockMembers(tx: Database, organizationId: OrganizationId, ids: readonly string[]): Promise<Map<string, MemberRow>> {
  const valid = [...new Set(ids.filter(isUuid).map((id) => id.toLowerCase()))];
  if (valid.length === 0) return new Map();
  const rows = await tx
    .select()
    .from(schema.members)
    .where(and(eq(schema.members.organizationId, organizationId), sql`${schema.members.id} = any(${uuidArray(valid)})`))
    .orderBy(asc(schema.members.id))
    .for('update');
  return new Map(rows.map((r) => [r.id, r]));
}

/** One member, locked; not_found when the organization has no member with this id. */
export async function lockMember(tx: Database, organizationId: OrganizationId, id: string): Promise<MemberRow> {
  const row = (await lockMembers(tx, organizationId, [id])).get(id.toLowerCase());
  if (!row) throw memberNotFound(id);
  return row;
}

export function memberNotFound(id: string): DomainError {
  return new DomainError('not_found', `no member ${id} in this organization`);
}

/**
 * Which of `leaving` (members about to stop being active owners) may go: all of them while at
 * least one active owner stays, otherwise none. `owners` is the locked set of active owners.
 */
export function ownersThatMayLeave(owners: ReadonlySet<string>, leaving: readonly string[]): { allowed: boolean; leavingOwners: string[] } {
  const leavingOwners = [...new Set(leaving.filter((id) => owners.has(id)))];
  return { allowed: leavingOwners.length === 0 || owners.size > leavingOwners.length, leavingOwners };
}

export const LAST_OWNER_DETAIL = 'the organization would be left without an active owner: make another member owner first';
