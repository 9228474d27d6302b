import { describe, expect, it } from 'vitest';

import { ENTRA_LEGACY_GROUP_URN } from '../../../src/scim/schema/index.ts';
import { normalizeResource, type NormalizeOptions, type ResourceKind } from '../../../src/scim/resource/index.ts';
import { ENTERPRISE_URN, expectError, GROUP_URN, USER_URN, valueOf } from './support.ts';
import { DEVICE_EXTENSION_URN, DEVICE_SCHEMAS, DEVICE_URN } from './test-schemas.ts';

const CUSTOM_URN = 'urn:ietf:params:scim:schemas:extension:CustomExtensionName:2.0:User';
const OKTA_URN = 'urn:okta:example_app:1.0:user:custom';

function user(extra: Record<string, unknown>, schemas: string[] = [USER_URN]): Record<string, unknown> {
  return { schemas, userName: 'bjensen', ...extra };
}

function device(extra: Record<string, unknown>): Record<string, unknown> {
  return { schemas: [DEVICE_URN], displayName: 'laptop', ...extra };
}

const DEVICE: NormalizeOptions = { resourceSchemas: DEVICE_SCHEMAS };

describe('normalizeResource: accepted bodies come out canonical', () => {
  it.each<[string, ResourceKind, unknown, Record<string, unknown>, NormalizeOptions?]>([
    [
      'attribute names match case-insensitively and come out in schema spelling',
      'User',
      { schemas: [USER_URN], USERNAME: 'bjensen', Name: { GivenName: 'Barbara', FAMILYNAME: 'Jensen' } },
      { schemas: [USER_URN], userName: 'bjensen', name: { familyName: 'Jensen', givenName: 'Barbara' } },
    ],
    [
      'schema URNs compare case-insensitively and come out canonical',
      'User',
      { schemas: [USER_URN.toUpperCase(), ENTERPRISE_URN.toLowerCase()], userName: 'b', [ENTERPRISE_URN.toUpperCase()]: { DEPARTMENT: 'R&D' } },
      { schemas: [USER_URN, ENTERPRISE_URN], userName: 'b', [ENTERPRISE_URN]: { department: 'R&D' } },
    ],
    [
      'a known extension with data is listed in schemas even when the client forgot it',
      'User',
      user({ [ENTERPRISE_URN]: { employeeNumber: '7' } }),
      { schemas: [USER_URN, ENTERPRISE_URN], userName: 'bjensen', [ENTERPRISE_URN]: { employeeNumber: '7' } },
    ],
    [
      'an extension declared without data is not listed',
      'User',
      user({}, [USER_URN, ENTERPRISE_URN, CUSTOM_URN]),
      { schemas: [USER_URN], userName: 'bjensen' },
    ],
    [
      "Entra's legacy group URN is accepted and dropped",
      'Group',
      { schemas: [GROUP_URN, ENTRA_LEGACY_GROUP_URN], displayName: 'Admins' },
      { schemas: [GROUP_URN], displayName: 'Admins' },
    ],
    [
      'a declared extension the server does not define is kept verbatim',
      'User',
      user({ [CUSTOM_URN]: { costCode: 'X1', Nested: { Any: ['thing', 1, true] } }, [OKTA_URN]: { isAdmin: 'yes' } }, [USER_URN, CUSTOM_URN, OKTA_URN]),
      {
        schemas: [USER_URN, CUSTOM_URN, OKTA_URN],
        userName: 'bjensen',
        [CUSTOM_URN]: { costCode: 'X1', Nested: { Any: ['thing', 1, true] } },
        [OKTA_URN]: { isAdmin: 'yes' },
      },
    ],
    [
      'readOnly attributes sent by the client are ignored',
      'User',
      user({ id: 'client-id', meta: { resourceType: 'User', created: 'not even a date' }, groups: [{ value: 'g1' }] }),
      { schemas: [USER_URN], userName: 'bjensen' },
    ],
    [
      'the readOnly manager.displayName is ignored',
      'User',
      user({ [ENTERPRISE_URN]: { manager: { value: 'm1', $ref: '../Users/m1', displayName: 'Boss' } } }),
      { schemas: [USER_URN, ENTERPRISE_URN], userName: 'bjensen', [ENTERPRISE_URN]: { manager: { value: 'm1', $ref: '../Users/m1' } } },
    ],
    [
      'a manager given as a bare id (Entra) becomes {value}',
      'User',
      user({ [ENTERPRISE_URN]: { manager: 'm1' } }),
      { schemas: [USER_URN, ENTERPRISE_URN], userName: 'bjensen', [ENTERPRISE_URN]: { manager: { value: 'm1' } } },
    ],
    [
      'an empty manager id is no manager',
      'User',
      user({ [ENTERPRISE_URN]: { manager: '', department: '' } }),
      { schemas: [USER_URN], userName: 'bjensen' },
    ],
    [
      'null, [] and "" are no value (RFC 7643 §2.5; Entra sends "")',
      'User',
      user({ title: null, roles: [], nickName: '', emails: [null], name: { givenName: null, familyName: '' }, externalId: null }),
      { schemas: [USER_URN], userName: 'bjensen' },
    ],
    [
      'booleans given as "True"/"False"/"true"/"false" are coerced',
      'User',
      user({ active: 'False', emails: [{ value: 'a@example.com', primary: 'True' }, { value: 'b@example.com', primary: 'false' }] }),
      {
        schemas: [USER_URN],
        userName: 'bjensen',
        active: false,
        emails: [{ value: 'a@example.com', primary: true }, { value: 'b@example.com', primary: false }],
      },
    ],
    [
      'exact duplicate values of a multi-valued attribute collapse',
      'User',
      user({ emails: [{ value: 'a@example.com', type: 'work' }, { type: 'work', value: 'a@example.com' }, { value: 'a@example.com', type: 'home' }] }),
      {
        schemas: [USER_URN],
        userName: 'bjensen',
        emails: [{ value: 'a@example.com', type: 'work' }, { value: 'a@example.com', type: 'home' }],
      },
    ],
    [
      'a lone object where a list is expected is a list of one',
      'User',
      user({ emails: { value: 'a@example.com' } }),
      { schemas: [USER_URN], userName: 'bjensen', emails: [{ value: 'a@example.com' }] },
    ],
    [
      'sub-attributes come out in schema order',
      'User',
      user({ emails: [{ primary: true, type: 'work', value: 'a@example.com', display: 'A' }] }),
      { schemas: [USER_URN], userName: 'bjensen', emails: [{ value: 'a@example.com', display: 'A', type: 'work', primary: true }] },
    ],
    [
      'a base64 certificate longer than the string limit is accepted as binary',
      'User',
      user({ x509Certificates: [{ value: 'QUJD'.repeat(2000) }] }),
      { schemas: [USER_URN], userName: 'bjensen', x509Certificates: [{ value: 'QUJD'.repeat(2000) }] },
    ],
    [
      'xsd:dateTime edge cases: year 1, end of day, no zone',
      'User',
      device({ purchasedAt: '0001-01-01T00:00:00Z', owner: { since: '2024-01-01T24:00:00' } }),
      { schemas: [DEVICE_URN], displayName: 'laptop', purchasedAt: '0001-01-01T00:00:00Z', owner: { since: '2024-01-01T24:00:00' } },
      DEVICE,
    ],
    [
      'integer, decimal and dateTime values of their type are kept',
      'User',
      device({ slots: 4, weight: 1.25, purchasedAt: '2024-02-29T23:59:59.5+01:00', tags: ['a', 'b', 'a'] }),
      { schemas: [DEVICE_URN], displayName: 'laptop', slots: 4, weight: 1.25, purchasedAt: '2024-02-29T23:59:59.5+01:00', tags: ['a', 'b'] },
      DEVICE,
    ],
  ])('%s', (_name, kind, body, expected, options) => {
    const result = valueOf(normalizeResource(body, kind, options));
    expect(result.document).toStrictEqual(expected);
  });

  it.each([['password', 'q7Vd2mXs9pLw'], ['Password', 'q7Vd2mXs9pLw'], ['PASSWORD', 1234], ['password', '']])(
    'accepts "%s" and drops it: Roster holds no passwords',
    (key, value) => {
      const result = valueOf(normalizeResource(user({ [key]: value }), 'User'));
      expect(result).toStrictEqual({ document: { schemas: [USER_URN], userName: 'bjensen' } });
    },
  );

  it('takes Group members out of the document, canonical and each id once', () => {
    const result = valueOf(
      normalizeResource(
        {
          schemas: [GROUP_URN],
          displayName: 'Admins',
          members: [
            { value: 'u1', display: 'Jordan', type: 'user', $ref: null },
            { Value: 'g1', TYPE: 'Group' },
            { value: 'u1', display: 'again' },
          ],
        },
        'Group',
      ),
    );
    expect(result).toStrictEqual({
      document: { schemas: [GROUP_URN], displayName: 'Admins' },
      members: [{ value: 'u1', type: 'User', display: 'Jordan' }, { value: 'g1', type: 'Group' }],
    });
  });

  it.each<readonly [string, unknown, unknown]>([
    ['members: [] (Okta group push)', [], []],
    ['members: null', null, []],
    ['members absent', undefined, undefined],
  ])('%s', (_name, members, expected) => {
    const body = { schemas: [GROUP_URN], displayName: 'Admins', ...(members !== undefined && { members }) };
    expect(valueOf(normalizeResource(body, 'Group')).members).toStrictEqual(expected);
  });

  it('stores a "__proto__" key of foreign extension data as data, not as a prototype', () => {
    const body = JSON.parse(`{"schemas":["${USER_URN}","${CUSTOM_URN}"],"userName":"b","${CUSTOM_URN}":{"__proto__":{"polluted":true}}}`) as unknown;
    const document = valueOf(normalizeResource(body, 'User')).document;
    const custom = document[CUSTOM_URN] as Record<string, unknown>;
    expect(Object.getPrototypeOf(custom)).toBe(Object.prototype);
    expect(Object.hasOwn(custom, '__proto__')).toBe(true);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });
});

describe('normalizeResource: rejected bodies', () => {
  it.each<[string, ResourceKind, unknown, string, string, NormalizeOptions?]>([
    ['a body that is not an object', 'User', ['x'], 'invalidSyntax', 'JSON object'],
    ['no schemas', 'User', { userName: 'b' }, 'invalidSyntax', '"schemas"'],
    ['schemas not a list', 'User', { schemas: USER_URN, userName: 'b' }, 'invalidSyntax', '"schemas"'],
    ['schemas empty', 'User', { schemas: [], userName: 'b' }, 'invalidSyntax', '"schemas"'],
    ['schemas without the core URN', 'User', { schemas: [GROUP_URN], userName: 'b' }, 'invalidSyntax', USER_URN],
    ['a schemas entry that is not a string', 'User', { schemas: [USER_URN, 7], userName: 'b' }, 'invalidSyntax', 'schemas[1]'],
    ['an unknown core attribute', 'User', user({ favouriteColour: 'teal' }), 'invalidSyntax', '"favouriteColour"'],
    ['a dotted key', 'User', user({ 'name.givenName': 'B' }), 'invalidSyntax', '"name.givenName"'],
    ['an undeclared unknown URN key', 'User', user({ [CUSTOM_URN]: { a: 1 } }), 'invalidSyntax', CUSTOM_URN],
    ['a URN-qualified attribute key', 'User', user({ [`${ENTERPRISE_URN}:department`]: 'x' }), 'invalidSyntax', 'department'],
    ['an unknown enterprise attribute', 'User', user({ [ENTERPRISE_URN]: { shoeSize: 9 } }), 'invalidSyntax', '"shoeSize"'],
    ['an unknown sub-attribute', 'User', user({ name: { nickname: 'B' } }), 'invalidSyntax', '"nickname"'],
    ['the same attribute twice in different case', 'User', user({ UserName: 'c' }), 'invalidSyntax', 'twice'],
    ['the same sub-attribute twice', 'User', user({ name: { givenName: 'a', GIVENNAME: 'b' } }), 'invalidSyntax', 'twice'],
    ['missing userName', 'User', { schemas: [USER_URN] }, 'invalidValue', '"userName"'],
    ['empty userName', 'User', user({ userName: '' }), 'invalidValue', '"userName"'],
    ['blank userName', 'User', user({ userName: '   ' }), 'invalidValue', '"userName"'],
    ['missing Group displayName', 'Group', { schemas: [GROUP_URN], members: [] }, 'invalidValue', '"displayName"'],
    ['userName not a string', 'User', user({ userName: 42 }), 'invalidValue', '"userName"'],
    ['active not a boolean', 'User', user({ active: 'yes' }), 'invalidValue', '"active"'],
    ['active as a number', 'User', user({ active: 1 }), 'invalidValue', '"active"'],
    ['a complex attribute given a string', 'User', user({ name: 'Barbara Jensen' }), 'invalidValue', '"name"'],
    ['a multi-valued attribute given a string', 'User', user({ emails: 'a@example.com' }), 'invalidValue', '"emails[0]"'],
    ['a sub-attribute of the wrong type', 'User', user({ emails: [{ value: ['a@example.com'] }] }), 'invalidValue', '"emails[0].value"'],
    ['a manager given a number', 'User', user({ [ENTERPRISE_URN]: { manager: 12 } }), 'invalidValue', 'manager'],
    ['an extension that is not an object', 'User', user({ [ENTERPRISE_URN]: 'x' }), 'invalidValue', ENTERPRISE_URN],
    ['foreign extension data that is not an object', 'User', user({ [CUSTOM_URN]: [1] }, [USER_URN, CUSTOM_URN]), 'invalidValue', CUSTOM_URN],
    [
      'two primary values',
      'User',
      user({ emails: [{ value: 'a@example.com', primary: true }, { value: 'b@example.com', primary: 'True' }] }),
      'invalidValue',
      'primary',
    ],
    ['a member without value', 'Group', { schemas: [GROUP_URN], displayName: 'g', members: [{ display: 'x' }] }, 'invalidValue', 'members[0].value'],
    ['a member of unknown type', 'Group', { schemas: [GROUP_URN], displayName: 'g', members: [{ value: 'x', type: 'Robot' }] }, 'invalidValue', 'members[0].type'],
    ['a member with an unknown sub-attribute', 'Group', { schemas: [GROUP_URN], displayName: 'g', members: [{ value: 'x', role: 'owner' }] }, 'invalidSyntax', '"role"'],
    ['a member given as a bare id', 'Group', { schemas: [GROUP_URN], displayName: 'g', members: ['x'] }, 'invalidValue', 'members[0]'],
    ['a certificate that is not base64', 'User', user({ x509Certificates: [{ value: 'not base64!' }] }), 'invalidValue', 'base64'],
    [
      'data under a reserved SCIM URN, even when declared',
      'User',
      user({ [GROUP_URN]: { displayName: 'x' } }, [USER_URN, GROUP_URN]),
      'invalidSyntax',
      'reserved',
    ],
    ['a dateTime past the end of the day', 'User', device({ purchasedAt: '2024-01-01T24:00:01Z' }), 'invalidValue', '"purchasedAt"', DEVICE],
    ['a dateTime with a zone out of range', 'User', device({ purchasedAt: '2024-01-01T10:00:00+15:00' }), 'invalidValue', '"purchasedAt"', DEVICE],
    ['a fractional integer', 'User', device({ slots: 1.5 }), 'invalidValue', '"slots"', DEVICE],
    ['a decimal given as a string', 'User', device({ weight: '1.5' }), 'invalidValue', '"weight"', DEVICE],
    ['a dateTime that is not xsd:dateTime', 'User', device({ purchasedAt: 'yesterday' }), 'invalidValue', '"purchasedAt"', DEVICE],
    ['a dateTime on 30 February', 'User', device({ purchasedAt: '2024-02-30T00:00:00Z' }), 'invalidValue', '"purchasedAt"', DEVICE],
    ['a dateTime without time', 'User', device({ purchasedAt: '2024-02-01' }), 'invalidValue', '"purchasedAt"', DEVICE],
    [
      'an extension missing its required attribute',
      'User',
      device({ [DEVICE_EXTENSION_URN]: { depot: 'north' } }),
      'invalidValue',
      `${DEVICE_EXTENSION_URN}:fleetId`,
      DEVICE,
    ],
  ])('%s', (_name, kind, body, scimType, mentions, options) => {
    expectError(normalizeResource(body, kind, options), scimType, mentions);
  });
});

describe('normalizeResource: limits', () => {
  const emails = (n: number) => Array.from({ length: n }, (_, i) => ({ value: `u${i}@example.com` }));
  const members = (n: number) => Array.from({ length: n }, (_, i) => ({ value: `u${i}` }));

  it.each<readonly [string, ResourceKind, unknown, NormalizeOptions, string, string]>([
    ['more values than maxMultiValuedEntries', 'User', user({ emails: emails(3) }), { maxMultiValuedEntries: 2 }, 'tooMany', '"emails"'],
    ['more members than maxMembers', 'Group', { schemas: [GROUP_URN], displayName: 'g', members: members(3) }, { maxMembers: 2 }, 'tooMany', 'members'],
    ['a string longer than maxStringLength', 'User', user({ displayName: 'x'.repeat(11) }), { maxStringLength: 10 }, 'invalidValue', '"displayName"'],
    ['a binary value longer than maxBinaryLength', 'User', user({ x509Certificates: [{ value: 'QUJD'.repeat(3) }] }), { maxBinaryLength: 8 }, 'invalidValue', 'x509Certificates'],
  ])('%s', (_name, kind, body, options, scimType, mentions) => {
    expectError(normalizeResource(body, kind, options), scimType, mentions);
  });

  it('accepts exactly the limit', () => {
    expect(normalizeResource(user({ emails: emails(2) }), 'User', { maxMultiValuedEntries: 2 }).ok).toBe(true);
    expect(normalizeResource({ schemas: [GROUP_URN], displayName: 'g', members: members(2) }, 'Group', { maxMembers: 2 }).ok).toBe(true);
  });

  it('defaults to 1000 values per attribute and 4096 characters per string', () => {
    expect(normalizeResource(user({ roles: Array.from({ length: 1000 }, (_, i) => ({ value: `r${i}` })) }), 'User').ok).toBe(true);
    expectError(normalizeResource(user({ roles: Array.from({ length: 1001 }, (_, i) => ({ value: `r${i}` })) }), 'User'), 'tooMany');
    expect(normalizeResource(user({ displayName: 'x'.repeat(4096) }), 'User').ok).toBe(true);
    expectError(normalizeResource(user({ displayName: 'x'.repeat(4097) }), 'User'), 'invalidValue');
  });
});
