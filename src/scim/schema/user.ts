import { attribute, schema } from './define.ts';
import type { AttributeDefinition, Mutability } from './types.ts';
import { USER_SCHEMA_URN } from './urns.ts';

// The value/display/type/primary quartet recurs on most multi-valued User attributes
// (RFC 7643 §2.4); these helpers keep each attribute's own differences visible.

function display(mutability: Mutability = 'readWrite'): AttributeDefinition {
  return attribute({
    name: 'display',
    type: 'string',
    description: 'A human-readable label for the value, for display only.',
    mutability,
  });
}

function typeLabel(canonicalValues?: readonly string[]): AttributeDefinition {
  return attribute({
    name: 'type',
    type: 'string',
    description: "A label for the value's function, such as 'work' or 'home'.",
    ...(canonicalValues && { canonicalValues }),
  });
}

function primary(): AttributeDefinition {
  return attribute({
    name: 'primary',
    type: 'boolean',
    description: 'Marks the preferred value; at most one value may be primary.',
  });
}

function stringValue(description: string): AttributeDefinition {
  return attribute({ name: 'value', type: 'string', description });
}

const name = attribute({
  name: 'name',
  type: 'complex',
  description:
    "The components of the User's real name; `formatted` and the components describe the same name.",
  subAttributes: [
    attribute({
      name: 'formatted',
      type: 'string',
      description: 'The full name formatted for display, with titles and suffixes.',
    }),
    attribute({ name: 'familyName', type: 'string', description: 'The family (last) name.' }),
    attribute({ name: 'givenName', type: 'string', description: 'The given (first) name.' }),
    attribute({ name: 'middleName', type: 'string', description: 'The middle name or names.' }),
    attribute({
      name: 'honorificPrefix',
      type: 'string',
      description: "The honorific prefix or title, such as 'Ms.'.",
    }),
    attribute({
      name: 'honorificSuffix',
      type: 'string',
      description: "The honorific suffix, such as 'III'.",
    }),
  ],
});

const emails = attribute({
  name: 'emails',
  type: 'complex',
  multiValued: true,
  description: "The User's email addresses.",
  subAttributes: [
    stringValue('An email address.'),
    display(),
    typeLabel(['work', 'home', 'other']),
    primary(),
  ],
});

const phoneNumbers = attribute({
  name: 'phoneNumbers',
  type: 'complex',
  multiValued: true,
  description: "The User's phone numbers.",
  subAttributes: [
    stringValue('A phone number.'),
    display(),
    typeLabel(['work', 'home', 'mobile', 'fax', 'pager', 'other']),
    primary(),
  ],
});

const ims = attribute({
  name: 'ims',
  type: 'complex',
  multiValued: true,
  description: "The User's instant messaging addresses.",
  subAttributes: [
    stringValue('An instant messaging address.'),
    display(),
    typeLabel(['aim', 'gtalk', 'icq', 'xmpp', 'msn', 'skype', 'qq', 'yahoo']),
    primary(),
  ],
});

const photos = attribute({
  name: 'photos',
  type: 'complex',
  multiValued: true,
  description: 'URLs of photos of the User.',
  subAttributes: [
    attribute({
      name: 'value',
      type: 'reference',
      referenceTypes: ['external'],
      description: 'The URL of a photo.',
    }),
    display(),
    typeLabel(['photo', 'thumbnail']),
    primary(),
  ],
});

// RFC 7643 §8.7.1 leaves `primary` out of the addresses sub-attributes, while §4.1.2 and the
// §8.2 example carry it; IdPs send it, so it is defined here.
const addresses = attribute({
  name: 'addresses',
  type: 'complex',
  multiValued: true,
  description: "The User's physical mailing addresses.",
  subAttributes: [
    attribute({
      name: 'formatted',
      type: 'string',
      description: 'The full address formatted for display or a label; may contain newlines.',
    }),
    attribute({
      name: 'streetAddress',
      type: 'string',
      description: 'The street address, possibly over several lines.',
    }),
    attribute({ name: 'locality', type: 'string', description: 'The city or locality.' }),
    attribute({ name: 'region', type: 'string', description: 'The state or region.' }),
    attribute({ name: 'postalCode', type: 'string', description: 'The zip or postal code.' }),
    attribute({ name: 'country', type: 'string', description: 'The country.' }),
    typeLabel(['work', 'home', 'other']),
    primary(),
  ],
});

// Membership is managed through the Group resource (RFC 7643 §4.1.2), so every part of
// `groups` is readOnly.
const groups = attribute({
  name: 'groups',
  type: 'complex',
  multiValued: true,
  description: 'The groups the User belongs to, directly or through nested groups.',
  mutability: 'readOnly',
  subAttributes: [
    attribute({
      name: 'value',
      type: 'string',
      description: 'The id of the group.',
      mutability: 'readOnly',
    }),
    // §8.7.1 lists both User and Group here, as published.
    attribute({
      name: '$ref',
      type: 'reference',
      referenceTypes: ['User', 'Group'],
      description: 'The URI of the group resource.',
      mutability: 'readOnly',
    }),
    display('readOnly'),
    attribute({
      name: 'type',
      type: 'string',
      canonicalValues: ['direct', 'indirect'],
      description: 'Whether the membership is direct or through another group.',
      mutability: 'readOnly',
    }),
  ],
});

const entitlements = attribute({
  name: 'entitlements',
  type: 'complex',
  multiValued: true,
  description: 'Things the User has, such as licences.',
  subAttributes: [stringValue('An entitlement.'), display(), typeLabel(), primary()],
});

const roles = attribute({
  name: 'roles',
  type: 'complex',
  multiValued: true,
  description: "Roles that describe who the User is, such as 'Student' or 'Faculty'.",
  subAttributes: [stringValue('A role.'), display(), typeLabel(), primary()],
});

const x509Certificates = attribute({
  name: 'x509Certificates',
  type: 'complex',
  multiValued: true,
  description: 'Certificates issued to the User.',
  subAttributes: [
    attribute({
      name: 'value',
      type: 'binary',
      description: 'A DER-encoded X.509 certificate, base64-encoded.',
    }),
    display(),
    typeLabel(),
    primary(),
  ],
});

/** The core User schema, RFC 7643 §4.1 and §8.7.1. */
export const USER_SCHEMA = schema(USER_SCHEMA_URN, 'User', 'User Account', [
  attribute({
    name: 'userName',
    type: 'string',
    description:
      'Unique identifier the User typically signs in with; never empty, unique across the service provider.',
    required: true,
    uniqueness: 'server',
  }),
  name,
  attribute({
    name: 'displayName',
    type: 'string',
    description: 'The name to show for the User, ideally the full name.',
  }),
  attribute({
    name: 'nickName',
    type: 'string',
    description: "The casual name for the User, such as 'Bob' for 'Robert'; not a username.",
  }),
  attribute({
    name: 'profileUrl',
    type: 'reference',
    referenceTypes: ['external'],
    description: "A URL of the User's online profile page.",
  }),
  attribute({
    name: 'title',
    type: 'string',
    description: "The User's job title, such as 'Vice President'.",
  }),
  attribute({
    name: 'userType',
    type: 'string',
    description: "The User's relationship to the organization, such as 'Employee' or 'Contractor'.",
  }),
  attribute({
    name: 'preferredLanguage',
    type: 'string',
    description: "The User's preferred written or spoken language, such as 'en-US'.",
  }),
  attribute({
    name: 'locale',
    type: 'string',
    description: 'The default location for localizing currency, dates and numbers.',
  }),
  attribute({
    name: 'timezone',
    type: 'string',
    description: "The User's time zone as an IANA name, such as 'America/Los_Angeles'.",
  }),
  attribute({
    name: 'active',
    type: 'boolean',
    description: "The User's administrative status.",
  }),
  attribute({
    name: 'password',
    type: 'string',
    description: 'A cleartext password to set or reset; it is never returned.',
    mutability: 'writeOnly',
    returned: 'never',
  }),
  emails,
  phoneNumbers,
  ims,
  photos,
  addresses,
  groups,
  entitlements,
  roles,
  x509Certificates,
]);
