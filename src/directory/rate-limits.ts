/**
 * Per-token request counting in fixed windows, kept in PostgreSQL so that every Roster instance
 * behind a load balancer counts against the same budget. The count is an upsert that either opens
 * the token's new window or adds one to the current one, and returns the count; it runs inside
 * the statement that admits a SCIM request (see scim-admission.ts), so counting costs no round trip.
 *
 * Fixed windows rather than a sliding estimate: the budget is generous (an IdP that stays under
 * it is never refused, and one that exceeds it is told exactly when to come back), the decision
 * is exact under concurrency, and a refused request's Retry-After is precise. The price is that a
 * client may spend two budgets around a window boundary.
 */
import { sql, type SQL } from 'drizzle-orm';

/** How many requests a token may make per window. */
export interface RequestBudget {
  limit: number;
  windowMs: number;
}

export interface RateLimitVerdict {
  /** The budget's requests per window. */
  limit: number;
  /** Whether this request fits in the current window. */
  allowed: boolean;
  /** Seconds until the current window ends, at least 1: the Retry-After of a refused request. */
  retryAfterSeconds: number;
  /** Requests still allowed in the current window after this one. */
  remaining: number;
}

/** The start of the window `now` falls in. */
function windowStartOf(budget: RequestBudget, now: Date): Date {
  const nowMs = now.getTime();
  return new Date(nowMs - (nowMs % budget.windowMs));
}

/**
 * The upsert, as the body of a CTE over a CTE named `token` (at most one row, column `id`).
 * Instances' clocks differ slightly: a request from a lagging clock counts towards the newest
 * window already stored instead of turning the window back and resetting the count. Every call is
 * counted, refused ones too: a client that keeps retrying while refused does not get a bigger
 * budget, and the count starts afresh with the next window anyway.
 */
export function countRequestOfToken(budget: RequestBudget, now: Date): SQL {
  return sql`
    insert into scim_rate_limits as r (token_id, window_start, requests)
    select id, ${windowStartOf(budget, now).toISOString()}::timestamptz, 1 from token
    on conflict (token_id) do update set
      requests = case when excluded.window_start > r.window_start then 1 else r.requests + 1 end,
      window_start = greatest(r.window_start, excluded.window_start)
    returning requests, (extract(epoch from window_start) * 1000)::float8 as window_start_ms`;
}

/** What a count of `requests` in the window starting at `windowStartMs` means at `now`. */
export function rateLimitVerdict(budget: RequestBudget, requests: number, windowStartMs: number, now: Date): RateLimitVerdict {
  const windowEndMs = windowStartMs + budget.windowMs;
  return {
    limit: budget.limit,
    allowed: requests <= budget.limit,
    retryAfterSeconds: Math.max(1, Math.ceil((windowEndMs - now.getTime()) / 1000)),
    remaining: Math.max(0, budget.limit - requests),
  };
}
