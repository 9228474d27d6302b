import { ENTERPRISE_USER_SCHEMA } from './enterprise-user.ts';
import { GROUP_SCHEMA } from './group.ts';
import type { ResourceSchemas, SchemaDefinition } from './types.ts';
import { USER_SCHEMA } from './user.ts';

/** The User resource type: core User plus the enterprise extension. */
export const USER_RESOURCE_SCHEMAS: ResourceSchemas = Object.freeze({
  core: USER_SCHEMA,
  extensions: Object.freeze([ENTERPRISE_USER_SCHEMA]),
});

/** The Group resource type: core Group, no extensions. */
export const GROUP_RESOURCE_SCHEMAS: ResourceSchemas = Object.freeze({
  core: GROUP_SCHEMA,
  extensions: Object.freeze([]),
});

/** Every resource schema the server publishes at `/Schemas`, RFC 7643 §8.7.1. */
export const RESOURCE_SCHEMAS: readonly SchemaDefinition[] = Object.freeze([
  USER_SCHEMA,
  GROUP_SCHEMA,
  ENTERPRISE_USER_SCHEMA,
]);
