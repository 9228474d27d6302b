import type { MiddlewareHandler } from 'hono';
import type { Logger } from './logger.ts';

/**
 * One log line per request: method, path (never the query string, which can carry personal data),
 * status and duration, tied together by the request id.
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
        durationMs: Math.round((performance.now() - started) * 10) / 10,
      },
      'request',
    );
  };
}
