/**
 * Per-token request counting in fixed windows, kept in PostgreSQL so that every Roster instance
 * behind a load balancer counts against the same budget. One statement per request: an upsert
 * that either opens the token's new window or adds one to the current one, and returns the count.
 *
 * Fixed windows rather than a sliding estimate: the budget is generous (an IdP that stays under
 * it is never refused, and one that exceeds it is told exactly when to come back), the decision
 * is exact under concurrency, and a refused request's Retry-After is precise. The price is that a
 * client may spend two budgets around a window boundary.
 */
import { sql } from 'drizzle-orm';
import { queryPrepared, type Database } from '../db/index.ts';
import type { ScimTokenId } from '../ids.ts';

export interface RateLimitVerdict {
  /** Whether this request fits in the current window. */
  allowed: boolean;
  /** Seconds until the current window ends, at least 1: the Retry-After of a refused request. */
  retryAfterSeconds: number;
  /** Requests still allowed in the current window after this one. */
  remaining: number;
}

/**
 * Counts one request of `tokenId` and says whether it is within `limit` requests per `windowMs`.
 * Every call is counted, refused ones too: a client that keeps retrying while refused does not
 * get a bigger budget, and the count starts afresh with the next window anyway.
 */
export async function consumeRateLimit(
  db: Database,
  tokenId: ScimTokenId,
  limit: number,
  windowMs: number,
  now: Date,
): Promise<RateLimitVerdict> {
  const nowMs = now.getTime();
  const windowStart = new Date(nowMs - (nowMs % windowMs));
  // Instances' clocks differ slightly: a request from a lagging clock counts towards the newest
  // window already stored instead of turning the window back and resetting the count.
  const [row] = await queryPrepared<{ requests: number; window_start_ms: number }>(db, sql`
    insert into scim_rate_limits as r (token_id, window_start, requests)
    values (${tokenId}, ${windowStart.toISOString()}::timestamptz, 1)
    on conflict (token_id) do update set
      requests = case when excluded.window_start > r.window_start then 1 else r.requests + 1 end,
      window_start = greatest(r.window_start, excluded.window_start)
    returning requests, (extract(epoch from window_start) * 1000)::float8 as window_start_ms
  `);
  if (!row) throw new Error('the rate-limit upsert returned no row');
  const windowEndMs = Number(row.window_start_ms) + windowMs;
  return {
    allowed: row.requests <= limit,
    retryAfterSeconds: Math.max(1, Math.ceil((windowEndMs - nowMs) / 1000)),
    remaining: Math.max(0, limit - row.requests),
  };
}
