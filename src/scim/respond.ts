/** Writing SCIM responses: always `application/scim+json`, with the resource's ETag where it has one. */
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { SCIM_CONTENT_TYPE, scimError } from './errors.ts';
import type { ScimFailure } from './request.ts';

export function scimJson(c: Context, status: ContentfulStatusCode, body: unknown, headers: Record<string, string> = {}): Response {
  return c.body(JSON.stringify(body), status, { 'Content-Type': SCIM_CONTENT_TYPE, ...headers });
}

export function failure(c: Context, error: ScimFailure): Response {
  return scimError(c, error.status, error.detail, error.scimType);
}

/** Weak: two representations of one version may differ in attribute selection, not in content. */
export function etagOf(version: number): string {
  return `W/"${version}"`;
}
