import type { MiddlewareHandler } from 'hono';
import type { Logger } from './logger.ts';

/**
 * One log line per request: method, path (never the query string, which can carry personal data),
 * status and duration, tied together by the request id. A refused credential (401) adds the reason
 * its challenge gives: such requests name no directory they belong to, so this line is the only
 * record an operator finds of an identity provider sending a mistyped or revoked token.
 */
export function requestLogging(logger: Logger): MiddlewareHandler {
  return async function logRequest(c, next) {
    const started = performance.now();
    await next();
    const status = c.res.status;
    logger[status >= 500 ? 'error' : 'info'](
      {
        requestId: c.get('requestId' as never) as string | undefined,
        method: c.req.method,
        path: c.req.path,
        status,
        ...(status === 401 ? { reason: refusalReason(c.res.headers.get('WWW-Authenticate')) } : {}),
        durationMs: Math.round((performance.now() - started) * 10) / 10,
      },
      'request',
    );
  };
}

/** The RFC 6750 error of a Bearer challenge, in words. */
function refusalReason(challenge: string | null): string {
  const error = challenge === null ? undefined : /error="([^"]*)"/.exec(challenge)?.[1];
  if (error === 'invalid_token') return 'token unknown, revoked or issued for another directory';
  if (error === 'invalid_request') return 'malformed Authorization header';
  return 'no credentials sent';
}
