/**
 * Discovery (RFC 7644 §4): ServiceProviderConfig, ResourceTypes and Schemas, stating exactly what
 * this server does. Okta and Entra read these to decide which requests to send.
 */
import {
  ENTERPRISE_USER_SCHEMA_URN,
  GROUP_SCHEMA_URN,
  RESOURCE_SCHEMAS,
  RESOURCE_TYPE_SCHEMA_URN,
  SCHEMA_SCHEMA_URN,
  SERVICE_PROVIDER_CONFIG_SCHEMA_URN,
  USER_SCHEMA_URN,
  type AttributeDefinition,
  type SchemaDefinition,
} from './schema/index.ts';
import type { ScimLimits } from './limits.ts';

/**
 * RFC 7643 §5 has fields for bulk and filter limits only; the other limits this server enforces
 * (sizes of requests, stored resources and pages; PATCH and filter bounds) are published under
 * this extension, so an operator or a client can read them instead of discovering them by failure.
 */
export const LIMITS_EXTENSION_URN = 'urn:roster:params:scim:schemas:extension:limits:2.0:ServiceProviderConfig';

export function serviceProviderConfig(baseUrl: string, limits: ScimLimits) {
  return {
    schemas: [SERVICE_PROVIDER_CONFIG_SCHEMA_URN, LIMITS_EXTENSION_URN],
    patch: { supported: true },
    // A Bulk request is one request body: the body limit is its payload limit.
    bulk: { supported: true, maxOperations: limits.maxBulkOperations, maxPayloadSize: limits.maxBodyBytes },
    filter: { supported: true, maxResults: limits.maxResults },
    changePassword: { supported: false },
    sort: { supported: true },
    etag: { supported: true },
    authenticationSchemes: [
      {
        type: 'oauthbearertoken',
        name: 'OAuth Bearer Token',
        description: 'A per-directory bearer token issued by `roster directory create` or `roster directory token create`.',
        primary: true,
      },
    ],
    [LIMITS_EXTENSION_URN]: {
      maxPayloadSize: limits.maxBodyBytes,
      maxResourceBytes: limits.maxResourceBytes,
      defaultCount: limits.defaultCount,
      maxResults: limits.maxResults,
      maxListBytes: limits.maxListBytes,
      maxPatchOperations: limits.maxPatchOperations,
      maxBulkOperations: limits.maxBulkOperations,
      maxMembersPerOperation: limits.maxMembersPerOperation,
      maxFilterLength: limits.maxFilterLength,
      maxFilterDepth: limits.maxFilterDepth,
    },
    meta: { resourceType: 'ServiceProviderConfig', location: `${baseUrl}/ServiceProviderConfig` },
  };
}

const RESOURCE_TYPES = [
  {
    id: 'User',
    name: 'User',
    endpoint: '/Users',
    description: 'User Account',
    schema: USER_SCHEMA_URN,
    schemaExtensions: [{ schema: ENTERPRISE_USER_SCHEMA_URN, required: false }],
  },
  { id: 'Group', name: 'Group', endpoint: '/Groups', description: 'Group', schema: GROUP_SCHEMA_URN, schemaExtensions: [] },
] as const;

export function resourceTypes(baseUrl: string) {
  return RESOURCE_TYPES.map((type) => ({
    schemas: [RESOURCE_TYPE_SCHEMA_URN],
    ...type,
    meta: { resourceType: 'ResourceType', location: `${baseUrl}/ResourceTypes/${type.id}` },
  }));
}

export function findResourceType(baseUrl: string, id: string) {
  return resourceTypes(baseUrl).find((t) => t.id.toLowerCase() === id.toLowerCase());
}

export function schemas(baseUrl: string) {
  return RESOURCE_SCHEMAS.map((schema) => schemaResource(baseUrl, schema));
}

export function findSchema(baseUrl: string, id: string) {
  const schema = RESOURCE_SCHEMAS.find((s) => s.id.toLowerCase() === id.toLowerCase());
  return schema ? schemaResource(baseUrl, schema) : undefined;
}

function schemaResource(baseUrl: string, schema: SchemaDefinition) {
  return {
    schemas: [SCHEMA_SCHEMA_URN],
    id: schema.id,
    name: schema.name,
    description: schema.description,
    attributes: schema.attributes.map(attributeResource),
    meta: { resourceType: 'Schema', location: `${baseUrl}/Schemas/${schema.id}` },
  };
}

function attributeResource(a: AttributeDefinition): Record<string, unknown> {
  return {
    name: a.name,
    type: a.type,
    multiValued: a.multiValued,
    description: a.description,
    required: a.required,
    caseExact: a.caseExact,
    mutability: a.mutability,
    returned: a.returned,
    uniqueness: a.uniqueness,
    ...(a.canonicalValues ? { canonicalValues: a.canonicalValues } : {}),
    ...(a.referenceTypes ? { referenceTypes: a.referenceTypes } : {}),
    ...(a.subAttributes ? { subAttributes: a.subAttributes.map(attributeResource) } : {}),
  };
}
