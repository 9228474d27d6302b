import { describe, expect, it } from 'vitest';

import type { ScimDocument } from '../../../src/scim/resource/index.ts';
import { patch, SELF_ID, storedGroup, storedUser } from './patch-helpers.ts';
import { ENTERPRISE_URN, expectError, GROUP_URN, USER_URN, valueOf } from './support.ts';
import { DEVICE_EXTENSION_URN, DEVICE_SCHEMAS, DEVICE_URN } from './test-schemas.ts';

const CUSTOM_URN = 'urn:ietf:params:scim:schemas:extension:CustomExtensionName:2.0:User';

function patched(document: ScimDocument, ...operations: unknown[]): ScimDocument {
  return valueOf(patch(document, 'User', operations)).document;
}

function bjensen(extra: Record<string, unknown> = {}): ScimDocument {
  return { schemas: [USER_URN], userName: 'bjensen', ...extra };
}

describe('applyPatch on User attributes', () => {
  it.each<readonly [string, ScimDocument, unknown[], Record<string, unknown>]>([
    ['replace a simple attribute', bjensen(), [{ op: 'Replace', path: 'displayName', value: 'Babs' }], { displayName: 'Babs' }],
    ['add a simple attribute', bjensen(), [{ op: 'Add', path: 'NICKNAME', value: 'Babs' }], { nickName: 'Babs' }],
    ['"False" as a boolean (Entra)', bjensen({ active: true }), [{ op: 'Replace', path: 'active', value: 'False' }], { active: false }],
    ['pathless replace {active:false} (Okta)', bjensen({ active: true }), [{ op: 'replace', value: { active: false } }], { active: false }],
    ['replace with null clears', bjensen({ title: 'CEO' }), [{ op: 'replace', path: 'title', value: null }], { title: undefined }],
    ['replace with "" clears', bjensen({ title: 'CEO' }), [{ op: 'replace', path: 'title', value: '' }], { title: undefined }],
    ['add null changes nothing', bjensen({ title: 'CEO' }), [{ op: 'add', path: 'title', value: null }], { title: 'CEO' }],
    ['remove an attribute', bjensen({ title: 'CEO' }), [{ op: 'remove', path: 'title' }], { title: undefined }],
    ['remove what is not there', bjensen(), [{ op: 'remove', path: 'title' }], { title: undefined }],
    ['add a sub-attribute creates the complex value', bjensen(), [{ op: 'add', path: 'name.givenName', value: 'Barbara' }], { name: { givenName: 'Barbara' } }],
    [
      'replace a sub-attribute keeps the others',
      bjensen({ name: { familyName: 'Jensen', givenName: 'Barbara' } }),
      [{ op: 'replace', path: 'name.familyName', value: 'Jensen-Smith' }],
      { name: { familyName: 'Jensen-Smith', givenName: 'Barbara' } },
    ],
    [
      'replace a complex attribute merges sub-attributes (RFC 7644 §3.5.2.3)',
      bjensen({ name: { familyName: 'Jensen', givenName: 'Barbara' } }),
      [{ op: 'replace', path: 'name', value: { givenName: 'Babs' } }],
      { name: { familyName: 'Jensen', givenName: 'Babs' } },
    ],
    [
      'remove the last sub-attribute removes the attribute',
      bjensen({ name: { givenName: 'Barbara' } }),
      [{ op: 'remove', path: 'name.givenName' }],
      { name: undefined },
    ],
    [
      'pathless value with dotted and URN-prefixed keys (Entra aadOptscim062020)',
      bjensen({ name: { familyName: 'Jensen', givenName: 'Barbara' } }),
      [
        {
          op: 'replace',
          value: {
            displayName: 'Babs Jensen',
            'name.givenName': 'Babs',
            [`${ENTERPRISE_URN}:employeeNumber`]: '3003',
            [`${ENTERPRISE_URN}:department`]: 'Platform',
          },
        },
      ],
      {
        schemas: [USER_URN, ENTERPRISE_URN],
        displayName: 'Babs Jensen',
        name: { familyName: 'Jensen', givenName: 'Babs' },
        [ENTERPRISE_URN]: { employeeNumber: '3003', department: 'Platform' },
      },
    ],
    [
      'pathless value with a URN-keyed object',
      bjensen({ [ENTERPRISE_URN]: { department: 'Sales' }, schemas: [USER_URN, ENTERPRISE_URN] }),
      [{ op: 'add', value: { [ENTERPRISE_URN]: { costCenter: '42' } } }],
      { [ENTERPRISE_URN]: { costCenter: '42', department: 'Sales' } },
    ],
    [
      'an URN-qualified path',
      bjensen(),
      [{ op: 'Replace', path: `${ENTERPRISE_URN}:employeeNumber`, value: '2002' }],
      { schemas: [USER_URN, ENTERPRISE_URN], [ENTERPRISE_URN]: { employeeNumber: '2002' } },
    ],
    ['an URN-qualified core path', bjensen(), [{ op: 'replace', path: `${USER_URN}:displayName`, value: 'B' }], { displayName: 'B' }],
    [
      'removing the last extension attribute drops the extension',
      bjensen({ schemas: [USER_URN, ENTERPRISE_URN], [ENTERPRISE_URN]: { employeeNumber: '7' } }),
      [{ op: 'remove', path: `${ENTERPRISE_URN}:employeeNumber` }],
      { schemas: [USER_URN], [ENTERPRISE_URN]: undefined },
    ],
    [
      'remove a whole extension by its URN',
      bjensen({ schemas: [USER_URN, ENTERPRISE_URN], [ENTERPRISE_URN]: { employeeNumber: '7' } }),
      [{ op: 'remove', path: ENTERPRISE_URN }],
      { schemas: [USER_URN], [ENTERPRISE_URN]: undefined },
    ],
    [
      'replace a whole extension by its URN merges its attributes',
      bjensen({ schemas: [USER_URN, ENTERPRISE_URN], [ENTERPRISE_URN]: { employeeNumber: '7' } }),
      [{ op: 'replace', path: ENTERPRISE_URN, value: { department: 'R&D' } }],
      { [ENTERPRISE_URN]: { employeeNumber: '7', department: 'R&D' } },
    ],
    [
      'a manager as a bare id (Entra Add)',
      bjensen(),
      [{ op: 'Add', path: `${ENTERPRISE_URN}:manager`, value: 'boss-1' }],
      { [ENTERPRISE_URN]: { manager: { value: 'boss-1' } } },
    ],
    [
      'a new manager id drops the old $ref',
      bjensen({ [ENTERPRISE_URN]: { manager: { value: 'boss-1', $ref: '../Users/boss-1' } } }),
      [{ op: 'Replace', path: `${ENTERPRISE_URN}:manager`, value: 'boss-2' }],
      { [ENTERPRISE_URN]: { manager: { value: 'boss-2' } } },
    ],
    [
      'an unqualified "manager" path resolves into the enterprise extension',
      bjensen(),
      [{ op: 'replace', path: 'manager', value: { value: 'boss-3' } }],
      { [ENTERPRISE_URN]: { manager: { value: 'boss-3' } } },
    ],
    [
      'remove the manager (Entra Remove)',
      bjensen({ [ENTERPRISE_URN]: { department: 'R&D', manager: { value: 'boss-1' } } }),
      [{ op: 'Remove', path: `${ENTERPRISE_URN}:manager` }],
      { [ENTERPRISE_URN]: { department: 'R&D' } },
    ],
    [
      'an id equal to the resource id is ignored (Okta pathless rename)',
      bjensen(),
      [{ op: 'replace', value: { id: SELF_ID, displayName: 'Babs' } }],
      { displayName: 'Babs', id: undefined },
    ],
    [
      '"schemas" in a pathless value is not an attribute and is skipped',
      bjensen(),
      [{ op: 'replace', value: { schemas: [USER_URN], displayName: 'Babs' } }],
      { displayName: 'Babs' },
    ],
  ])('%s', (_name, document, operations, expected) => {
    const result = patched(document, ...operations);
    for (const [key, value] of Object.entries(expected)) expect(result[key]).toStrictEqual(value);
  });
});

describe('applyPatch on multi-valued attributes', () => {
  const work = { value: 'babs@work.example', type: 'work', primary: true };
  const home = { value: 'babs@home.example', type: 'home' };

  it.each<readonly [string, Record<string, unknown>, unknown[], unknown]>([
    [
      'add merges without duplicates',
      { emails: [work] },
      [{ op: 'add', path: 'emails', value: [{ type: 'work', value: 'babs@work.example', primary: 'True' }, home] }],
      [work, home],
    ],
    ['add a lone object', { emails: [work] }, [{ op: 'add', path: 'emails', value: home }], [work, home]],
    ['replace swaps the whole list', { emails: [work] }, [{ op: 'replace', path: 'emails', value: [home] }], [home]],
    [
      'a new primary value demotes the old one (RFC 7644 §3.5.2)',
      { emails: [work] },
      [{ op: 'add', path: 'emails', value: [{ ...home, primary: true }] }],
      [{ ...work, primary: false }, { ...home, primary: true }],
    ],
    [
      'setting primary through a filter demotes the others',
      { emails: [work, home] },
      [{ op: 'replace', path: 'emails[type eq "home"].primary', value: true }],
      [{ ...work, primary: false }, { ...home, primary: true }],
    ],
    [
      'replace a sub-attribute of the matching value (Entra)',
      { emails: [work, home] },
      [{ op: 'Replace', path: 'emails[type eq "work"].value', value: 'new@work.example' }],
      [{ ...work, value: 'new@work.example' }, home],
    ],
    [
      'filters compare case-insensitively where the schema says so',
      { emails: [work] },
      [{ op: 'replace', path: 'EMAILS[TYPE EQ "WORK"].VALUE', value: 'new@work.example' }],
      [{ ...work, value: 'new@work.example' }],
    ],
    [
      'a filter of eq only that matches nothing creates the value (Entra)',
      { emails: [home] },
      [{ op: 'replace', path: 'emails[type eq "work"].value', value: 'new@work.example' }],
      [home, { value: 'new@work.example', type: 'work' }],
    ],
    [
      'the same for add, and an eq on a boolean',
      {},
      [{ op: 'add', path: 'emails[type eq "work" and primary eq true].value', value: 'w@example.com' }],
      [{ value: 'w@example.com', type: 'work', primary: true }],
    ],
    [
      'replace the matching value whole (RFC 7644 §3.5.2.3)',
      { emails: [work, home] },
      [{ op: 'replace', path: 'emails[type eq "home"]', value: { value: 'other@home.example', type: 'home', display: 'Home' } }],
      [work, { value: 'other@home.example', display: 'Home', type: 'home' }],
    ],
    [
      'add into the matching value merges',
      { emails: [home] },
      [{ op: 'add', path: 'emails[type eq "home"]', value: { display: 'Home' } }],
      [{ ...home, display: 'Home' }],
    ],
    [
      'replace a value filter that matches nothing creates it from the filter and the value',
      { emails: [home] },
      [{ op: 'replace', path: 'emails[type eq "work"]', value: { value: 'w@example.com' } }],
      [home, { value: 'w@example.com', type: 'work' }],
    ],
    ['remove the matching values', { emails: [work, home] }, [{ op: 'remove', path: 'emails[type eq "work"]' }], [home]],
    ['remove a sub-attribute of the matching values', { emails: [work, home] }, [{ op: 'remove', path: 'emails[type eq "work"].primary' }], [{ value: work.value, type: 'work' }, home]],
    ['remove with no match changes nothing', { emails: [home] }, [{ op: 'remove', path: 'emails[type eq "work"]' }], [home]],
    ['remove the last value removes the attribute', { emails: [home] }, [{ op: 'remove', path: 'emails[value ew "home.example"]' }], undefined],
    ['remove by value list drops only those', { emails: [work, home] }, [{ op: 'remove', path: 'emails', value: [{ value: 'babs@home.example' }] }], [work]],
    ['remove all values', { emails: [work, home] }, [{ op: 'remove', path: 'emails' }], undefined],
    [
      'a sub-attribute path without a filter applies to every value',
      { emails: [work, home] },
      [{ op: 'add', path: 'emails.display', value: 'Babs' }],
      [{ ...work, display: 'Babs' }, { ...home, display: 'Babs' }],
    ],
    ['and creates one value when there are none', {}, [{ op: 'add', path: 'emails.value', value: 'x@example.com' }], [{ value: 'x@example.com' }]],
    [
      'a filter with not, or and pr is evaluated in memory',
      { emails: [work, home, { value: 'x@other.example' }] },
      [{ op: 'remove', path: 'emails[not (type pr) or value co "work"]' }],
      [home],
    ],
  ])('%s', (_name, attributes, operations, expected) => {
    expect(patched(bjensen(attributes), ...operations)['emails']).toStrictEqual(expected);
  });

  it('creates a missing phone number or address value as Entra expects', () => {
    const result = patched(
      storedUser(),
      { op: 'Replace', path: 'phoneNumbers[type eq "fax"].value', value: '+1 206 555 0100' },
      { op: 'Replace', path: 'addresses[type eq "work"].postalCode', value: '98104' },
    );
    expect(result['phoneNumbers']).toContainEqual({ value: '+1 206 555 0100', type: 'fax' });
    expect(result['addresses']).toStrictEqual([
      { streetAddress: '500 Pine Street', locality: 'Seattle', region: 'WA', postalCode: '98104', country: 'US', type: 'work', primary: true },
    ]);
  });

  it.each<readonly [string, unknown[], string, string]>([
    ['replace through a filter with no match and no way to build one', [{ op: 'replace', path: 'emails[type ne "work"].value', value: 'x' }], 'noTarget', 'matches'],
    ['an or filter that matches nothing', [{ op: 'replace', path: 'emails[type eq "a" or type eq "b"].value', value: 'x' }], 'noTarget', 'matches'],
    ['a contradictory filter that matches nothing', [{ op: 'add', path: 'emails[type eq "a" and type eq "b"].value', value: 'x' }], 'noTarget', 'matches'],
    ['two values made primary', [{ op: 'replace', path: 'emails', value: [{ value: 'a', primary: true }, { value: 'b', primary: true }] }], 'invalidValue', 'primary'],
    ['a filter on an unknown sub-attribute', [{ op: 'remove', path: 'emails[kind eq "work"]' }], 'invalidPath', '"kind"'],
    ['a filter on a single-valued attribute', [{ op: 'remove', path: 'name[givenName eq "B"]' }], 'invalidPath', 'multi-valued'],
    ['an unknown sub-attribute after a filter', [{ op: 'replace', path: 'emails[type eq "work"].label', value: 'x' }], 'invalidPath', '"label"'],
    ['a value of the wrong type for the sub-attribute', [{ op: 'replace', path: 'emails[type eq "work"].primary', value: 'yes' }], 'invalidValue', 'primary'],
    ['a value filter element that is not an object', [{ op: 'add', path: 'emails[type eq "work"]', value: 'x@example.com' }], 'invalidValue', 'object'],
  ])('%s', (_name, operations, scimType, mentions) => {
    expectError(patch(bjensen({ emails: [{ value: 'w@example.com', type: 'work' }] }), 'User', operations), scimType, mentions);
  });
});

describe('applyPatch: mutability and required attributes', () => {
  it.each<[string, ScimDocument, unknown[], string, string, { currentId?: string }?]>([
    ['a path to id', bjensen(), [{ op: 'replace', path: 'id', value: 'other' }], 'mutability', '"id"'],
    ['a pathless id that is not the resource id', bjensen(), [{ op: 'replace', value: { id: 'other', displayName: 'x' } }], 'mutability', '"id"'],
    ['a pathless id when the resource id is not known', bjensen(), [{ op: 'replace', value: { id: SELF_ID } }], 'mutability', '"id"', { currentId: undefined }],
    ['meta', bjensen(), [{ op: 'replace', path: 'meta.lastModified', value: '2024-01-01T00:00:00Z' }], 'mutability', 'meta'],
    ['groups', bjensen(), [{ op: 'add', path: 'groups', value: [{ value: 'g1' }] }], 'mutability', '"groups"'],
    ['the manager displayName', bjensen(), [{ op: 'replace', path: `${ENTERPRISE_URN}:manager.displayName`, value: 'Boss' }], 'mutability', 'displayName'],
    ['removing userName', bjensen(), [{ op: 'remove', path: 'userName' }], 'invalidValue', '"userName"'],
    ['replacing userName with nothing', bjensen(), [{ op: 'replace', path: 'userName', value: '' }], 'invalidValue', '"userName"'],
    ['a userName of the wrong type', bjensen(), [{ op: 'replace', value: { userName: ['x'] } }], 'invalidValue', '"userName"'],
    ['an unknown attribute in a path', bjensen(), [{ op: 'replace', path: 'favouriteColour', value: 'teal' }], 'invalidPath', '"favouriteColour"'],
    ['an unknown enterprise attribute in a path', bjensen(), [{ op: 'replace', path: `${ENTERPRISE_URN}:shoeSize`, value: 9 }], 'invalidPath', 'shoeSize'],
    ['an unknown attribute in a pathless value', bjensen(), [{ op: 'add', value: { favouriteColour: 'teal' } }], 'invalidSyntax', '"favouriteColour"'],
    ['a pathless value that is not an object', bjensen(), [{ op: 'replace', value: 'Babs' }], 'invalidValue', 'object'],
    ['a pathless key that is not a path', bjensen(), [{ op: 'replace', value: { 'name..x': 1 } }], 'invalidSyntax', 'name..x'],
  ])('%s is refused', (_name, document, operations, scimType, mentions, options) => {
    expectError(patch(document, 'User', operations, options), scimType, mentions);
  });

  it('lets an immutable attribute be set once, then refuses to change or remove it', () => {
    const options = { resourceSchemas: DEVICE_SCHEMAS };
    const device: ScimDocument = { schemas: [DEVICE_URN], displayName: 'laptop' };
    const set = valueOf(patch(device, 'User', [{ op: 'add', path: 'serial', value: 'SN-1' }], options)).document;
    expect(set['serial']).toBe('SN-1');
    expect(valueOf(patch(set, 'User', [{ op: 'replace', path: 'serial', value: 'SN-1' }], options)).document).toStrictEqual(set);
    expectError(patch(set, 'User', [{ op: 'replace', path: 'serial', value: 'SN-2' }], options), 'mutability', '"serial"');
    expectError(patch(set, 'User', [{ op: 'remove', path: 'serial' }], options), 'mutability', '"serial"');
  });

  it('applies the same to an immutable sub-attribute', () => {
    const options = { resourceSchemas: DEVICE_SCHEMAS };
    const device: ScimDocument = { schemas: [DEVICE_URN], displayName: 'laptop', owner: { value: 'u1', since: '2024-01-01T00:00:00Z' } };
    expect(patch(device, 'User', [{ op: 'replace', path: 'owner.value', value: 'u2' }], options).ok).toBe(true);
    expectError(patch(device, 'User', [{ op: 'replace', path: 'owner', value: { since: '2025-01-01T00:00:00Z' } }], options), 'mutability', 'owner.since');
  });

  it('checks the patched document as a POST would (required extension attributes)', () => {
    const options = { resourceSchemas: DEVICE_SCHEMAS };
    const device: ScimDocument = { schemas: [DEVICE_URN], displayName: 'laptop' };
    expectError(patch(device, 'User', [{ op: 'add', path: `${DEVICE_EXTENSION_URN}:depot`, value: 'north' }], options), 'invalidValue', 'fleetId');
  });

  it.each([
    ['a path', { op: 'replace', path: 'password', value: 'first' }],
    ['a path in capitals', { op: 'Replace', path: 'PASSWORD', value: 'first' }],
    ['a schema-qualified path', { op: 'add', path: `${USER_URN}:password`, value: 'first' }],
    ['a pathless value', { op: 'replace', value: { Password: 'second', displayName: 'Babs' } }],
    ['a remove', { op: 'remove', path: 'password' }],
    ['an empty password', { op: 'replace', path: 'password', value: '' }],
    ['a password that is not a string', { op: 'replace', path: 'password', value: 1234 }],
  ])('accepts a password given by %s and drops it: Roster holds none', (_name, operation) => {
    const result = valueOf(patch(bjensen(), 'User', [operation]));
    expect(Object.keys(result)).toStrictEqual(['document', 'memberOps']);
    expect(JSON.stringify(result)).not.toMatch(/password|first|second/i);
  });
});

describe('applyPatch on extensions the server does not define', () => {
  it('writes custom attributes as sent and lists the URN', () => {
    const result = patched(bjensen(), { op: 'Add', path: `${CUSTOM_URN}:costCode`, value: 'X1' });
    expect(result).toStrictEqual({ schemas: [USER_URN, CUSTOM_URN], userName: 'bjensen', [CUSTOM_URN]: { costCode: 'X1' } });
  });

  it('merges a URN-keyed object and removes attributes and the whole object', () => {
    const start = patched(bjensen(), { op: 'add', value: { [CUSTOM_URN]: { a: 1, b: { c: true } } } });
    expect(start[CUSTOM_URN]).toStrictEqual({ a: 1, b: { c: true } });
    expect(patched(start, { op: 'remove', path: `${CUSTOM_URN}:b.c` })[CUSTOM_URN]).toStrictEqual({ a: 1 });
    expect(patched(start, { op: 'remove', path: CUSTOM_URN })).toStrictEqual(bjensen());
  });

  it.each([
    ['the core schema URN itself', USER_URN],
    ['an attribute of another core schema', `${GROUP_URN}:displayName`],
    ['a truncated known URN', 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:department'],
    ['a protocol message URN', 'urn:ietf:params:scim:api:messages:2.0:PatchOp:x'],
  ])('does not take %s for such an extension', (_name, path) => {
    expectError(patch(bjensen(), 'User', [{ op: 'add', path, value: { a: 1 } }]), 'invalidPath');
  });

  it('refuses a value filter into data it has no schema for', () => {
    expectError(patch(bjensen(), 'User', [{ op: 'remove', path: `${CUSTOM_URN}:things[value eq "x"]` }]), 'invalidPath');
  });
});

describe('applyPatch on Group members', () => {
  it.each<readonly [string, unknown[], unknown[]]>([
    ['add a list (Okta, RFC 7644)', [{ op: 'add', path: 'members', value: [{ value: 'u1', display: 'Jordan' }] }], [{ kind: 'add', members: [{ value: 'u1', display: 'Jordan' }] }]],
    ['add with "$ref": null (Entra)', [{ op: 'Add', path: 'members', value: [{ $ref: null, value: 'u1' }] }], [{ kind: 'add', members: [{ value: 'u1' }] }]],
    ['remove by a value filter', [{ op: 'remove', path: 'members[value eq "u1"]' }], [{ kind: 'remove', values: ['u1'] }]],
    ['remove by a chain of value filters', [{ op: 'remove', path: 'members[value eq "u1" or value eq "u2"]' }], [{ kind: 'remove', values: ['u1', 'u2'] }]],
    ['remove by a value list removes only those (Entra)', [{ op: 'Remove', path: 'members', value: [{ value: 'u1' }, { value: 'u2' }] }], [{ kind: 'remove', values: ['u1', 'u2'] }]],
    ['remove with no value removes everyone', [{ op: 'remove', path: 'members' }], [{ kind: 'removeAll' }]],
    ['remove by an empty list removes nobody', [{ op: 'remove', path: 'members', value: [] }], []],
    [
      'remove by another filter, names made canonical',
      [{ op: 'remove', path: 'members[TYPE eq "Group" and Display sw "Eng"]' }],
      [
        {
          kind: 'removeWhere',
          filter: {
            type: 'logical',
            op: 'and',
            left: { type: 'comparison', attrPath: { attr: 'type' }, op: 'eq', value: 'Group' },
            right: { type: 'comparison', attrPath: { attr: 'display' }, op: 'sw', value: 'Eng' },
          },
        },
      ],
    ],
    ['replace with a full list', [{ op: 'replace', path: 'members', value: [{ value: 'u1' }, { value: 'u2', type: 'User' }] }], [{ kind: 'replace', members: [{ value: 'u1' }, { value: 'u2', type: 'User' }] }]],
    ['replace with nothing', [{ op: 'replace', path: 'members', value: [] }], [{ kind: 'replace', members: [] }]],
    ['pathless replace with members', [{ op: 'replace', value: { members: [{ value: 'u1' }] } }], [{ kind: 'replace', members: [{ value: 'u1' }] }]],
    ['pathless add with members', [{ op: 'add', value: { members: [{ value: 'u1' }] } }], [{ kind: 'add', members: [{ value: 'u1' }] }]],
    [
      'mixed operations keep their order (Okta)',
      [
        { op: 'remove', path: 'members[value eq "u1"]' },
        { op: 'add', path: 'members', value: [{ value: 'u2', display: 'Sam' }] },
        { op: 'remove', path: 'members' },
      ],
      [{ kind: 'remove', values: ['u1'] }, { kind: 'add', members: [{ value: 'u2', display: 'Sam' }] }, { kind: 'removeAll' }],
    ],
  ])('%s', (_name, operations, expected) => {
    const result = valueOf(patch(storedGroup(), 'Group', operations));
    expect(result.memberOps).toStrictEqual(expected);
    expect(result.document).toStrictEqual(storedGroup());
  });

  it('renames with Okta\'s pathless {id, displayName} and no member operation', () => {
    const result = valueOf(patch(storedGroup(), 'Group', [{ op: 'replace', value: { id: SELF_ID, displayName: 'Platform' } }]));
    expect(result).toStrictEqual({ document: { ...storedGroup(), displayName: 'Platform' }, memberOps: [] });
  });

  it.each<readonly [string, unknown[], string, string]>([
    ['editing a member in place', [{ op: 'replace', path: 'members[value eq "u1"].display', value: 'x' }], 'mutability', 'immutable'],
    ['replacing through a member filter', [{ op: 'replace', path: 'members[value eq "u1"]', value: { value: 'u1' } }], 'mutability', 'members'],
    ['a member sub-attribute path', [{ op: 'remove', path: 'members.display' }], 'mutability', 'immutable'],
    ['a member without an id', [{ op: 'add', path: 'members', value: [{ display: 'x' }] }], 'invalidValue', 'value'],
    ['a filter on an unknown member sub-attribute', [{ op: 'remove', path: 'members[email eq "x"]' }], 'invalidPath', '"email"'],
    ['removing displayName', [{ op: 'remove', path: 'displayName' }], 'invalidValue', '"displayName"'],
  ])('%s is refused', (_name, operations, scimType, mentions) => {
    expectError(patch(storedGroup(), 'Group', operations), scimType, mentions);
  });

  it('caps the members one operation may list', () => {
    const value = [{ value: 'u1' }, { value: 'u2' }, { value: 'u3' }];
    expectError(patch(storedGroup(), 'Group', [{ op: 'add', path: 'members', value }], { maxMembers: 2 }), 'tooMany', 'members');
  });
});

describe('applyPatch is atomic and leaves its input alone', () => {
  it('a batch whose third operation fails changes nothing', () => {
    const document = storedUser();
    const before = structuredClone(document);
    const result = patch(document, 'User', [
      { op: 'replace', path: 'displayName', value: 'Changed' },
      { op: 'add', path: 'emails', value: [{ value: 'extra@example.com', type: 'home' }] },
      { op: 'replace', path: 'id', value: 'not-allowed' },
      { op: 'replace', path: 'nickName', value: 'never reached' },
    ]);
    expectError(result, 'mutability');
    expect(document).toStrictEqual(before);
  });

  it('a batch that ends in an invalid document changes nothing', () => {
    const document = storedUser();
    const before = structuredClone(document);
    // Each operation is valid alone; only the result exceeds the limit.
    const result = patch(
      document,
      'User',
      [
        { op: 'replace', path: 'displayName', value: 'Changed' },
        { op: 'add', path: 'emails', value: { value: 'two@example.com' } },
        { op: 'add', path: 'emails', value: { value: 'three@example.com' } },
      ],
      { maxMultiValuedEntries: 2 },
    );
    expectError(result, 'tooMany', 'emails');
    expect(document).toStrictEqual(before);
  });

  it('never writes into the document it was given', () => {
    const document = deepFreeze(storedUser());
    const result = valueOf(
      patch(document, 'User', [
        { op: 'replace', path: 'name.givenName', value: 'Leonard' },
        { op: 'replace', path: 'emails[type eq "work"].value', value: 'x@example.com' },
        { op: 'remove', path: `${ENTERPRISE_URN}:manager` },
      ]),
    );
    expect(result.document['name']).toStrictEqual({ formatted: 'Leo Fischer', familyName: 'Fischer', givenName: 'Leonard' });
  });
});

describe('RFC 7644 §3.5.2 examples', () => {
  const user = (): ScimDocument => ({
    schemas: [USER_URN],
    userName: 'bjensen',
    emails: [
      { value: 'bjensen@example.com', type: 'work', primary: true },
      { value: 'babs@jensen.org', type: 'home' },
    ],
    addresses: [{ streetAddress: '100 Universal City Plaza', locality: 'Hollywood', region: 'CA', postalCode: '91608', country: 'USA', type: 'work', primary: true }],
  });

  it('§3.5.2.1 pathless add of emails and nickname', () => {
    const result = patched(user(), { op: 'add', value: { emails: [{ value: 'babs@jensen.org', type: 'home' }], nickname: 'Babs' } });
    expect(result['nickName']).toBe('Babs');
    expect(result['emails']).toStrictEqual(user()['emails']);
  });

  it('§3.5.2.2 remove a work email ending in example.com', () => {
    const result = patched(user(), { op: 'remove', path: 'emails[type eq "work" and value ew "example.com"]' });
    expect(result['emails']).toStrictEqual([{ value: 'babs@jensen.org', type: 'home' }]);
  });

  it('§3.5.2.3 replace the work address whole', () => {
    const address = { type: 'work', streetAddress: '911 Universal City Plaza', locality: 'Hollywood', region: 'CA', postalCode: '91608', country: 'US', formatted: '911 Universal City Plaza\nHollywood, CA 91608 US', primary: true };
    const result = patched(user(), { op: 'replace', path: 'addresses[type eq "work"]', value: address });
    expect(result['addresses']).toStrictEqual([
      { formatted: address.formatted, streetAddress: address.streetAddress, locality: 'Hollywood', region: 'CA', postalCode: '91608', country: 'US', type: 'work', primary: true },
    ]);
  });

  it('§3.5.2.3 replace the street of the work address', () => {
    const result = patched(user(), { op: 'replace', path: 'addresses[type eq "work"].streetAddress', value: '1010 Broadway Ave' });
    expect((result['addresses'] as Record<string, unknown>[])[0]?.['streetAddress']).toBe('1010 Broadway Ave');
  });

  it('§3.5.2.3 pathless replace of all emails and the nickname', () => {
    const result = patched(user(), { op: 'replace', value: { emails: [{ value: 'bjensen@example.com', type: 'work', primary: true }], nickname: 'Babs' } });
    expect(result['emails']).toStrictEqual([{ value: 'bjensen@example.com', type: 'work', primary: true }]);
    expect(result['nickName']).toBe('Babs');
  });

  it('§3.5.2.2/3 member examples', () => {
    const members = [{ display: 'Babs Jensen', $ref: 'https://example.com/v2/Users/2819c223', value: '2819c223' }];
    const result = valueOf(
      patch({ schemas: [GROUP_URN], displayName: 'Tour Guides' }, 'Group', [
        { op: 'remove', path: 'members[value eq "2819c223-7f76-453a-919d-413861904646"]' },
        { op: 'remove', path: 'members' },
        { op: 'add', path: 'members', value: members },
        { op: 'replace', path: 'members', value: members },
      ]),
    );
    expect(result.memberOps).toStrictEqual([
      { kind: 'remove', values: ['2819c223-7f76-453a-919d-413861904646'] },
      { kind: 'removeAll' },
      { kind: 'add', members: [{ value: '2819c223', display: 'Babs Jensen' }] },
      { kind: 'replace', members: [{ value: '2819c223', display: 'Babs Jensen' }] },
    ]);
  });
});

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const item of Object.values(value)) deepFreeze(item);
    Object.freeze(value);
  }
  return value;
}
