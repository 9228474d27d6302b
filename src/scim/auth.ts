/**
 * Bearer authentication for `/scim/v2/:directoryId/*`. A token only opens the directory it was
 * issued for; every failure answers 401 with a SCIM error and the same WWW-Authenticate header.
 * The same database statement counts the request against the token's rate limit (enforced by the
 * middleware in rate-limit.ts), so admitting a request costs one round trip.
 */
import type { MiddlewareHandler } from 'hono';
import type { RateLimitVerdict, ScimAdmission, ScimPrincipal } from '../directory/index.ts';
import { readBearer } from '../http/bearer.ts';
import { scimError } from './errors.ts';

export type ScimVariables = { principal: ScimPrincipal; rateLimit: RateLimitVerdict | undefined };

export interface ScimAuthOptions {
  /** Resolves a token for a directory, or undefined when it does not open that directory. */
  admit(directoryId: string, token: string): Promise<ScimAdmission | undefined>;
  realm?: string;
}

export function scimBearerAuth(options: ScimAuthOptions): MiddlewareHandler<{ Variables: ScimVariables }> {
  const realm = options.realm ?? 'scim';
  return async function scimAuth(c, next) {
    const challenge = (error?: string) => ({
      'WWW-Authenticate': `Bearer realm="${realm}"${error ? `, error="${error}"` : ''}`,
    });
    const bearer = readBearer(c.req.header('Authorization'));
    if (!bearer.ok) {
      return bearer.reason === 'missing'
        ? scimError(c, 401, 'authentication required: send Authorization: Bearer <token>', undefined, challenge())
        : scimError(c, 401, 'malformed Authorization header: expected "Bearer <token>"', undefined, challenge('invalid_request'));
    }
    const directoryId = c.req.param('directoryId') ?? '';
    const admission = await options.admit(directoryId, bearer.token);
    if (!admission) {
      return scimError(c, 401, 'the bearer token is not valid for this directory', undefined, challenge('invalid_token'));
    }
    c.set('principal', admission.principal);
    c.set('rateLimit', admission.rateLimit);
    await next();
  };
}
