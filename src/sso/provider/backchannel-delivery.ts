/**
 * Delivers the back-channel logout tokens owed to apps (the `backchannel_logouts` outbox, filled
 * when a member's sessions end) and keeps the provider's tables small. Rows are claimed with a
 * lease, so several instances deliver side by side without sending a token twice.
 */
import { and, asc, eq, isNull, lt, lte } from 'drizzle-orm';
import { schema, withTransaction, type Database } from '../../db/index.ts';
import { startPeriodicTask } from '../../jobs/index.ts';
import type { ProviderLogger, RosterProvider } from './provider.ts';

const outbox = schema.backchannelLogouts;

/** After this many failed attempts a row is left with its last error and no longer tried. */
export const MAX_LOGOUT_ATTEMPTS = 8;
const BASE_DELAY_MS = 30_000;
const TIMEOUT_MS = 5_000;
/** Longer than a delivery can take: a row claimed by an instance that died is tried again after it. */
const LEASE_MS = 60_000;
const BATCH = 50;
/** Expired objects stay an hour: find() already ignores them, and a lagging clock does no harm. */
const EXPIRED_GRACE_MS = 60 * 60 * 1000;

export const BACKCHANNEL_LOGOUT_EVENT = 'http://schemas.openid.net/event/backchannel-logout';

export interface DeliveryResult {
  delivered: number;
  failed: number;
  gaveUp: number;
}

/** The delay before attempt `attempts + 1`: 30 s, 1 min, 2 min, … */
export function backoffMs(attempts: number): number {
  return BASE_DELAY_MS * 2 ** Math.max(0, attempts - 1);
}

/**
 * Sends every due logout token: 2xx marks the row delivered; anything else (or 5 s of silence)
 * counts an attempt and schedules the next one, until MAX_LOGOUT_ATTEMPTS.
 */
export async function deliverBackchannelLogouts(
  rp: RosterProvider,
  options: { db: Database; now?: Date; fetch?: typeof fetch },
): Promise<DeliveryResult> {
  const { db } = options;
  const now = options.now ?? new Date();
  const send = options.fetch ?? fetch;
  const due = await claimDue(db, now);
  const result: DeliveryResult = { delivered: 0, failed: 0, gaveUp: 0 };

  for (const row of due) {
    const problem = await deliverOne(rp, send, row.clientId, row.accountId).catch((error: unknown) => describe(error));
    if (problem === undefined) {
      await db.update(outbox).set({ deliveredAt: new Date(), lastError: null }).where(eq(outbox.id, row.id)).returning({ id: outbox.id });
      result.delivered++;
      continue;
    }
    const attempts = row.attempts + 1;
    const gaveUp = attempts >= MAX_LOGOUT_ATTEMPTS;
    await db
      .update(outbox)
      .set({ attempts, lastError: problem.slice(0, 500), nextAttemptAt: new Date(now.getTime() + backoffMs(attempts)) })
      .where(eq(outbox.id, row.id))
      .returning({ id: outbox.id });
    if (gaveUp) result.gaveUp++;
    else result.failed++;
  }
  return result;
}

/** The due rows, leased: their next attempt moves past the time this delivery may take. */
async function claimDue(db: Database, now: Date) {
  return withTransaction(db, async (tx) => {
    const rows = await tx
      .select({ id: outbox.id, clientId: outbox.clientId, accountId: outbox.accountId, attempts: outbox.attempts })
      .from(outbox)
      .where(and(isNull(outbox.deliveredAt), lte(outbox.nextAttemptAt, now), lt(outbox.attempts, MAX_LOGOUT_ATTEMPTS)))
      .orderBy(asc(outbox.nextAttemptAt))
      .limit(BATCH)
      .for('update', { skipLocked: true });
    for (const row of rows) {
      await tx.update(outbox).set({ nextAttemptAt: new Date(now.getTime() + LEASE_MS) }).where(eq(outbox.id, row.id));
    }
    return rows;
  });
}

/** Resolves to undefined when delivered, else to why not. */
async function deliverOne(rp: RosterProvider, send: typeof fetch, clientId: string, accountId: string): Promise<string | undefined> {
  const { provider } = rp;
  const client = await provider.Client.find(clientId);
  if (!client) return 'the app is gone';
  if (!client.backchannelLogoutUri) return 'the app has no back-channel logout URI';
  const logoutToken = await issueLogoutToken(rp, client, accountId);
  const response = await send(client.backchannelLogoutUri, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ logout_token: logoutToken }),
    signal: AbortSignal.timeout(TIMEOUT_MS),
  });
  await response.body?.cancel();
  return response.ok ? undefined : `the app answered ${response.status}`;
}

/**
 * oidc-provider's own logout token (as its Client#backchannelLogout builds it: iss, aud, iat, exp,
 * jti, sub, the logout event, `typ: logout+jwt`, signed with the active key), sent by us rather
 * than by it so that delivery has our timeout and retries.
 */
async function issueLogoutToken(rp: RosterProvider, client: InstanceType<RosterProvider['provider']['Client']>, sub: string): Promise<string> {
  const { provider } = rp;
  const token = new provider.IdToken({ sub }, { client, ctx: undefined as never });
  (token as unknown as { mask: Record<string, null> }).mask = { sub: null };
  token.set('events', { [BACKCHANNEL_LOGOUT_EVENT]: {} });
  token.set('jti', crypto.randomUUID());
  return token.issue({ use: 'logout' });
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
    return `${error.name}: ${error.message}${cause}`;
  }
  return String(error);
}

/** Deletes provider objects that expired more than an hour ago. */
export async function deleteExpiredPayloads(db: Database, now: Date = new Date()): Promise<number> {
  const payloads = schema.oidcProviderPayloads;
  const deleted = await db
    .delete(payloads)
    .where(lt(payloads.expiresAt, new Date(now.getTime() - EXPIRED_GRACE_MS)))
    .returning({ id: payloads.id });
  return deleted.length;
}

/**
 * The provider's background work on a timer: delivering due logout tokens and deleting expired
 * objects. `close()` waits for a run in progress, so the database can be closed after it.
 */
export function startProviderMaintenance(options: { rp: RosterProvider; db: Database; logger: ProviderLogger; intervalMs: number }): {
  close(): Promise<void>;
} {
  const { rp, db, logger } = options;
  const task = startPeriodicTask(
    async () => {
      try {
        const sent = await deliverBackchannelLogouts(rp, { db });
        if (sent.delivered + sent.failed + sent.gaveUp > 0) logger.info({ ...sent }, 'back-channel logouts');
        if (sent.gaveUp > 0) logger.warn({ gaveUp: sent.gaveUp }, `back-channel logouts given up after ${MAX_LOGOUT_ATTEMPTS} attempts`);
        await deleteExpiredPayloads(db);
      } catch (error) {
        logger.error({ err: error }, 'OpenID Provider maintenance failed');
      }
    },
    undefined,
    options.intervalMs,
  );
  return { close: () => task.stop() };
}
