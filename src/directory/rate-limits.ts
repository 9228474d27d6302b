/**
 * Per-token request counting in fixed windows, kept in PostgreSQL so that every Roster instance
 * behind a load balancer counts against the same budget.
 *
 * Each token has a sequence of its own (drizzle/0010_scim_request_counters.sql). The statement
 * that admits a request takes the request's number from it (see scim-admission.ts) and reads the
 * token's current window: its start and `base`, the number taken just before the window's first
 * request. The request's count in the window is its number minus base. Taking a number changes
 * the sequence in place, with no row version, row lock or WAL, so counting keeps the admission a
 * plain read; the token's window row is written only when a new window opens (openRequestWindow).
 *
 * Fixed windows rather than a sliding estimate: the budget is generous (an IdP that stays under
 * it is never refused, and one that exceeds it is told exactly when to come back), a refused
 * request's Retry-After is precise, and the count is exact: a request's number is unique whatever
 * runs concurrently. The price is that a client may spend two budgets around a window boundary.
 */
import { sql, type SQL } from 'drizzle-orm';
import { queryPrepared, type Database } from '../db/index.ts';

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

/** What the admission statement read of a request's count: its number, and the token's stored window. */
export interface TakenRequestNumber {
  number: number;
  /** The stored window, null before the token's first counted request. */
  windowStartMs: number | null;
  base: number | null;
}

/** The window that counts a request, and the request's number in it, as openRequestWindow returns them. */
interface OpenedWindowRow {
  window_start_ms: string | number;
  base: string | number;
  number: string | number;
}

/**
 * Columns that take a request's number and read the token's window, for a statement over the
 * token row aliased `t`: `request_number`, `window_start_ms`, `window_base`; `REQUEST_WINDOW_JOIN`
 * must follow its FROM. Every counted statement takes a number, refused requests included: a client
 * that keeps retrying while refused does not get a bigger budget.
 */
export const REQUEST_NUMBER_COLUMNS = sql.raw(
  'nextval(t.request_counter) as request_number, extract(epoch from w.window_start) * 1000 as window_start_ms, w.base as window_base',
);
export const REQUEST_WINDOW_JOIN = sql.raw('left join scim_rate_limits w on w.token_id = t.id');

/** The start of the window `now` falls in. */
export function windowStartOf(budget: RequestBudget, now: Date): number {
  const nowMs = now.getTime();
  return nowMs - (nowMs % budget.windowMs);
}

/**
 * Opens the window starting at `windowStartMs` for a token whose stored window is older (or
 * absent), and returns the window that counts the request with the number the request is counted
 * by. The window's base is the last number taken when it opens, read under the row's lock, so the
 * new window counts exactly the numbers taken after it: a request that took its number before
 * (this one, or one racing to open the same window) takes a new one here, and one that took its
 * number since keeps it. Every number is thus counted once, whatever runs concurrently. A window
 * newer than ours (another instance's clock runs ahead) is kept, and counts this request.
 */
function openRequestWindow(tokenId: string, windowStartMs: number, number: number): SQL {
  return sql`
    with token as (
      select id, request_counter from scim_tokens where id = ${tokenId}
    ), opened as (
      insert into scim_rate_limits as r (token_id, window_start, base)
      select id, ${new Date(windowStartMs).toISOString()}::timestamptz, pg_sequence_last_value(request_counter) from token
      on conflict (token_id) do update set
        base = case when excluded.window_start > r.window_start then excluded.base else r.base end,
        window_start = greatest(r.window_start, excluded.window_start)
      returning window_start, base
    )
    select extract(epoch from o.window_start) * 1000 as window_start_ms, o.base,
      case when ${number}::bigint > o.base then ${number}::bigint else nextval(t.request_counter) end as number
    from opened o cross join token t`;
}

async function openedWindow(db: Database, tokenId: string, windowStartMs: number, number: number) {
  const [opened] = await queryPrepared<OpenedWindowRow>(db, openRequestWindow(tokenId, windowStartMs, number));
  if (!opened) throw new Error('opening a rate-limit window returned no row');
  return { startMs: Number(opened.window_start_ms), base: Number(opened.base), number: Number(opened.number) };
}

/**
 * The verdict on a request whose number was taken: counted in the stored window when that is the
 * current one (or newer: this instance's clock lags), or in the window this call opens.
 */
export async function requestVerdict(
  db: Database,
  tokenId: string,
  budget: RequestBudget,
  now: Date,
  taken: TakenRequestNumber,
): Promise<RateLimitVerdict> {
  const windowStartMs = windowStartOf(budget, now);
  const { windowStartMs: storedStart, base: storedBase } = taken;
  const counted =
    storedStart !== null && storedBase !== null && storedStart >= windowStartMs
      ? { startMs: storedStart, base: storedBase, number: taken.number }
      : await openedWindow(db, tokenId, windowStartMs, taken.number);
  return rateLimitVerdict(budget, counted.number - counted.base, counted.startMs, now);
}

/** What a count of `requests` in the window starting at `windowStartMs` means at `now`. */
function rateLimitVerdict(budget: RequestBudget, requests: number, windowStartMs: number, now: Date): RateLimitVerdict {
  const windowEndMs = windowStartMs + budget.windowMs;
  return {
    limit: budget.limit,
    allowed: requests <= budget.limit,
    retryAfterSeconds: Math.max(1, Math.ceil((windowEndMs - now.getTime()) / 1000)),
    remaining: Math.max(0, budget.limit - requests),
  };
}
