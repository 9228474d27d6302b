/**
 * The sign-in log: every attempt, failed or not, with the reason. The row id is the reference a
 * person sees on a failure page; the reason and detail are here and in the server log, never there.
 */
import { and, desc, eq } from 'drizzle-orm';
import { schema, type Database } from '../../db/index.ts';
import { newId, type OrganizationId } from '../../ids.ts';
import type { OrgContext } from '../context.ts';
import { requireRead } from '../access/index.ts';

export interface SignInAttempt {
  organizationId: OrganizationId | null;
  connectionId: string | null;
  memberId?: string | null;
  idpSubject?: string | null;
  email?: string | null;
  ip: string | null;
  userAgent: string | null;
  outcome: 'succeeded' | 'failed';
  /** A stable code, e.g. `saml.wrong_audience`, `member_deactivated`. */
  reason?: string | null;
  detail?: string | null;
}

export interface SignInRecord extends Required<SignInAttempt> {
  id: string;
  occurredAt: Date;
}

const MAX_TEXT = 1000;
const clip = (value: string | null | undefined) => (value == null ? null : value.length > MAX_TEXT ? value.slice(0, MAX_TEXT) : value);

export async function recordSignIn(db: Database, attempt: SignInAttempt, now = new Date()): Promise<string> {
  const id = newId();
  await db.insert(schema.signIns).values({
    id,
    organizationId: attempt.organizationId,
    connectionId: attempt.connectionId,
    memberId: attempt.memberId ?? null,
    idpSubject: clip(attempt.idpSubject),
    email: clip(attempt.email),
    ip: clip(attempt.ip),
    userAgent: clip(attempt.userAgent),
    outcome: attempt.outcome,
    reason: clip(attempt.reason),
    detail: clip(attempt.detail),
    occurredAt: now,
  });
  return id;
}

/** Newest first. */
export async function listSignIns(ctx: OrgContext, options: { limit: number; memberId?: string }): Promise<SignInRecord[]> {
  requireRead(ctx, 'audit');
  const rows = await ctx.db
    .select()
    .from(schema.signIns)
    .where(
      and(
        eq(schema.signIns.organizationId, ctx.organization.id),
        options.memberId === undefined ? undefined : eq(schema.signIns.memberId, options.memberId),
      ),
    )
    .orderBy(desc(schema.signIns.occurredAt), desc(schema.signIns.id))
    .limit(Math.min(Math.max(options.limit, 1), 1000));
  return rows.map(toSignInRecord);
}

/** A sign_ins row as the domain hands it out. */
export function toSignInRecord(r: typeof schema.signIns.$inferSelect): SignInRecord {
  return {
    id: r.id,
    organizationId: r.organizationId as OrganizationId | null,
    connectionId: r.connectionId,
    memberId: r.memberId,
    idpSubject: r.idpSubject,
    email: r.email,
    ip: r.ip,
    userAgent: r.userAgent,
    outcome: r.outcome,
    reason: r.reason,
    detail: r.detail,
    occurredAt: r.occurredAt,
  };
}
