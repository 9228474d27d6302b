/**
 * Every SCIM error leaves through here, as an RFC 7644 §3.12 error body with
 * `application/scim+json`; status is a string in the body, as the RFC's examples show.
 */
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { isDatabaseUnavailable } from '../db/index.ts';
import { isDomainError } from '../errors.ts';
import { STATUS_BY_CODE } from '../http/index.ts';
import { DATABASE_RETRY_AFTER_SECONDS } from '../http/index.ts';

export const SCIM_ERROR_URN = 'urn:ietf:params:scim:api:messages:2.0:Error';
export const SCIM_CONTENT_TYPE = 'application/scim+json; charset=utf-8';

/** RFC 7644 Table 9, plus the types RFC 7644 errata and IdPs use. */
export type ScimType =
  | 'invalidFilter'
  | 'tooMany'
  | 'uniqueness'
  | 'mutability'
  | 'invalidSyntax'
  | 'invalidPath'
  | 'noTarget'
  | 'invalidValue'
  | 'invalidVers'
  | 'sensitive';

export interface ScimErrorBody {
  schemas: [typeof SCIM_ERROR_URN];
  status: string;
  scimType?: ScimType;
  detail: string;
}

export function scimErrorBody(status: number, detail: string, scimType?: ScimType): ScimErrorBody {
  return {
    schemas: [SCIM_ERROR_URN],
    status: String(status),
    ...(scimType === undefined ? {} : { scimType }),
    detail,
  };
}

export function scimError(
  c: Context,
  status: ContentfulStatusCode,
  detail: string,
  scimType?: ScimType,
  headers?: Record<string, string>,
): Response {
  return c.body(JSON.stringify(scimErrorBody(status, detail, scimType)), status, {
    'Content-Type': SCIM_CONTENT_TYPE,
    ...headers,
  });
}

/**
 * A client error found inside a domain callback (a PATCH that does not apply to the current
 * state): thrown to abort the transaction, rendered as the SCIM error it carries.
 */
export class ScimRequestError extends Error {
  override readonly name = 'ScimRequestError';
  constructor(
    readonly status: ContentfulStatusCode,
    readonly scimType: ScimType | undefined,
    detail: string,
    /** Headers the error response must carry (WWW-Authenticate of a 401, Retry-After of a 429). */
    readonly headers?: Record<string, string>,
  ) {
    super(detail);
  }
}

/** Maps anything thrown inside a SCIM route; internals never reach the client. */
export function scimErrorFor(c: Context, error: unknown): Response {
  if (error instanceof ScimRequestError) return scimError(c, error.status, error.message, error.scimType, error.headers);
  if (isDomainError(error)) {
    const scimType = error.code === 'conflict' ? 'uniqueness' : error.code === 'invalid_input' ? 'invalidValue' : undefined;
    return scimError(c, STATUS_BY_CODE[error.code], error.message, scimType);
  }
  // IdPs retry a 503 with Retry-After later; a 500 would count as a failed provisioning event.
  if (isDatabaseUnavailable(error)) {
    return scimError(c, 503, 'temporarily unavailable: the database cannot be reached; retry later', undefined, {
      'Retry-After': String(DATABASE_RETRY_AFTER_SECONDS),
    });
  }
  return scimError(c, 500, 'internal server error');
}
