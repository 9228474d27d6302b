/**
 * Size limits on what a client may store in one resource. The HTTP body limit bounds the bytes;
 * these bound the shapes that cost work per element (value lists, members, long strings).
 */

export interface ResourceLimits {
  /** Most values one multi-valued attribute (emails, roles, …) may hold. Default 1000. */
  readonly maxMultiValuedEntries?: number;
  /** Most members one Group POST, PUT or PATCH operation may list. Default 100000. */
  readonly maxMembers?: number;
  /** Longest string attribute value, in UTF-16 code units. Default 4096. */
  readonly maxStringLength?: number;
  /**
   * Longest `binary` value (base64 text such as `x509Certificates.value`): a certificate chain
   * does not fit in 4096 characters. Default 65536.
   */
  readonly maxBinaryLength?: number;
}

export type ResolvedLimits = Required<ResourceLimits>;

export const DEFAULT_LIMITS: ResolvedLimits = Object.freeze({
  maxMultiValuedEntries: 1000,
  maxMembers: 100_000,
  maxStringLength: 4096,
  maxBinaryLength: 65_536,
});

/** The limits in force: each one given, or its default. Other keys of `limits` are ignored. */
export function resolveLimits(limits: ResourceLimits | undefined): ResolvedLimits {
  return {
    maxMultiValuedEntries: limits?.maxMultiValuedEntries ?? DEFAULT_LIMITS.maxMultiValuedEntries,
    maxMembers: limits?.maxMembers ?? DEFAULT_LIMITS.maxMembers,
    maxStringLength: limits?.maxStringLength ?? DEFAULT_LIMITS.maxStringLength,
    maxBinaryLength: limits?.maxBinaryLength ?? DEFAULT_LIMITS.maxBinaryLength,
  };
}
