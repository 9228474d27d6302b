/**
 * Bearer authentication for `/scim/v2/:directoryId/*`. A token only opens the directory it was
 * issued for; every failure answers 401 with a SCIM error and the same WWW-Authenticate header.
 * The same database statement counts the request against the token's rate limit (enforced by the
 * middleware in rate-limit.ts), so admitting a request costs one round trip; for the reads that
 * admit their request themselves (admission-gate.ts), it costs none of its own.
 */
import type { Context, MiddlewareHandler } from 'hono';
import type { AdmissionRequest, RateLimitVerdict, ScimAdmission, ScimPrincipal } from '../directory/index.ts';
import { readBearer } from '../http/index.ts';
import { AdmissionGate } from './admission-gate.ts';
import { ScimRequestError, scimError, scimErrorFor } from './errors.ts';

export type ScimVariables = {
  principal: ScimPrincipal;
  rateLimit: RateLimitVerdict | undefined;
  /** Set instead of `principal` on requests whose handler admits them. */
  gate: AdmissionGate | undefined;
};

export interface ScimAuthOptions {
  /** What admitting a token for a directory takes, or undefined when the directory id is not one. */
  request(directoryId: string, token: string): AdmissionRequest | undefined;
  /** Admits a request in a statement of its own; undefined when the token does not open the directory. */
  admit(request: AdmissionRequest): Promise<ScimAdmission | undefined>;
  /** Requests whose handler admits them, in its own read (see admission-gate.ts). */
  handlerAdmits?(c: Context): boolean;
  realm?: string;
}

export function scimBearerAuth(options: ScimAuthOptions): MiddlewareHandler<{ Variables: ScimVariables }> {
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
    const request = options.request(c.req.param('directoryId') ?? '', bearer.token);
    if (request === undefined) return scimErrorFor(c, invalidToken());
    if (options.handlerAdmits?.(c)) {
      c.set('gate', new AdmissionGate(request, options.admit, invalidToken));
      return next();
    }
    const admission = await options.admit(request);
    if (!admission) return scimErrorFor(c, invalidToken());
    c.set('principal', admission.principal);
    c.set('rateLimit', admission.rateLimit);
    await next();
  };
}
