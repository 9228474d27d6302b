/**
 * Errors of the JSON (non-SCIM) routes: `{ "error": { "code", "message" } }`, the same shape for
 * the admin API, the control endpoint and the health routes.
 */
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { isDomainError } from '../errors.ts';
import { STATUS_BY_CODE } from './error-status.ts';

export function jsonError(c: Context, status: ContentfulStatusCode, code: string, message: string): Response {
  return c.json({ error: { code, message } }, status);
}

/** Maps a thrown error to a response; anything that is not a DomainError is a 500 with no detail. */
export function jsonErrorFor(c: Context, error: unknown): Response {
  if (isDomainError(error)) return jsonError(c, STATUS_BY_CODE[error.code], error.code, error.message);
  return jsonError(c, 500, 'internal', 'internal server error');
}
