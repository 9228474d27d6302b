import { attribute, schema } from './define.ts';
import { GROUP_SCHEMA_URN } from './urns.ts';

// RFC 7643 §4.2 makes every sub-attribute of `members` immutable: a member is added or removed
// as a whole, never edited in place. `display` is absent from the §8.7.1 listing but present in
// the §8.4 example and in what Okta sends, so it is defined with the same mutability.
const members = attribute({
  name: 'members',
  type: 'complex',
  multiValued: true,
  description: 'The members of the Group: Users, or Groups when groups nest.',
  subAttributes: [
    attribute({
      name: 'value',
      type: 'string',
      description: 'The id of the member resource.',
      mutability: 'immutable',
    }),
    attribute({
      name: '$ref',
      type: 'reference',
      referenceTypes: ['User', 'Group'],
      description: 'The URI of the member resource.',
      mutability: 'immutable',
    }),
    attribute({
      name: 'display',
      type: 'string',
      description: 'A human-readable label for the member, for display only.',
      mutability: 'immutable',
    }),
    attribute({
      name: 'type',
      type: 'string',
      canonicalValues: ['User', 'Group'],
      description: "The type of the member resource, 'User' or 'Group'.",
      mutability: 'immutable',
    }),
  ],
});

/**
 * The core Group schema, RFC 7643 §4.2 and §8.7.1. `displayName` is required as §4.2 states;
 * the §8.7.1 listing marks it optional while describing it as REQUIRED.
 */
export const GROUP_SCHEMA = schema(GROUP_SCHEMA_URN, 'Group', 'Group', [
  attribute({
    name: 'displayName',
    type: 'string',
    description: 'A human-readable name for the Group.',
    required: true,
  }),
  members,
]);
