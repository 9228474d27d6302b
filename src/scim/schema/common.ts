import { attribute } from './define.ts';
import type { AttributeDefinition } from './types.ts';

/**
 * Attributes every resource carries, RFC 7643 §3.1. They belong to each resource's core schema
 * without being listed in it (§8.7.1 leaves them out), so lookups consult them separately.
 */
export const COMMON_ATTRIBUTES: readonly AttributeDefinition[] = Object.freeze([
  attribute({
    name: 'id',
    type: 'string',
    description: 'The identifier the service provider assigned to the resource; never reassigned.',
    required: true,
    caseExact: true,
    mutability: 'readOnly',
    returned: 'always',
    uniqueness: 'server',
  }),
  attribute({
    name: 'externalId',
    type: 'string',
    description: "The identifier the provisioning client uses for the resource in its own domain.",
    caseExact: true,
  }),
  // §3.1: every meta sub-attribute is assigned by the service provider and ignored on input.
  attribute({
    name: 'meta',
    type: 'complex',
    description: 'Resource metadata maintained by the service provider.',
    mutability: 'readOnly',
    subAttributes: [
      attribute({
        name: 'resourceType',
        type: 'string',
        description: "The name of the resource type, such as 'User'.",
        caseExact: true,
        mutability: 'readOnly',
      }),
      attribute({
        name: 'created',
        type: 'dateTime',
        description: 'When the resource was added to the service provider.',
        mutability: 'readOnly',
      }),
      attribute({
        name: 'lastModified',
        type: 'dateTime',
        description: 'When the resource was last changed; equal to created if never changed.',
        mutability: 'readOnly',
      }),
      attribute({
        name: 'location',
        type: 'reference',
        referenceTypes: ['uri'],
        description: 'The URI of the resource; the same as the Location header on create.',
        caseExact: true,
        mutability: 'readOnly',
      }),
      attribute({
        name: 'version',
        type: 'string',
        description: 'The entity tag of the current version of the resource.',
        caseExact: true,
        mutability: 'readOnly',
      }),
    ],
  }),
]);
