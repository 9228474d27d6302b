import { describe, expect, it } from 'vitest';

import {
  parseAttrPath,
  parseAttrPathList,
  parsePatchPath,
  type AttrPath,
  type PatchPath,
} from '../../../src/scim/filter/index.ts';
import { and, cmp, ENTERPRISE_USER, path } from './builders.ts';

describe('parsePatchPath', () => {
  // RFC 7644 §3.5.2 examples, then what Okta and Entra ID send.
  it.each<readonly [string, PatchPath]>([
    ['members', { type: 'attrPath', attrPath: path('members') }],
    ['name.familyName', { type: 'attrPath', attrPath: path('name.familyName') }],
    [
      'addresses[type eq "work"]',
      { type: 'valuePath', attrPath: path('addresses'), filter: cmp('type', 'eq', 'work') },
    ],
    [
      'members[value eq "2819c223-7f76-453a-919d-413861904646"]',
      {
        type: 'valuePath',
        attrPath: path('members'),
        filter: cmp('value', 'eq', '2819c223-7f76-453a-919d-413861904646'),
      },
    ],
    [
      'members[value eq "2819c223-7f76-453a-919d-413861904646"].displayName',
      {
        type: 'valuePath',
        attrPath: path('members'),
        filter: cmp('value', 'eq', '2819c223-7f76-453a-919d-413861904646'),
        subAttr: 'displayName',
      },
    ],
    [
      'emails[type eq "work" and value ew "example.com"]',
      {
        type: 'valuePath',
        attrPath: path('emails'),
        filter: and(cmp('type', 'eq', 'work'), cmp('value', 'ew', 'example.com')),
      },
    ],
    [
      'emails[type eq "work"].value',
      { type: 'valuePath', attrPath: path('emails'), filter: cmp('type', 'eq', 'work'), subAttr: 'value' },
    ],
    [`${ENTERPRISE_USER}:manager`, { type: 'attrPath', attrPath: path('manager', ENTERPRISE_USER) }],
    [`${ENTERPRISE_USER}:employeeNumber`, { type: 'attrPath', attrPath: path('employeeNumber', ENTERPRISE_USER) }],
    [`${ENTERPRISE_USER}:manager.value`, { type: 'attrPath', attrPath: path('manager.value', ENTERPRISE_USER) }],
    ['active', { type: 'attrPath', attrPath: path('active') }],
    ['Emails[Type EQ "work"].Value', { type: 'valuePath', attrPath: path('Emails'), filter: cmp('Type', 'eq', 'work'), subAttr: 'Value' }],
  ])('%s', (input, expected) => {
    expect(parsePatchPath(input)).toStrictEqual({ ok: true, value: expected });
  });

  it('reads a bare schema URN as schema and attribute, for the consumer to recognise', () => {
    expect(parsePatchPath(ENTERPRISE_USER)).toStrictEqual({
      ok: true,
      value: { type: 'attrPath', attrPath: { schema: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0', attr: 'User' } },
    });
  });

  it.each<readonly [string, string]>([
    ['', 'the path is empty'],
    ['members eq "x"', 'expected "[" or the end of the path at position 8, found "eq"'],
    ['"members"', 'expected an attribute path at position 0, found the string "members"'],
    ['members[', 'expected an attribute path, "(" or "not" at position 8, found the end of the path'],
    ['members[value eq "x"', 'missing "]" to close the "[" at position 7'],
    ['members[value eq "x"] and', 'expected "." or the end of the path at position 22, found "and"'],
    ['members[value eq "x"][x pr]', 'expected "." or the end of the path at position 21, found "["'],
    ['members[value eq "x"].', 'expected a sub-attribute name right after "members[…]." at position 22, found the end of the path'],
    [
      'members[value eq "x"].display.x',
      'expected a sub-attribute name right after "members[…]." at position 22, found "display.x"',
    ],
    ['members[value eq "x"] .display', 'unexpected space before "." at position 22; write "members[…].name"'],
    ['members[value eq "x"].value eq "y"', 'expected the end of the path at position 28, found "eq"'],
    [
      'name.familyName[value pr]',
      '"[" at position 15 follows the sub-attribute "name.familyName"; a value filter applies to a multi-valued attribute such as "emails"',
    ],
    ['members[value eq x]', 'expected a comparison value after "eq" at position 17, found "x" (strings are written in double quotes)'],
    ['members[value[x pr]]', 'value filters cannot be nested: "[" at position 13 is inside the "[" at position 7'],
  ])('rejects %j', (input, detail) => {
    expect(parsePatchPath(input)).toStrictEqual({ ok: false, error: { scimType: 'invalidPath', detail } });
  });

  it('applies the same limits as filters', () => {
    expect(parsePatchPath('members[(((value pr)))]', { maxDepth: 3 })).toStrictEqual({
      ok: false,
      error: { scimType: 'invalidPath', detail: 'the path nests deeper than 3 levels at position 10' },
    });
    expect(parsePatchPath('members', { maxLength: 6 })).toStrictEqual({
      ok: false,
      error: { scimType: 'invalidPath', detail: 'the path is 7 characters long; at most 6 are accepted' },
    });
  });
});

describe('parseAttrPath', () => {
  it.each<readonly [string, AttrPath]>([
    ['userName', path('userName')],
    ['name.givenName', path('name.givenName')],
    ['meta.lastModified', path('meta.lastModified')],
    [`${ENTERPRISE_USER}:manager`, path('manager', ENTERPRISE_USER)],
    [`${ENTERPRISE_USER}:manager.displayName`, path('manager.displayName', ENTERPRISE_USER)],
    ['emails.$ref', path('emails.$ref')],
    [' userName ', path('userName')],
    // No filter around it, so no keyword to clash with.
    ['not', path('not')],
  ])('%j', (input, expected) => {
    expect(parseAttrPath(input)).toStrictEqual({ ok: true, value: expected });
  });

  it.each<readonly [string, string]>([
    ['', 'the attribute path is empty'],
    ['a,b', 'expected the end of the attribute path at position 1, found ","'],
    ['name[', 'expected the end of the attribute path at position 4, found "["'],
    ['"userName"', `expected an attribute path at position 0, found '"'`],
    [
      'a.b.c',
      'invalid attribute path "a.b.c" at position 0: an attribute path has at most one sub-attribute, as in "name.familyName"',
    ],
    ['user name', 'expected the end of the attribute path at position 5, found "n"'],
  ])('rejects %j', (input, detail) => {
    expect(parseAttrPath(input)).toStrictEqual({ ok: false, error: { scimType: 'invalidPath', detail } });
  });
});

describe('parseAttrPathList', () => {
  it.each<readonly [string, readonly AttrPath[]]>([
    ['userName,name.givenName', [path('userName'), path('name.givenName')]],
    [' userName , emails ', [path('userName'), path('emails')]],
    [`${ENTERPRISE_USER}:manager,userName`, [path('manager', ENTERPRISE_USER), path('userName')]],
    ['', []],
  ])('%j', (input, expected) => {
    expect(parseAttrPathList(input)).toStrictEqual({ ok: true, value: expected });
  });

  it.each<readonly [string, string]>([
    ['a,', 'expected an attribute path at position 2, found the end of the list'],
    [',a', 'expected an attribute path at position 0, found ","'],
    ['a,,b', 'expected an attribute path at position 2, found ","'],
    ['a b', 'expected "," or the end of the list at position 2, found "b"'],
  ])('rejects %j', (input, detail) => {
    expect(parseAttrPathList(input)).toStrictEqual({ ok: false, error: { scimType: 'invalidPath', detail } });
  });
});
