/**
 * Sessions of Roster's own console. The browser holds a random id in a cookie; only its SHA-256
 * hash is stored, so a database dump opens no session. Every request reads the row (joined with
 * the member), so deactivating a member or deleting the row ends the session on every instance
 * at once: there is nothing cached to wait for.
 */
import { createHash, randomBytes } from 'node:crypto';
import { and, eq, gt } from 'drizzle-orm';
import { schema, type Database } from '../../db/index.ts';
import type { OrganizationId } from '../../ids.ts';

/** A working day; the console asks for a new sign-in after it. */
export const CONSOLE_SESSION_TTL_SECONDS = 12 * 3600;

const hashOf = (id: string) => createHash('sha256').update(id).digest('base64url');

export interface ConsoleSession {
  memberId: string;
  organizationId: OrganizationId;
  organizationSlug: string;
  email: string;
  role: string;
  expiresAt: Date;
  /** The member's last_seen_at, so that using the session refreshes it only when stale. */
  lastSeenAt: Date | null;
}

/** Opens a session for an active member; returns the id for the cookie (shown nowhere else). */
export async function openConsoleSession(db: Database, input: { organizationId: OrganizationId; memberId: string }, now = new Date()): Promise<{ id: string; expiresAt: Date }> {
  const id = randomBytes(32).toString('base64url');
  const expiresAt = new Date(now.getTime() + CONSOLE_SESSION_TTL_SECONDS * 1000);
  await db.insert(schema.consoleSessions).values({ idHash: hashOf(id), organizationId: input.organizationId, memberId: input.memberId, createdAt: now, expiresAt });
  return { id, expiresAt };
}

/** The session a cookie names, while it has not expired and its member is active. */
export async function findConsoleSession(db: Database, id: string, now = new Date()): Promise<ConsoleSession | undefined> {
  const [row] = await db
    .select({
      memberId: schema.consoleSessions.memberId,
      organizationId: schema.consoleSessions.organizationId,
      organizationSlug: schema.organizations.slug,
      email: schema.members.email,
      role: schema.members.role,
      expiresAt: schema.consoleSessions.expiresAt,
      lastSeenAt: schema.members.lastSeenAt,
    })
    .from(schema.consoleSessions)
    .innerJoin(schema.members, and(eq(schema.members.organizationId, schema.consoleSessions.organizationId), eq(schema.members.id, schema.consoleSessions.memberId)))
    .innerJoin(schema.organizations, eq(schema.organizations.id, schema.consoleSessions.organizationId))
    .where(and(eq(schema.consoleSessions.idHash, hashOf(id)), gt(schema.consoleSessions.expiresAt, now), eq(schema.members.status, 'active')));
  return row ? { ...row, organizationId: row.organizationId as OrganizationId } : undefined;
}

export async function closeConsoleSession(db: Database, id: string): Promise<void> {
  await db.delete(schema.consoleSessions).where(eq(schema.consoleSessions.idHash, hashOf(id)));
}
