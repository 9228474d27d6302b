/**
 * What every function of the resource engine returns. Client input never makes these functions
 * throw: a bad body is an ordinary SCIM error with its status and scimType already decided, so the
 * route only has to render it.
 */
import type { ScimType } from '../errors.ts';

/**
 * 400 for anything wrong with the request itself, 409 for conflicts with stored state. Limits
 * (too many operations, members or values) are 400 `tooMany`: the body was within the byte limit,
 * so 413 would misdescribe it, and a route that prefers 413 can map `tooMany` itself.
 */
export type ResourceErrorStatus = 400 | 409;

export interface ResourceError {
  readonly status: ResourceErrorStatus;
  readonly scimType: ScimType;
  readonly detail: string;
}

export type ResourceResult<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly error: ResourceError };

/**
 * Raised deep inside value checking and caught at the public entry points (see {@link guard}):
 * threading results through every level of a recursive check would bury the rules in plumbing.
 * Nothing outside this folder ever sees one.
 */
export class ResourceFault extends Error {
  override readonly name = 'ResourceFault';
  readonly error: ResourceError;

  constructor(scimType: ScimType, detail: string, status: ResourceErrorStatus = 400) {
    super(detail);
    this.error = { status, scimType, detail };
  }
}

export function fault(scimType: ScimType, detail: string): never {
  throw new ResourceFault(scimType, detail);
}

/** Runs `work`, turning a {@link ResourceFault} into an error result; anything else is a bug and propagates. */
export function guard<T>(work: () => T): ResourceResult<T> {
  try {
    return { ok: true, value: work() };
  } catch (error) {
    if (error instanceof ResourceFault) return { ok: false, error: error.error };
    throw error;
  }
}
