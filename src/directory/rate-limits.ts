/**
 * Per-token request counting in fixed windows, kept in PostgreSQL so that every Roster instance
 * behind a load balancer counts against the same budget.
 *
 * Each token has a sequence of its own (drizzle/0010_scim_request_counters.sql), and each counted
 * request takes its number from it. The token's row in scim_rate_limits holds its current window:
 * the window's start and `base`, the number taken just before the window's first request, so a
 * request's count in its window is its number minus base. Taking a number changes the sequence in
 * place, with no row version, row lock or WAL, so counting a request is a plain read; the window's
 * row is written only when a new window opens. The statement that does both is the admission's
 * (scim-admission.ts).
 *
 * Fixed windows rather than a sliding estimate: the budget is generous (an IdP that stays under
 * it is never refused, and one that exceeds it is told exactly when to come back), a refused
 * request's Retry-After is precise, and the count is exact: a request's number is unique whatever
 * runs concurrently. The price is that a client may spend two budgets around a window boundary.
 */

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
export function windowStartOf(budget: RequestBudget, now: Date): number {
  const nowMs = now.getTime();
  return nowMs - (nowMs % budget.windowMs);
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
