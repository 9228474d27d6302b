/**
 * Errors of the JSON (non-SCIM) routes: `{ "error": { "code", "message" } }`, the same shape for
 * the admin API, the control endpoint and the health routes.
 */
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { isDatabaseUnavailable } from '../db/index.ts';
import { isDomainError } from '../errors.ts';
import { STATUS_BY_CODE } from './error-status.ts';

/** What every surface asks a client to wait while the database is unreachable, as /readyz does. */
export const DATABASE_RETRY_AFTER_SECONDS = 5;

/** The one JSON error shape; `headers` carries extras such as Retry-After. */
export function jsonError(
  c: Context,
  status: ContentfulStatusCode,
  code: string,
  message: string,
  headers?: Record<string, string>,
): Response {
  return c.json({ error: { code, message } }, status, headers);
}

/**
 * Maps a thrown error to a response: a DomainError by its code, an unreachable database to 503
 * with Retry-After (the process stays up and answers again once the database is back), anything
 * else to a 500 with no detail.
 */
export function jsonErrorFor(c: Context, error: unknown): Response {
  if (isDomainError(error)) return jsonError(c, STATUS_BY_CODE[error.code], error.code, error.message);
  if (isDatabaseUnavailable(error)) {
    return jsonError(c, 503, 'unavailable', 'the database cannot be reached; retry later', {
      'Retry-After': String(DATABASE_RETRY_AFTER_SECONDS),
    });
  }
  return jsonError(c, 500, 'internal', 'internal server error');
}
