import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { DomainErrorCode } from '../errors.ts';

/** The one table from domain error codes to HTTP statuses, shared by every API surface. */
export const STATUS_BY_CODE: Record<DomainErrorCode, ContentfulStatusCode> = {
  invalid_input: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  precondition_failed: 412,
  limit_exceeded: 429,
  unavailable: 503,
};
