/**
 * The SCIM resource engine: pure functions (no database, no HTTP) between what an IdP sends and
 * the canonical resource document Roster stores, and back to what a response shows.
 *
 * Every function that reads client input returns `{ ok: true, value }` or
 * `{ ok: false, error: { status, scimType, detail } }` and never throws on it. Limits exceeded
 * (operations, members, values per attribute) are 400 `tooMany`; a route may map that to 413.
 */

/** The canonical document, its kinds and Group member references. */
export type { MemberRef, ResourceKind, ScimDocument } from './document.ts';
/** Error and result shapes shared by every function here. */
export type { ResourceError, ResourceErrorStatus, ResourceResult } from './result.ts';
/** Per-resource size limits and their defaults. */
export { DEFAULT_LIMITS, type ResourceLimits } from './limits.ts';

/** POST and PUT bodies → canonical document and members (a `password` is dropped). */
export { normalizeResource, type NormalizedResource, type NormalizeOptions } from './normalize.ts';

/** PatchOp messages: validated with `parsePatchRequest`, applied atomically with `applyPatch`. */
export { applyPatch, parsePatchRequest, type PatchOptions, type PatchResult } from './patch.ts';
export {
  DEFAULT_MAX_PATCH_OPERATIONS,
  type PatchOperation,
  type PatchOpName,
  type PatchRequestOptions,
} from './patch-request.ts';
/** Group membership changes a PATCH asks for, for the caller to apply in order. */
export type { MemberOp } from './patch-members.ts';

/**
 * Evaluates a value filter on one element of its multi-valued attribute, e.g. the filter of a
 * `removeWhere` member operation on a stored member.
 */
export { matchesElement } from './element-filter.ts';

/** Immutable attributes kept across a PUT (PATCH checks this itself). */
export { checkImmutable } from './immutable.ts';

/** Responses: `returned` and `attributes` / `excludedAttributes`. */
export { projectResource, wantsAttribute, type ProjectionQuery } from './project.ts';

/** JSON helpers that ignore inherited keys and match member names case-insensitively, as SCIM does. */
export { findKey, isPlainObject, jsonType, setOwn, type JsonObject } from './json.ts';
