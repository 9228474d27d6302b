/**
 * Per-token rate limit for the SCIM endpoint, mounted after bearer authentication. The count lives
 * in the database (see consumeRateLimit), so every instance behind a load balancer enforces the
 * same budget, and the key is the token: one organization's traffic never spends another's.
 *
 * Authenticated responses carry `RateLimit-Limit`, `RateLimit-Remaining` and `RateLimit-Reset`
 * (seconds until the window ends), the header trio of the IETF RateLimit fields draft that most
 * API gateways emit, so an operator can see how close an IdP runs to the limit. A refused request
 * gets 429 with `Retry-After` and a SCIM error body.
 */
import type { MiddlewareHandler } from 'hono';
import type { Database } from '../db/index.ts';
import { consumeRateLimit } from '../directory/index.ts';
import type { ScimVariables } from './auth.ts';
import { scimError } from './errors.ts';

export interface ScimRateLimitOptions {
  db: Database;
  /** Requests per token per minute; 0 turns the limit off. */
  perMinute: number;
  /** The clock; tests freeze and advance it. */
  now?: () => Date;
}

const WINDOW_MS = 60_000;

/** Builds the middleware; a negative or fractional limit fails here, at start-up. */
export function scimRateLimit(options: ScimRateLimitOptions): MiddlewareHandler<{ Variables: ScimVariables }> {
  const { db, perMinute } = options;
  if (!Number.isSafeInteger(perMinute) || perMinute < 0) {
    throw new RangeError(`the SCIM rate limit must be a whole number of requests per minute, 0 to disable (got ${perMinute})`);
  }
  if (perMinute === 0) {
    return async function scimRateLimitDisabled(_c, next) {
      await next();
    };
  }
  const now = options.now ?? (() => new Date());
  return async function scimRateLimit(c, next) {
    const verdict = await consumeRateLimit(db, c.get('principal').tokenId, perMinute, WINDOW_MS, now());
    const headers = {
      'RateLimit-Limit': String(perMinute),
      'RateLimit-Remaining': String(verdict.remaining),
      'RateLimit-Reset': String(verdict.retryAfterSeconds),
    };
    if (!verdict.allowed) {
      return scimError(
        c,
        429,
        `rate limit exceeded: at most ${perMinute} requests per minute per token; retry in ${verdict.retryAfterSeconds} s`,
        undefined,
        { ...headers, 'Retry-After': String(verdict.retryAfterSeconds) },
      );
    }
    await next();
    for (const [name, value] of Object.entries(headers)) c.header(name, value);
  };
}
