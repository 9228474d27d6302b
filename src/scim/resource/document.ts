/**
 * The canonical resource document the engine produces and consumes: the SCIM JSON of a User or
 * Group without `id`, `meta`, the computed User `groups`, `password` and Group `members`, which
 * are stored and handled elsewhere. Attribute names are spelled as the schema spells them,
 * extension attributes sit under their schema URN, and `schemas` lists the core URN followed by
 * each extension the document holds data for.
 */
import {
  GROUP_RESOURCE_SCHEMAS,
  USER_RESOURCE_SCHEMAS,
  type ResourceSchemas,
} from '../schema/index.ts';

export type ResourceKind = 'User' | 'Group';

export interface ScimDocument {
  schemas: string[];
  [attribute: string]: unknown;
}

/** One Group member as a client names it; `$ref` is not kept, since it follows from `value`. */
export interface MemberRef {
  readonly value: string;
  readonly type?: 'User' | 'Group';
  readonly display?: string;
}

export function defaultSchemasFor(kind: ResourceKind): ResourceSchemas {
  return kind === 'User' ? USER_RESOURCE_SCHEMAS : GROUP_RESOURCE_SCHEMAS;
}
