/**
 * POST and PUT bodies (RFC 7644 §3.3, §3.5.1) → the canonical document and the member
 * list (a `password` is dropped: Roster holds none), or the SCIM error the request deserves.
 */
import type { ResourceSchemas } from '../schema/index.ts';
import { buildResource, type BuiltResource } from './build-resource.ts';
import { defaultSchemasFor, type ResourceKind } from './document.ts';
import { resolveLimits, type ResourceLimits } from './limits.ts';
import { guard, type ResourceResult } from './result.ts';

export interface NormalizeOptions extends ResourceLimits {
  /** The schemas of the resource type; the built-in User or Group schemas by default. */
  readonly resourceSchemas?: ResourceSchemas;
}

export type NormalizedResource = BuiltResource;

/**
 * Checks and canonicalizes a POST or PUT body. Names match case-insensitively and come out as
 * the schema spells them; readOnly attributes are dropped; `null`, `[]` and `""` are no value.
 */
export function normalizeResource(
  body: unknown,
  kind: ResourceKind,
  options?: NormalizeOptions,
): ResourceResult<NormalizedResource> {
  const resourceSchemas = options?.resourceSchemas ?? defaultSchemasFor(kind);
  const limits = resolveLimits(options);
  return guard(() => buildResource(body, kind, resourceSchemas, limits));
}
