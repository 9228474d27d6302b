import { describe, expect, it } from 'vitest';

import { parseAttrPathList, type AttrPath } from '../../../src/scim/filter/index.ts';
import { projectResource, wantsAttribute, type ProjectionQuery } from '../../../src/scim/resource/index.ts';
import { GROUP_RESOURCE_SCHEMAS, USER_RESOURCE_SCHEMAS } from '../../../src/scim/schema/index.ts';
import { ENTERPRISE_URN, GROUP_URN, USER_URN } from './support.ts';
import { DEVICE_SCHEMAS, DEVICE_URN } from './test-schemas.ts';

const CUSTOM_URN = 'urn:ietf:params:scim:schemas:extension:CustomExtensionName:2.0:User';

function paths(text: string): readonly AttrPath[] {
  const parsed = parseAttrPathList(text);
  if (!parsed.ok) throw new Error(parsed.error.detail);
  return parsed.value;
}

function query(attributes?: string, excludedAttributes?: string): ProjectionQuery {
  return {
    ...(attributes !== undefined && { attributes: paths(attributes) }),
    ...(excludedAttributes !== undefined && { excludedAttributes: paths(excludedAttributes) }),
  };
}

const meta = { resourceType: 'User', created: '2024-05-01T09:30:00Z', lastModified: '2024-05-01T09:30:00Z', location: 'https://x/Users/u1' };

const fullUser = {
  schemas: [USER_URN, ENTERPRISE_URN, CUSTOM_URN],
  id: 'u1',
  externalId: 'ext-1',
  userName: 'bjensen',
  name: { givenName: 'Barbara', familyName: 'Jensen' },
  password: 'should never leave',
  emails: [
    { value: 'b@work.example', type: 'work', primary: true },
    { value: 'b@home.example', type: 'home' },
  ],
  groups: [{ value: 'g1', display: 'Admins', type: 'direct' }],
  meta,
  [ENTERPRISE_URN]: { department: 'R&D', manager: { value: 'm1', displayName: 'Boss' } },
  [CUSTOM_URN]: { costCode: 'X1' },
};

describe('projectResource', () => {
  it.each<readonly [string, ProjectionQuery, Record<string, unknown>]>([
    [
      'by default: everything returned by default, never the password',
      {},
      Object.fromEntries(Object.entries(fullUser).filter(([key]) => key !== 'password')),
    ],
    ['attributes narrows to those plus id and schemas', query('userName'), { schemas: [USER_URN], id: 'u1', userName: 'bjensen' }],
    ['names match case-insensitively, output keeps stored spelling', query('USERNAME,Name.GIVENNAME'), { schemas: [USER_URN], id: 'u1', userName: 'bjensen', name: { givenName: 'Barbara' } }],
    [
      'a sub-attribute of a multi-valued attribute',
      query('emails.value'),
      { schemas: [USER_URN], id: 'u1', emails: [{ value: 'b@work.example' }, { value: 'b@home.example' }] },
    ],
    [
      'an URN-qualified extension attribute',
      query(`${ENTERPRISE_URN}:manager.value`),
      { schemas: [USER_URN, ENTERPRISE_URN], id: 'u1', [ENTERPRISE_URN]: { manager: { value: 'm1' } } },
    ],
    [
      'a whole extension by its URN',
      query(ENTERPRISE_URN),
      { schemas: [USER_URN, ENTERPRISE_URN], id: 'u1', [ENTERPRISE_URN]: fullUser[ENTERPRISE_URN] },
    ],
    ['an unqualified extension attribute', query('department'), { schemas: [USER_URN, ENTERPRISE_URN], id: 'u1', [ENTERPRISE_URN]: { department: 'R&D' } }],
    ['an URN-qualified core attribute', query(`${USER_URN}:userName`), { schemas: [USER_URN], id: 'u1', userName: 'bjensen' }],
    ['data of an extension the server does not define', query(`${CUSTOM_URN}:costCode`), { schemas: [USER_URN, CUSTOM_URN], id: 'u1', [CUSTOM_URN]: { costCode: 'X1' } }],
    ['asking for the password returns nothing of it', query('password'), { schemas: [USER_URN], id: 'u1' }],
    ['unknown names select nothing and are not an error', query('shoeSize,name.nickname'), { schemas: [USER_URN], id: 'u1' }],
    [
      'excludedAttributes removes attributes, sub-attributes and extensions',
      query(undefined, `emails.primary,name,groups,meta,externalId,${ENTERPRISE_URN},${CUSTOM_URN}:costCode`),
      {
        schemas: [USER_URN],
        id: 'u1',
        userName: 'bjensen',
        emails: [
          { value: 'b@work.example', type: 'work' },
          { value: 'b@home.example', type: 'home' },
        ],
      },
    ],
    ['excludedAttributes never removes id', query(undefined, 'id,userName,name,emails,groups,meta,externalId,urn:ietf:params:scim:schemas:extension:enterprise:2.0:User,' + CUSTOM_URN), { schemas: [USER_URN], id: 'u1' }],
    ['attributes then excludedAttributes', query('userName,emails', 'emails'), { schemas: [USER_URN], id: 'u1', userName: 'bjensen' }],
  ])('%s', (_name, q, expected) => {
    expect(projectResource(fullUser, USER_RESOURCE_SCHEMAS, q)).toStrictEqual(expected);
  });

  it('returns `request` attributes only when asked for by name', () => {
    const device = { schemas: [DEVICE_URN], id: 'd1', displayName: 'laptop', secretNote: 'pin 1234' };
    expect(projectResource(device, DEVICE_SCHEMAS, {})).toStrictEqual({ schemas: [DEVICE_URN], id: 'd1', displayName: 'laptop' });
    expect(projectResource(device, DEVICE_SCHEMAS, query(DEVICE_URN))).toStrictEqual({ schemas: [DEVICE_URN], id: 'd1', displayName: 'laptop' });
    expect(projectResource(device, DEVICE_SCHEMAS, query('secretNote'))).toStrictEqual({ schemas: [DEVICE_URN], id: 'd1', secretNote: 'pin 1234' });
  });

  it('shows a group without members when they are excluded (Entra)', () => {
    const group = { schemas: [GROUP_URN], id: 'g1', displayName: 'Admins', members: [{ value: 'u1' }], meta };
    expect(projectResource(group, GROUP_RESOURCE_SCHEMAS, query(undefined, 'members'))).toStrictEqual({ schemas: [GROUP_URN], id: 'g1', displayName: 'Admins', meta });
  });

  it('does not modify what it is given', () => {
    const copy = structuredClone(fullUser);
    projectResource(copy, USER_RESOURCE_SCHEMAS, query('emails.value', 'name'));
    expect(copy).toStrictEqual(fullUser);
  });
});

describe('wantsAttribute', () => {
  it.each<readonly [string, ProjectionQuery, string, boolean]>([
    ['members by default', {}, 'members', true],
    ['members when excluded (Entra excludedAttributes=members)', query(undefined, 'members'), 'members', false],
    ['members when excluded in another case', query(undefined, 'MEMBERS'), 'members', false],
    ['members when only a sub-attribute is excluded', query(undefined, 'members.display'), 'members', true],
    ['members when other attributes are asked for', query('displayName'), 'members', false],
    ['members when asked for', query('displayName,members'), 'members', true],
    ['members when a sub-attribute is asked for', query('members.value'), 'members', true],
    ['members when the core schema is asked for whole', query(GROUP_URN), 'members', true],
    ['members when asked for and excluded', query('members', 'members'), 'members', false],
    ['id even when excluded', query(undefined, 'id'), 'id', true],
  ])('%s', (_name, q, name, expected) => {
    expect(wantsAttribute(GROUP_RESOURCE_SCHEMAS, q, name)).toBe(expected);
  });

  it.each<readonly [string, ProjectionQuery, string, boolean]>([
    ['groups by default', {}, 'groups', true],
    ['groups when excluded', query(undefined, 'groups'), 'groups', false],
    ['groups when userName alone is asked for', query('userName'), 'groups', false],
    ['password never', query('password'), 'password', false],
    ['an enterprise attribute by name', query(`${ENTERPRISE_URN}:manager`), 'manager', true],
  ])('User: %s', (_name, q, name, expected) => {
    expect(wantsAttribute(USER_RESOURCE_SCHEMAS, q, name)).toBe(expected);
  });
});
