/**
 * Who is calling the admin API, before any body is read: an operator API key (every
 * organization), the app's access token from Roster's OP (read-only, by scope), or a member's
 * console session cookie (their organization, their role's permissions). Requests made with the
 * cookie and an unsafe method must come from Roster's own origin (the cookie is SameSite=Lax
 * already; this also stops same-site pages).
 */
import type { MiddlewareHandler } from 'hono';
import { authenticateApiKey, memberActor, type Actor } from '../../directory/index.ts';
import { consoleSessionOf, readBearer } from '../../http/index.ts';
import type { AdminApiDeps, AdminEnv } from './env.ts';
import { problem } from './problem.ts';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
/** Operator keys are issued with this prefix (secret-tokens.ts); anything else may be an app token. */
const API_KEY_PREFIX = 'rst_key_';

export function adminAuthentication(deps: AdminApiDeps): MiddlewareHandler<AdminEnv> {
  const origin = new URL(deps.publicUrl).origin;
  return async function adminAuthentication(c, next) {
    const header = c.req.header('Authorization');
    let actor: Actor | undefined;
    if (header !== undefined) {
      const bearer = readBearer(header);
      if (!bearer.ok) return unauthenticated(c, 'malformed Authorization header');
      actor = await bearerActor(deps, bearer.token);
      if (!actor) return unauthenticated(c, 'invalid, expired or revoked token', 'invalid_token');
    } else {
      const session = await consoleSessionOf(c, deps.db);
      if (session) {
        if (!SAFE_METHODS.has(c.req.method) && c.req.header('Origin') !== origin) {
          return problem(c, 403, 'forbidden', `requests with a console session must come from ${origin}`);
        }
        actor = await memberActor(deps.db, session.organizationId, session.memberId);
      }
      if (!actor) return unauthenticated(c, 'an API key, an app access token or a console session is required');
    }
    c.set('actor', actor);
    c.set('ctx', { db: deps.db, actor, clock: deps.clock });
    await next();
  };
}

async function bearerActor(deps: AdminApiDeps, token: string): Promise<Actor | undefined> {
  if (token.startsWith(API_KEY_PREFIX)) {
    const key = await authenticateApiKey(deps.db, token);
    return key ? { type: 'api_key', id: key.id } : undefined;
  }
  const app = await deps.verifyAppToken?.(token);
  return app ? { type: 'app', id: app.clientId, scopes: new Set(app.scopes) } : undefined;
}

function unauthenticated(c: Parameters<MiddlewareHandler>[0], detail: string, error?: string): Response {
  const challenge = `Bearer realm="roster"${error ? `, error="${error}"` : ''}`;
  return problem(c, 401, 'unauthenticated', detail, { headers: { 'WWW-Authenticate': challenge } });
}
