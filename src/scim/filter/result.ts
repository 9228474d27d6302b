/**
 * What the filter and path parsers return. Malformed input is the client's mistake, not an
 * exception: the error already carries the RFC 7644 scimType so the one SCIM error builder can
 * answer 400 without knowing which parser failed.
 */

export type FilterScimType = 'invalidFilter' | 'invalidPath';

export interface FilterParseError<S extends FilterScimType = FilterScimType> {
  readonly scimType: S;
  /** Says what was wrong and at which position (0-based character offset in the input). */
  readonly detail: string;
}

export type ParseResult<T, S extends FilterScimType> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly error: FilterParseError<S> };

/** Limits that keep hostile input from costing time or stack; both apply before any work is done. */
export interface FilterParseOptions {
  /** Deepest nesting of "(", "not (" and "[" allowed. Default 32. */
  readonly maxDepth?: number;
  /** Longest input accepted, in UTF-16 code units. Default 4096. */
  readonly maxLength?: number;
}

export const DEFAULT_MAX_FILTER_DEPTH = 32;
export const DEFAULT_MAX_FILTER_LENGTH = 4096;
