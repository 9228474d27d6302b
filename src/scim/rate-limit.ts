/**
 * Per-token rate limit for the SCIM endpoint, as the client sees it. The count lives in the
 * database and is taken by the statement that admits the request (admitScimRequest), so every
 * instance behind a load balancer enforces the same budget, and the key is the token: one
 * organization's traffic never spends another's.
 *
 * Counted responses carry `RateLimit-Limit`, `RateLimit-Remaining` and `RateLimit-Reset` (seconds
 * until the window ends), the header trio of the IETF RateLimit fields draft that most API
 * gateways emit, so an operator can see how close an IdP runs to the limit. A refused request gets
 * 429 with `Retry-After` and a SCIM error body.
 */
import type { Context } from 'hono';
import type { RateLimitVerdict, RequestBudget } from '../directory/index.ts';
import { ScimRequestError } from './errors.ts';

export interface ScimRateLimitOptions {
  /** Requests per token per minute; 0 turns the limit off. */
  perMinute: number;
  /** The clock; tests freeze and advance it. */
  now?: () => Date;
}

const WINDOW_MS = 60_000;

/** The budget behind a per-minute limit, undefined for none; a negative or fractional limit fails here, at start-up. */
export function scimRequestBudget(perMinute: number): RequestBudget | undefined {
  if (!Number.isSafeInteger(perMinute) || perMinute < 0) {
    throw new RangeError(`the SCIM rate limit must be a whole number of requests per minute, 0 to disable (got ${perMinute})`);
  }
  return perMinute === 0 ? undefined : { limit: perMinute, windowMs: WINDOW_MS };
}

/**
 * Sets a verdict's headers on the response being prepared and, for a refused request, returns the
 * 429 to answer. Called before the handler answers: adding headers to a finished response would
 * copy it.
 */
export function applyRateLimitVerdict(c: Context, verdict: RateLimitVerdict): ScimRequestError | undefined {
  const limit = String(verdict.limit);
  c.header('RateLimit-Limit', limit);
  c.header('RateLimit-Remaining', String(verdict.remaining));
  c.header('RateLimit-Reset', String(verdict.retryAfterSeconds));
  if (verdict.allowed) return undefined;
  return new ScimRequestError(
    429,
    undefined,
    `rate limit exceeded: at most ${limit} requests per minute per token; retry in ${verdict.retryAfterSeconds} s`,
    { 'Retry-After': String(verdict.retryAfterSeconds) },
  );
}
