/**
 * Admission for `/scim/v2/:directoryId/*`: authenticates the bearer token and counts the request
 * against the token's rate limit, in one database statement (admitScimRequest), before anything
 * reads the body. A token only opens the directory it was issued for; every refusal answers 401
 * with a SCIM error and a WWW-Authenticate challenge, and failed attempts are throttled per client
 * address before they reach the database (failed-auth-throttle.ts).
 *
 * An admitted request carries its principal; a counted one the RateLimit headers. Over budget, the
 * principal is still named before the 429 is answered, so that the request log, which wraps this
 * middleware, records refusals as it records everything else.
 */
import type { Context, MiddlewareHandler } from 'hono';
import type { Database } from '../db/index.ts';
import { admitScimRequest, scimTokenDigest, type RateLimitVerdict, type ScimPrincipal } from '../directory/index.ts';
import { readBearer } from '../http/index.ts';
import { ScimRequestError, scimError, scimErrorFor } from './errors.ts';
import { clientAddress, FailedAuthThrottle, type FailedAuthThrottleOptions } from './failed-auth-throttle.ts';
import { applyRateLimitVerdict, scimRequestBudget } from './rate-limit.ts';

export type ScimVariables = {
  principal: ScimPrincipal;
  rateLimit: RateLimitVerdict | undefined;
};

export interface ScimAuthOptions {
  db: Database;
  /** Requests per token per minute; 0 or absent, requests are not counted. */
  perMinute?: number;
  /** The clock; tests freeze and advance it. */
  now?: () => Date;
  /** The failed-authentication throttle, or its options. */
  throttle?: FailedAuthThrottle | FailedAuthThrottleOptions;
  /** Where a request comes from, for the throttle: the socket's remote address by default. */
  addressOf?: (c: Context) => string;
  realm?: string;
}

export function scimAuth(options: ScimAuthOptions): MiddlewareHandler<{ Variables: ScimVariables }> {
  const { db } = options;
  const budget = scimRequestBudget(options.perMinute ?? 0);
  const now = options.now ?? (() => new Date());
  const throttle = options.throttle instanceof FailedAuthThrottle ? options.throttle : new FailedAuthThrottle(options.throttle);
  const addressOf = options.addressOf ?? clientAddress;
  const realm = options.realm ?? 'scim';
  const challenge = (error?: string) => ({
    'WWW-Authenticate': `Bearer realm="${realm}"${error ? `, error="${error}"` : ''}`,
  });
  const invalidToken = () => new ScimRequestError(401, undefined, 'the bearer token is not valid for this directory', challenge('invalid_token'));

  return async function scimAuth(c, next) {
    const bearer = readBearer(c.req.header('Authorization'));
    if (!bearer.ok) {
      return bearer.reason === 'missing'
        ? scimError(c, 401, 'authentication required: send Authorization: Bearer <token>', undefined, challenge())
        : scimError(c, 401, 'malformed Authorization header: expected "Bearer <token>"', undefined, challenge('invalid_request'));
    }
    const at = now();
    const directoryId = c.req.param('directoryId') ?? '';
    const digest = scimTokenDigest(bearer.token);
    const token = `${directoryId} ${digest}`;
    const address = addressOf(c);
    const retryAfter = throttle.refusal(address, token, at.getTime());
    if (retryAfter !== undefined) {
      return scimErrorFor(
        c,
        new ScimRequestError(429, undefined, `too many failed authentications from this address; retry in ${retryAfter} s`, {
          'Retry-After': String(retryAfter),
        }),
      );
    }

    const admission = await admitScimRequest(db, { directoryId, digest, budget, now: at });
    if (admission === undefined) {
      throttle.failed(address, token, at.getTime());
      return scimErrorFor(c, invalidToken());
    }
    throttle.admitted(token, at.getTime());
    c.set('principal', admission.principal);
    c.set('rateLimit', admission.rateLimit);
    const refused = admission.rateLimit && applyRateLimitVerdict(c, admission.rateLimit);
    if (refused) return scimErrorFor(c, refused);
    await next();
  };
}
