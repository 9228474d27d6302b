/**
 * Upstream sign-in flows: the state between sending a browser to its IdP and resuming the app's
 * authorization request. A flow is found by its opaque id (the SAML RelayState or OIDC state), is
 * answered once, and hands its result once, to the browser holding the cookie it was bound to and
 * for the interaction it was started for. Nothing of it lives in process memory, so the IdP's
 * answer may reach any instance.
 */
import { createHash, randomBytes } from 'node:crypto';
import { and, eq, gt, isNotNull, isNull, lt } from 'drizzle-orm';
import { schema, type Database } from '../../db/index.ts';
import type { OrganizationId } from '../../ids.ts';
import { sealContext, type SecretBox } from '../../secrets/index.ts';

/** Long enough for a person to sign in at their IdP (MFA included), short enough to be useless later. */
export const FLOW_TTL_SECONDS = 600;

export interface NewFlow {
  /** Chosen by the caller when the IdP request must carry it (SAML RelayState); random otherwise. */
  id?: string;
  organizationId: OrganizationId;
  connectionId: string;
  interactionUid: string;
  /** 'console' when Roster's own console waits for the result (no OpenID Provider interaction). */
  purpose?: 'app' | 'console';
  /** The random value of the browser's flow cookie; only its hash is stored. */
  browserSecret: string;
  samlRequestId?: string;
  /** OIDC nonce, state and PKCE verifier, sealed before they are written. */
  oidcSecrets?: Record<string, string>;
}

export interface AnsweredFlow {
  id: string;
  purpose: 'app' | 'console';
  organizationId: OrganizationId;
  connectionId: string;
  interactionUid: string;
  samlRequestId: string | null;
  oidcSecrets: Record<string, string> | undefined;
  browserHash: string;
}

export const hashBrowserSecret = (secret: string) => createHash('sha256').update(secret).digest('base64url');
const flowContext = (id: string) => sealContext('sso_flows', id);

/** A new random value: a flow id, or a browser cookie. 256 bits, 43 characters (RelayState allows 80 bytes). */
export const randomFlowValue = () => randomBytes(32).toString('base64url');

export async function startFlow(db: Database, box: SecretBox, input: NewFlow, now = new Date()): Promise<string> {
  const id = input.id ?? randomFlowValue();
  await db.insert(schema.ssoFlows).values({
    id,
    organizationId: input.organizationId,
    connectionId: input.connectionId,
    interactionUid: input.interactionUid,
    purpose: input.purpose ?? 'app',
    browserHash: hashBrowserSecret(input.browserSecret),
    samlRequestId: input.samlRequestId ?? null,
    sealedOidcSecrets: input.oidcSecrets === undefined ? null : box.seal(JSON.stringify(input.oidcSecrets), flowContext(id)),
    createdAt: now,
    expiresAt: new Date(now.getTime() + FLOW_TTL_SECONDS * 1000),
  });
  return id;
}

/**
 * Claims the flow an IdP answer names, for this connection: at most once, and only before it
 * expires. A second answer (a replayed response, a reloaded callback) finds nothing.
 */
export async function takeFlowForAnswer(db: Database, box: SecretBox, input: { flowId: string; connectionId: string }, now = new Date()): Promise<AnsweredFlow | undefined> {
  const [row] = await db
    .update(schema.ssoFlows)
    .set({ answeredAt: now })
    .where(
      and(
        eq(schema.ssoFlows.id, input.flowId),
        eq(schema.ssoFlows.connectionId, input.connectionId),
        isNull(schema.ssoFlows.answeredAt),
        gt(schema.ssoFlows.expiresAt, now),
      ),
    )
    .returning();
  if (!row) return undefined;
  return {
    id: row.id,
    purpose: row.purpose,
    organizationId: row.organizationId as OrganizationId,
    connectionId: row.connectionId,
    interactionUid: row.interactionUid,
    samlRequestId: row.samlRequestId,
    oidcSecrets: row.sealedOidcSecrets === null ? undefined : (JSON.parse(box.open(row.sealedOidcSecrets, flowContext(row.id))) as Record<string, string>),
    browserHash: row.browserHash,
  };
}

/** Records who the answered flow signed in, for the interaction to pick up. */
export async function completeFlow(db: Database, input: { flowId: string; memberId: string; signInId: string; amr: string }): Promise<void> {
  await db
    .update(schema.ssoFlows)
    .set({ memberId: input.memberId, signInId: input.signInId, amr: input.amr })
    .where(and(eq(schema.ssoFlows.id, input.flowId), isNotNull(schema.ssoFlows.answeredAt), isNull(schema.ssoFlows.memberId)));
}

/**
 * Hands a completed flow's member to the interaction it was started for, once, and only to the
 * browser that started it (the cookie's hash must match).
 */
export async function consumeCompletedFlow(
  db: Database,
  input: { flowId: string; interactionUid: string; browserSecret: string; purpose?: 'app' | 'console' },
  now = new Date(),
): Promise<{ memberId: string; organizationId: OrganizationId; amr: string; connectionId: string; signInId: string } | undefined> {
  const [row] = await db
    .update(schema.ssoFlows)
    .set({ consumedAt: now })
    .where(
      and(
        eq(schema.ssoFlows.id, input.flowId),
        eq(schema.ssoFlows.interactionUid, input.interactionUid),
        eq(schema.ssoFlows.purpose, input.purpose ?? 'app'),
        eq(schema.ssoFlows.browserHash, hashBrowserSecret(input.browserSecret)),
        isNull(schema.ssoFlows.consumedAt),
        isNotNull(schema.ssoFlows.memberId),
        gt(schema.ssoFlows.expiresAt, now),
      ),
    )
    .returning();
  if (!row || row.memberId === null || row.amr === null || row.signInId === null) return undefined;
  return { memberId: row.memberId, organizationId: row.organizationId as OrganizationId, amr: row.amr, connectionId: row.connectionId, signInId: row.signInId };
}

/**
 * Remembers a SAML assertion ID until it expires; false when it was already seen, by any instance.
 */
export async function consumeAssertionId(db: Database, input: { connectionId: string; assertionId: string; expiresAt: Date }): Promise<boolean> {
  const rows = await db
    .insert(schema.samlAssertionReplays)
    .values(input)
    .onConflictDoNothing()
    .returning({ id: schema.samlAssertionReplays.assertionId });
  return rows.length === 1;
}

/** Deletes expired flows and assertion IDs whose assertions can no longer be accepted anyway. */
export async function pruneSignInState(db: Database, now = new Date()): Promise<{ flows: number; assertions: number }> {
  // Kept an hour past expiry, so a late IdP answer is refused as expired rather than unknown.
  const cutoff = new Date(now.getTime() - 3_600_000);
  const flows = await db.delete(schema.ssoFlows).where(lt(schema.ssoFlows.expiresAt, cutoff)).returning({ id: schema.ssoFlows.id });
  const assertions = await db
    .delete(schema.samlAssertionReplays)
    .where(lt(schema.samlAssertionReplays.expiresAt, cutoff))
    .returning({ id: schema.samlAssertionReplays.assertionId });
  return { flows: flows.length, assertions: assertions.length };
}
