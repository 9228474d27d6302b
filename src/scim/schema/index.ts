/**
 * SCIM schema definitions as data (RFC 7643 §8.7.1) and case-insensitive lookups over them.
 * Filters, PATCH, serialization and `/Schemas` discovery all read attribute characteristics
 * from here rather than hard-coding them.
 */

export type {
  AttributeDefinition,
  AttributeType,
  Mutability,
  ResourceSchemas,
  Returned,
  SchemaDefinition,
  Uniqueness,
} from './types.ts';

export {
  BULK_REQUEST_URN,
  BULK_RESPONSE_URN,
  ENTERPRISE_USER_SCHEMA_URN,
  ENTRA_LEGACY_GROUP_URN,
  ERROR_URN,
  GROUP_SCHEMA_URN,
  LIST_RESPONSE_URN,
  PATCH_OP_URN,
  RESOURCE_TYPE_SCHEMA_URN,
  SCHEMA_SCHEMA_URN,
  SEARCH_REQUEST_URN,
  SERVICE_PROVIDER_CONFIG_SCHEMA_URN,
  USER_SCHEMA_URN,
} from './urns.ts';

/** `id`, `externalId` and `meta`: part of every resource's core schema (RFC 7643 §3.1). */
export { COMMON_ATTRIBUTES } from './common.ts';
/** Core User schema (RFC 7643 §4.1). */
export { USER_SCHEMA } from './user.ts';
/** Core Group schema (RFC 7643 §4.2). */
export { GROUP_SCHEMA } from './group.ts';
/** Enterprise User extension schema (RFC 7643 §4.3). */
export { ENTERPRISE_USER_SCHEMA } from './enterprise-user.ts';
/** Per resource type schema sets, and the list published at `/Schemas`. */
export { GROUP_RESOURCE_SCHEMAS, RESOURCE_SCHEMAS, USER_RESOURCE_SCHEMAS } from './resources.ts';

/** Case-insensitive attribute lookups and attribute path resolution. */
export { findAttribute, findSubAttribute, resolvePath } from './lookup.ts';
export type { AttributePath, ResolvedAttribute } from './lookup.ts';
