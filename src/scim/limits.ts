/**
 * The limits the SCIM service provider enforces before any handler runs, and publishes in its
 * ServiceProviderConfig so clients can stay within them.
 */
export interface ScimLimits {
  /** Largest request body in bytes (413 beyond it). */
  readonly maxBodyBytes: number;
  /** Default and largest page size for list and search requests. */
  readonly defaultCount: number;
  readonly maxResults: number;
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

export function scimLimits(maxBodyBytes: number): ScimLimits {
  return Object.freeze({
    maxBodyBytes,
    defaultCount: 100,
    maxResults: 1000,
    maxPatchOperations: 1000,
    maxBulkOperations: 1000,
    maxMembersPerOperation: 20_000,
    maxFilterLength: 4096,
    maxFilterDepth: 32,
  });
}
