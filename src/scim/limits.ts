/**
 * The limits the SCIM service provider enforces, and publishes in its ServiceProviderConfig so
 * clients can stay within them.
 */
import { ScimRequestError } from './errors.ts';

export interface ScimLimits {
  /** Largest request body in bytes (413 beyond it). */
  readonly maxBodyBytes: number;
  /** Largest stored resource: the bytes of its document's JSON (400 invalidValue beyond it). */
  readonly maxResourceBytes: number;
  /** Default and largest page size for list and search requests. */
  readonly defaultCount: number;
  readonly maxResults: number;
  /**
   * Most bytes of resources in one list response: a page stops short of `count` rather than pass
   * it, and holds at least one resource whatever its size.
   */
  readonly maxListBytes: number;
  /** Most operations in one PATCH request. */
  readonly maxPatchOperations: number;
  /** Most operations in one Bulk request (413 beyond it, RFC 7644 §3.7.4). */
  readonly maxBulkOperations: number;
  /** Most members one operation or one Group POST/PUT may name. */
  readonly maxMembersPerOperation: number;
  /** Longest filter in characters, and deepest nesting of parentheses and brackets. */
  readonly maxFilterLength: number;
  readonly maxFilterDepth: number;
}

export const DEFAULT_MAX_RESOURCE_BYTES = 65_536;

/** 4 MiB: with maxResults resources of any size, a page stays a bounded piece of memory. */
const MAX_LIST_BYTES = 4 * 1024 * 1024;

export function scimLimits(maxBodyBytes: number, maxResourceBytes: number = DEFAULT_MAX_RESOURCE_BYTES): ScimLimits {
  return Object.freeze({
    maxBodyBytes,
    maxResourceBytes,
    defaultCount: 100,
    maxResults: 1000,
    maxListBytes: MAX_LIST_BYTES,
    maxPatchOperations: 1000,
    maxBulkOperations: 1000,
    maxMembersPerOperation: 20_000,
    maxFilterLength: 4096,
    maxFilterDepth: 32,
  });
}

/**
 * Refuses a document that would be stored larger than the limit. Group members are rows of their
 * own, not part of the document, and are bounded by maxMembersPerOperation instead.
 */
export function checkResourceSize(document: Record<string, unknown>, limits: ScimLimits): void {
  const bytes = Buffer.byteLength(JSON.stringify(document));
  if (bytes > limits.maxResourceBytes) {
    throw new ScimRequestError(
      400,
      'invalidValue',
      `the resource would be ${bytes} bytes of JSON, over the limit of ${limits.maxResourceBytes} bytes`,
    );
  }
}
