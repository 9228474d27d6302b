/** Writing SCIM responses: always `application/scim+json`, with the resource's ETag where it has one. */
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { SCIM_CONTENT_TYPE, scimError } from './errors.ts';
import type { ScimFailure } from './request.ts';

export function scimJson(c: Context, status: ContentfulStatusCode, body: unknown, headers: Record<string, string> = {}): Response {
  return c.body(JSON.stringify(body), status, { 'Content-Type': SCIM_CONTENT_TYPE, ...headers });
}

/**
 * A ListResponse (RFC 7644 §3.4.2) whose resources are already serialized, as the page was cut
 * to its byte bound: nothing is serialized twice.
 */
export function scimListJson(
  c: Context,
  envelope: { schemas: string[]; totalResults: number; startIndex: number; itemsPerPage: number },
  resources: readonly string[],
): Response {
  const head = JSON.stringify(envelope);
  const body = `${head.slice(0, -1)},"Resources":[${resources.join(',')}]}`;
  return c.body(body, 200, { 'Content-Type': SCIM_CONTENT_TYPE });
}

export function failure(c: Context, error: ScimFailure): Response {
  return scimError(c, error.status, error.detail, error.scimType);
}

/** Weak: two representations of one version may differ in attribute selection, not in content. */
export function etagOf(version: number): string {
  return `W/"${version}"`;
}
