// Generators for the resource engine's property tests: mostly plausible SCIM with some noise, so
// random input gets past the first check often enough to reach every rule behind it.
import fc from 'fast-check';

import { ENTRA_LEGACY_GROUP_URN } from '../../../src/scim/schema/index.ts';
import { SELF_ID } from './patch-helpers.ts';
import { ENTERPRISE_URN, GROUP_URN, PATCH_URN, USER_URN } from './support.ts';

export const CUSTOM_URN = 'urn:ietf:params:scim:schemas:extension:Custom:2.0:User';

// Paths and keys the engine treats specially, so random bodies reach every branch rather than
// failing on the first unknown name.
export const interestingPath = fc.constantFrom(
  'userName', 'USERNAME', 'displayName', 'active', 'title', 'name', 'name.givenName', 'password', 'id', 'meta',
  'meta.created', 'groups', 'emails', 'emails.value', 'emails.primary', 'emails[type eq "work"]',
  'emails[type eq "work"].value', 'emails[type eq "work" and primary eq true].display',
  'emails[not (type pr) or value co "x"]', 'emails[value gt "m"].primary', 'phoneNumbers[type eq "mobile"].value',
  'addresses[type eq "work"].postalCode', 'x509Certificates[value eq "QUJD"]', 'roles', 'members',
  'members[value eq "u1"]', 'members[value eq "u1" or value eq "u2"]', 'members[display sw "x"]',
  'members[value eq "u1"].display', 'members.value', ENTERPRISE_URN, `${ENTERPRISE_URN}:manager`,
  `${ENTERPRISE_URN}:manager.value`, `${ENTERPRISE_URN}:manager.displayName`, `${ENTERPRISE_URN}:employeeNumber`,
  'manager', CUSTOM_URN, `${CUSTOM_URN}:costCode`, `${CUSTOM_URN}:a.b`, USER_URN, `${USER_URN}:nickName`,
  'nope', 'name[givenName eq "x"]', 'emails[type eq "work"].nope',
);
const interestingKey = fc.oneof(
  interestingPath,
  fc.constantFrom('value', 'type', 'primary', 'display', '$ref', 'schemas', '__proto__', 'constructor', 'givenName', 'nickname', 'EMAILS'),
);
const leaf = fc.oneof(
  fc.constantFrom('True', 'False', 'true', '', 'work', 'u1', SELF_ID, 'QUJD', '2024-05-01T09:30:00Z', null, true, false, 0, 1.5),
  fc.string({ maxLength: 12 }),
  fc.integer(),
);
const value: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  any: fc.oneof({ depthSize: 'small', withCrossShrink: true }, leaf, tie('list'), tie('object'), fc.jsonValue({ maxDepth: 3 })),
  list: fc.array(tie('any'), { maxLength: 4 }),
  object: fc.dictionary(fc.oneof(interestingKey, fc.string({ maxLength: 8 })), tie('any'), { maxKeys: 5 }),
})).any;

const operation = fc.record(
  {
    op: fc.oneof(
      { weight: 12, arbitrary: fc.constantFrom('add', 'replace', 'remove', 'Add', 'Replace', 'Remove') },
      { weight: 1, arbitrary: fc.string({ maxLength: 8 }) },
    ),
    path: fc.oneof(
      { weight: 10, arbitrary: interestingPath },
      { weight: 1, arbitrary: fc.string({ maxLength: 30 }) },
      { weight: 1, arbitrary: fc.constant(null) },
    ),
    value,
  },
  { requiredKeys: ['op'] },
);
export const patchBodyArb = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({ schemas: fc.constant([PATCH_URN]), Operations: fc.array(operation, { minLength: 1, maxLength: 4 }) }),
  },
  { weight: 1, arbitrary: fc.jsonValue() },
);

const noisyUser = fc.record(
  {
    schemas: fc.oneof(fc.constant([USER_URN]), fc.constant([USER_URN, ENTERPRISE_URN, CUSTOM_URN]), fc.array(fc.string(), { maxLength: 2 })),
    userName: fc.oneof(fc.string({ maxLength: 10 }), leaf),
    name: value,
    emails: value,
    active: leaf,
    [ENTERPRISE_URN]: value,
    [CUSTOM_URN]: value,
    password: leaf,
    members: value,
    displayName: leaf,
  },
  { requiredKeys: ['schemas'] },
);

function mostly<T>(good: fc.Arbitrary<T>, noise: fc.Arbitrary<unknown> = value): fc.Arbitrary<unknown> {
  return fc.oneof({ weight: 6, arbitrary: good }, { weight: 1, arbitrary: noise });
}

const text = fc.string({ minLength: 1, maxLength: 12 });
const bool = fc.constantFrom<unknown>(true, false, 'True', 'False', 'true', null);
const email = fc.record(
  { value: mostly(text), type: fc.constantFrom('work', 'home', 'other', 'Work'), primary: bool, display: mostly(text) },
  { requiredKeys: [] },
);

/** User bodies that are mostly valid: each attribute is usually right and sometimes noise. */
export const plausibleUser = fc.record(
  {
    schemas: mostly(fc.constantFrom([USER_URN], [USER_URN, ENTERPRISE_URN], [USER_URN, ENTERPRISE_URN, CUSTOM_URN])),
    userName: mostly(text),
    name: mostly(fc.record({ givenName: mostly(text), familyName: mostly(text), formatted: text }, { requiredKeys: [] })),
    displayName: mostly(text),
    active: mostly(bool),
    emails: mostly(fc.oneof(fc.array(email, { maxLength: 3 }), email)),
    phoneNumbers: mostly(fc.array(fc.record({ value: text, type: fc.constantFrom('work', 'mobile') }), { maxLength: 2 })),
    roles: mostly(fc.constant([])),
    password: mostly(text),
    id: leaf,
    meta: value,
    groups: value,
    [ENTERPRISE_URN]: mostly(
      fc.record(
        {
          department: mostly(text),
          employeeNumber: mostly(text),
          manager: mostly(fc.oneof(text, fc.record({ value: text, displayName: text }))),
        },
        { requiredKeys: [] },
      ),
    ),
    [CUSTOM_URN]: mostly(fc.dictionary(text, fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 })),
  },
  { requiredKeys: ['schemas', 'userName'] },
);

const member = fc.record(
  { value: mostly(text), display: mostly(text), type: mostly(fc.constantFrom('User', 'group')), $ref: fc.constant(null) },
  { requiredKeys: ['value'] },
);

export const plausibleGroup = fc.record(
  {
    schemas: mostly(fc.constantFrom([GROUP_URN], [GROUP_URN, ENTRA_LEGACY_GROUP_URN])),
    displayName: mostly(text),
    externalId: mostly(text),
    members: mostly(fc.array(member, { maxLength: 4 })),
  },
  { requiredKeys: ['schemas', 'displayName'] },
);

export const anyBody = fc.oneof(plausibleUser, plausibleGroup, noisyUser, fc.jsonValue(), value);
