/**
 * Errors of the admin API as RFC 9457 problem details (`application/problem+json`): `type` names
 * the problem by Roster's stable error code (the same codes the CLI prints), `detail` says what
 * went wrong in this request, `errors` lists each invalid field of a request that failed validation.
 */
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { isDatabaseUnavailable } from '../../db/index.ts';
import { isDomainError } from '../../errors.ts';
import { DATABASE_RETRY_AFTER_SECONDS, STATUS_BY_CODE } from '../../http/index.ts';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

const TITLES: Record<string, string> = {
  invalid_input: 'Invalid input',
  unauthenticated: 'Authentication required',
  forbidden: 'Forbidden',
  not_found: 'Not found',
  conflict: 'Conflict',
  precondition_failed: 'Precondition failed',
  limit_exceeded: 'Limit exceeded',
  payload_too_large: 'Payload too large',
  unsupported_media_type: 'Unsupported media type',
  unavailable: 'Service unavailable',
  internal: 'Internal server error',
};

export interface ProblemField {
  /** The JSON path of the field (`email`, `rows.3.role`, `query.limit`). */
  field: string;
  message: string;
}

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  /** Roster's error code, also the last segment of `type`. */
  code: string;
  instance?: string;
  errors?: ProblemField[];
  [extension: string]: unknown;
}

export function problemType(code: string): string {
  return `urn:roster:problem:${code}`;
}

export function problem(
  c: Context,
  status: ContentfulStatusCode,
  code: string,
  detail: string,
  extra: { errors?: ProblemField[]; headers?: Record<string, string>; details?: Readonly<Record<string, unknown>> } = {},
): Response {
  const body: Problem = {
    ...(extra.details ?? {}),
    type: problemType(code),
    title: TITLES[code] ?? code,
    status,
    detail,
    code,
    instance: c.req.path,
    ...(extra.errors ? { errors: extra.errors } : {}),
  };
  return c.body(JSON.stringify(body), status, { 'Content-Type': PROBLEM_CONTENT_TYPE, ...extra.headers });
}

/** A thrown error as a problem: a DomainError by its code, an unreachable database as 503. */
export function problemFor(c: Context, error: unknown): Response {
  if (isDomainError(error)) return problem(c, STATUS_BY_CODE[error.code], error.code, error.message, { details: error.details });
  // Hono's validators throw these for a body that is not JSON, or not of the declared media type.
  if (error instanceof HTTPException && error.status < 500) {
    const code = error.status === 415 ? 'unsupported_media_type' : error.status === 413 ? 'payload_too_large' : 'invalid_input';
    const detail = error.status === 415 ? `the body must be sent as ${c.req.method === 'GET' ? 'a query' : 'application/json'}` : error.message;
    return problem(c, error.status as ContentfulStatusCode, code, detail);
  }
  if (isDatabaseUnavailable(error)) {
    return problem(c, 503, 'unavailable', 'the database cannot be reached; retry later', {
      headers: { 'Retry-After': String(DATABASE_RETRY_AFTER_SECONDS) },
    });
  }
  return problem(c, 500, 'internal', 'internal server error');
}
