import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import type { AttributeRef, AttributeType, Condition, ResourceKind } from '../../../src/directory/index.ts';
import {
  filterToCondition,
  parseAttrPath,
  parseFilter,
  sortByToSpec,
  type CompareOp,
  type FilterNode,
} from '../../../src/scim/filter/index.ts';
import { COMMON_ATTRIBUTES, ENTERPRISE_USER_SCHEMA, USER_SCHEMA } from '../../../src/scim/schema/index.ts';
import { filterNode } from './arbitraries.ts';
import { CORE_USER, ENTERPRISE_USER } from './builders.ts';

function bind(filter: string, kind: ResourceKind = 'User') {
  const parsed = parseFilter(filter);
  if (!parsed.ok) throw new Error(`test filter does not parse: ${parsed.error.detail}`);
  return filterToCondition(parsed.value, kind);
}

function condition(filter: string, kind: ResourceKind = 'User'): Condition {
  const bound = bind(filter, kind);
  if (!bound.ok) throw new Error(`expected "${filter}" to bind, got: ${bound.error.detail}`);
  return bound.value;
}

function rejection(filter: string, kind: ResourceKind = 'User'): string {
  const bound = bind(filter, kind);
  if (bound.ok) throw new Error(`expected "${filter}" to be rejected, got ${JSON.stringify(bound.value)}`);
  expect(bound.error.scimType).toBe('invalidFilter');
  return bound.error.detail;
}

// Short constructors for expected conditions.
function ref(path: readonly string[], type: AttributeType = 'string', options: { caseExact?: boolean; multiValued?: boolean } = {}): AttributeRef {
  return { path, type, caseExact: options.caseExact ?? false, multiValued: options.multiValued ?? false };
}
const cmp = (attr: AttributeRef, op: CompareOp, value: string | number | boolean | null): Condition => ({ kind: 'compare', attr, op, value });
const pr = (attr: AttributeRef): Condition => ({ kind: 'present', attr });
const and = (left: Condition, right: Condition): Condition => ({ kind: 'and', left, right });
const or = (left: Condition, right: Condition): Condition => ({ kind: 'or', left, right });
const not = (inner: Condition): Condition => ({ kind: 'not', condition: inner });
const element = (attr: AttributeRef, inner: Condition): Condition => ({ kind: 'element', attr, condition: inner });

const LAST_MODIFIED = '2011-05-13T04:42:34Z';
const userName = ref(['userName']);
const userType = ref(['userType']);
const title = ref(['title']);
const lastModified = ref(['meta', 'lastModified'], 'dateTime');
const emails = ref(['emails'], 'complex', { multiValued: true });
const emailValue = ref(['emails', 'value'], 'string', { multiValued: true });
const ims = ref(['ims'], 'complex', { multiValued: true });
const relative = (name: string, type: AttributeType = 'string') => ref([name], type);

// Every example filter of RFC 7644 §3.4.2.2, in the order printed there.
const RFC_7644_EXAMPLES: readonly (readonly [string, Condition])[] = [
  ['userName eq "bjensen"', cmp(userName, 'eq', 'bjensen')],
  ['name.familyName co "O\'Malley"', cmp(ref(['name', 'familyName']), 'co', "O'Malley")],
  ['userName sw "J"', cmp(userName, 'sw', 'J')],
  [`${CORE_USER}:userName sw "J"`, cmp(userName, 'sw', 'J')],
  ['title pr', pr(title)],
  [`meta.lastModified gt "${LAST_MODIFIED}"`, cmp(lastModified, 'gt', LAST_MODIFIED)],
  [`meta.lastModified ge "${LAST_MODIFIED}"`, cmp(lastModified, 'ge', LAST_MODIFIED)],
  [`meta.lastModified lt "${LAST_MODIFIED}"`, cmp(lastModified, 'lt', LAST_MODIFIED)],
  [`meta.lastModified le "${LAST_MODIFIED}"`, cmp(lastModified, 'le', LAST_MODIFIED)],
  ['title pr and userType eq "Employee"', and(pr(title), cmp(userType, 'eq', 'Employee'))],
  ['title pr or userType eq "Intern"', or(pr(title), cmp(userType, 'eq', 'Intern'))],
  [`schemas eq "${ENTERPRISE_USER}"`, cmp(ref(['schemas'], 'reference', { multiValued: true }), 'eq', ENTERPRISE_USER)],
  [
    'userType eq "Employee" and (emails co "example.com" or emails.value co "example.org")',
    and(cmp(userType, 'eq', 'Employee'), or(cmp(emailValue, 'co', 'example.com'), cmp(emailValue, 'co', 'example.org'))),
  ],
  [
    'userType ne "Employee" and not (emails co "example.com" or emails.value co "example.org")',
    and(cmp(userType, 'ne', 'Employee'), not(or(cmp(emailValue, 'co', 'example.com'), cmp(emailValue, 'co', 'example.org')))),
  ],
  [
    'userType eq "Employee" and (emails.type eq "work")',
    and(cmp(userType, 'eq', 'Employee'), cmp(ref(['emails', 'type'], 'string', { multiValued: true }), 'eq', 'work')),
  ],
  [
    'userType eq "Employee" and emails[type eq "work" and value co "@example.com"]',
    and(
      cmp(userType, 'eq', 'Employee'),
      element(emails, and(cmp(relative('type'), 'eq', 'work'), cmp(relative('value'), 'co', '@example.com'))),
    ),
  ],
  [
    'emails[type eq "work" and value co "@example.com"] or ims[type eq "xmpp" and value co "@foo.com"]',
    or(
      element(emails, and(cmp(relative('type'), 'eq', 'work'), cmp(relative('value'), 'co', '@example.com'))),
      element(ims, and(cmp(relative('type'), 'eq', 'xmpp'), cmp(relative('value'), 'co', '@foo.com'))),
    ),
  ],
  ['userName Eq "john"', cmp(userName, 'eq', 'john')],
  ['Username eq "john"', cmp(userName, 'eq', 'john')],
  ['displayName sw "smith"', cmp(ref(['displayName']), 'sw', 'smith')],
];

describe('filterToCondition: RFC 7644 §3.4.2.2 examples', () => {
  it.each(RFC_7644_EXAMPLES)('%s', (filter, expected) => {
    expect(condition(filter)).toStrictEqual(expected);
  });
});

describe('filterToCondition: attribute paths', () => {
  it('spells names and URNs as the schema does, whatever case the filter uses', () => {
    expect(condition('USERNAME eq "x"')).toStrictEqual(cmp(userName, 'eq', 'x'));
    expect(condition(`${CORE_USER.toUpperCase()}:NAME.GIVENNAME pr`)).toStrictEqual(pr(ref(['name', 'givenName'])));
    expect(condition(`${ENTERPRISE_USER.toLowerCase()}:EMPLOYEENUMBER eq "7"`)).toStrictEqual(
      cmp(ref([ENTERPRISE_USER, 'employeeNumber']), 'eq', '7'),
    );
  });

  it('finds an unqualified extension attribute in the one extension that defines it', () => {
    expect(condition('employeeNumber eq "701984"')).toStrictEqual(cmp(ref([ENTERPRISE_USER, 'employeeNumber']), 'eq', '701984'));
    expect(condition('Manager.Value pr')).toStrictEqual(pr(ref([ENTERPRISE_USER, 'manager', 'value'])));
  });

  it('resolves the common attributes, with their case sensitivity', () => {
    expect(condition('id eq "a"')).toStrictEqual(cmp(ref(['id'], 'string', { caseExact: true }), 'eq', 'a'));
    expect(condition('externalId eq "a"')).toStrictEqual(cmp(ref(['externalId'], 'string', { caseExact: true }), 'eq', 'a'));
    expect(condition('meta.created gt "2020-01-01T00:00:00Z"')).toStrictEqual(
      cmp(ref(['meta', 'created'], 'dateTime'), 'gt', '2020-01-01T00:00:00Z'),
    );
    expect(condition('meta.resourceType eq "Group"', 'Group')).toStrictEqual(
      cmp(ref(['meta', 'resourceType'], 'string', { caseExact: true }), 'eq', 'Group'),
    );
  });

  it('compares a complex attribute through its value sub-attribute', () => {
    expect(condition('emails co "x"')).toStrictEqual(cmp(emailValue, 'co', 'x'));
    expect(condition('manager eq "m-1"')).toStrictEqual(cmp(ref([ENTERPRISE_USER, 'manager', 'value']), 'eq', 'm-1'));
    expect(condition('members eq "m-1"', 'Group')).toStrictEqual(cmp(ref(['members', 'value'], 'string', { multiValued: true }), 'eq', 'm-1'));
  });

  it('keeps presence on a complex attribute as a test of the attribute itself', () => {
    expect(condition('emails pr')).toStrictEqual(pr(emails));
    expect(condition('name pr')).toStrictEqual(pr(ref(['name'], 'complex')));
  });
});

describe('filterToCondition: value filters', () => {
  it('turns attr[filter] on a multi-valued attribute into an element condition with relative paths', () => {
    expect(condition('emails[type eq "work"]')).toStrictEqual(element(emails, cmp(relative('type'), 'eq', 'work')));
    expect(condition('emails[not (primary eq true)]')).toStrictEqual(element(emails, not(cmp(relative('primary', 'boolean'), 'eq', true))));
  });

  it('adds the test after the brackets to the same element', () => {
    expect(condition('emails[type eq "work"].value eq "x@y.com"')).toStrictEqual(
      element(emails, and(cmp(relative('type'), 'eq', 'work'), cmp(relative('value'), 'eq', 'x@y.com'))),
    );
    expect(condition('EMAILS[TYPE eq "work"].VALUE pr')).toStrictEqual(element(emails, and(cmp(relative('type'), 'eq', 'work'), pr(relative('value')))));
  });

  it('tests the parts of a single-valued complex attribute in place', () => {
    expect(condition('name[givenName eq "Barbara" and familyName pr]')).toStrictEqual(
      and(pr(ref(['name'], 'complex')), and(cmp(ref(['name', 'givenName']), 'eq', 'Barbara'), pr(ref(['name', 'familyName'])))),
    );
  });

  it('maps members and groups to the membership attributes', () => {
    const members = ref(['members'], 'complex', { multiValued: true });
    expect(condition('members[value eq "g-1"]', 'Group')).toStrictEqual(element(members, cmp(relative('value'), 'eq', 'g-1')));
    expect(condition('members[type eq "Group"]', 'Group')).toStrictEqual(element(members, cmp(relative('type'), 'eq', 'Group')));
    expect(condition('members.value eq "u-1"', 'Group')).toStrictEqual(cmp(ref(['members', 'value'], 'string', { multiValued: true }), 'eq', 'u-1'));
    expect(condition('groups.value eq "g-1"')).toStrictEqual(cmp(ref(['groups', 'value'], 'string', { multiValued: true }), 'eq', 'g-1'));
  });
});

describe('filterToCondition: values', () => {
  it('accepts true and false, and the strings "true" and "false" in any case, for a boolean', () => {
    const active = ref(['active'], 'boolean');
    expect(condition('active eq false')).toStrictEqual(cmp(active, 'eq', false));
    expect(condition('active eq "TRUE"')).toStrictEqual(cmp(active, 'eq', true));
    expect(condition('active ne "false"')).toStrictEqual(cmp(active, 'ne', false));
    expect(condition('active eq null')).toStrictEqual(cmp(active, 'eq', null));
  });

  it('keeps null for eq and ne', () => {
    expect(condition('title ne null')).toStrictEqual(cmp(title, 'ne', null));
  });

  it('accepts a dateTime with an offset or without a zone', () => {
    expect(condition('meta.created le "2011-05-13T04:42:34.123+02:00"')).toStrictEqual(
      cmp(ref(['meta', 'created'], 'dateTime'), 'le', '2011-05-13T04:42:34.123+02:00'),
    );
    expect(condition('meta.created ge "2011-05-13T04:42:34"').kind).toBe('compare');
  });
});

describe('filterToCondition: rejections', () => {
  const REJECTED: readonly (readonly [filter: string, kind: ResourceKind, detail: string])[] = [
    ['nickname2 eq "x"', 'User', 'unknown attribute "nickname2": User resources have no such attribute'],
    ['name.middle eq "x"', 'User', 'unknown attribute "name.middle": "name" has no sub-attribute "middle"'],
    ['userName.first pr', 'User', 'unknown attribute "userName.first": "userName" has no sub-attributes'],
    ['urn:example:ext:1.0:level gt 3', 'User', 'unknown schema "urn:example:ext:1.0" in "urn:example:ext:1.0:level"'],
    [
      `${ENTERPRISE_USER} pr`,
      'User',
      `"${ENTERPRISE_USER}" names a schema, not an attribute; name one of its attributes, as in "${ENTERPRISE_USER}:employeeNumber"`,
    ],
    ['userName eq "x"', 'Group', 'unknown attribute "userName": Group resources have no such attribute'],
    [`${ENTERPRISE_USER}:employeeNumber eq "1"`, 'Group', `unknown schema "${ENTERPRISE_USER}" in`],
    ['password eq "secret"', 'User', '"password" cannot be used in a filter: its value is never returned'],
    ['PassWord pr', 'User', '"PassWord" cannot be used in a filter: its value is never returned'],
    ['meta.version eq "W/\\"1\\""', 'User', '"meta.version" cannot be used in a filter; of meta, only meta.created, meta.lastModified, meta.resourceType can'],
    ['meta.location pr', 'Group', '"meta.location" cannot be used in a filter'],
    ['meta pr', 'User', '"meta" cannot be used in a filter'],
    ['members.display eq "Alice"', 'Group', '"members.display" cannot be used in a filter; of members, only members.value and members.type can'],
    ['members[display eq "Alice"]', 'Group', '"members.display" cannot be used in a filter'],
    ['groups.display eq "Sales"', 'User', '"groups.display" cannot be used in a filter; of groups, only groups.value can'],
    ['name eq "Barbara"', 'User', 'cannot compare "name" as a whole: it is complex and has no "value"; name a sub-attribute, as in "name.formatted"'],
    ['active eq "yes"', 'User', '"active" is a boolean: compare it with true or false, not "yes"'],
    ['active eq 1', 'User', '"active" is a boolean: compare it with true or false, not 1'],
    ['active gt "true"', 'User', '"gt" cannot order "active", which is a boolean; use eq or ne'],
    ['emails[primary le "false"]', 'User', '"le" cannot order "emails.primary", which is a boolean'],
    ['active co "t"', 'User', '"co" matches text, and "active" is a boolean'],
    ['meta.lastModified gt "yesterday"', 'User', '"meta.lastModified" is a date and time: compare it with a date and time such as "2011-05-13T04:42:34Z", not "yesterday"'],
    ['meta.created eq "2011-02-30T00:00:00Z"', 'User', '"meta.created" is a date and time'],
    ['meta.created eq 1305261754', 'User', '"meta.created" is a date and time'],
    ['meta.created sw "2011"', 'User', '"sw" matches text, and "meta.created" is a date and time'],
    ['userName eq 42', 'User', '"userName" is a string: compare it with a string in double quotes, as in "42", not 42'],
    ['externalId eq true', 'User', '"externalId" is a string: compare it with a string in double quotes, as in "true", not true'],
    ['x509Certificates.value gt "MII"', 'User', '"gt" cannot order "x509Certificates.value", which is a binary'],
    ['userName co null', 'User', '"co" cannot compare "userName" with null; only eq and ne can'],
    ['emails[kind eq "work"]', 'User', '"emails" has no sub-attribute "kind" to filter on in "emails[…]"'],
    ['emails[type eq "work"].address eq "x"', 'User', '"emails" has no sub-attribute "address" to filter on in "emails[…]"'],
    ['userName[value eq "x"]', 'User', '"userName[…]" filters the parts of a complex attribute, and "userName" is a string'],
  ];

  it.each(REJECTED)('%s (%s)', (filter, kind, detail) => {
    expect(rejection(filter, kind)).toContain(detail);
  });

  it('reports the first problem of a compound filter', () => {
    expect(rejection('userName eq "x" and (title pr or nope pr)')).toContain('"nope"');
  });
});

describe('sortByToSpec', () => {
  function sort(path: string, order?: 'ascending' | 'descending', kind: ResourceKind = 'User') {
    const parsed = parseAttrPath(path);
    if (!parsed.ok) throw new Error(parsed.error.detail);
    return sortByToSpec(parsed.value, order, kind);
  }

  it('sorts ascending unless told otherwise, by canonical path', () => {
    expect(sort('USERNAME')).toStrictEqual({ ok: true, value: { attr: userName, descending: false } });
    expect(sort('name.familyName', 'descending')).toStrictEqual({ ok: true, value: { attr: ref(['name', 'familyName']), descending: true } });
    expect(sort('meta.created', 'ascending', 'Group')).toStrictEqual({
      ok: true,
      value: { attr: ref(['meta', 'created'], 'dateTime'), descending: false },
    });
  });

  it('sorts a multi-valued complex attribute by its value', () => {
    expect(sort('emails', 'descending')).toStrictEqual({ ok: true, value: { attr: emailValue, descending: true } });
  });

  it.each([
    ['members', 'Group', 'cannot sort by "members"'],
    ['groups.value', 'User', 'cannot sort by "groups.value"'],
    ['password', 'User', '"password" cannot be used in a sortBy'],
    ['name', 'User', 'cannot sort by "name" as a whole'],
    ['nickName2', 'User', 'unknown attribute "nickName2"'],
  ] as const)('rejects %s on %s as invalidPath', (path, kind, detail) => {
    const result = sort(path, undefined, kind);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.scimType).toBe('invalidPath');
      expect(result.error.detail).toContain(detail);
    }
  });
});

// Paths spelled in random case, over every attribute a query might touch.
const KNOWN_PATHS = [
  'userName', 'name.givenName', 'displayName', 'active', 'emails', 'emails.value', 'emails.primary', 'phoneNumbers.type',
  'title', 'meta.created', 'meta.version', 'id', 'externalId', 'password', 'schemas', 'groups.value', 'groups.display',
  'members', 'members.type', 'employeeNumber', `${ENTERPRISE_USER}:manager.value`, 'x509Certificates.value', 'name',
];

const knownPath = fc
  .tuple(fc.constantFrom(...KNOWN_PATHS), fc.infiniteStream(fc.boolean()))
  .map(([path, upper]) => [...path].map((ch) => (upper.next().value ? ch.toUpperCase() : ch.toLowerCase())).join(''));

const CANONICAL_NAMES: ReadonlySet<string> = new Set(
  [USER_SCHEMA, ENTERPRISE_USER_SCHEMA, { id: 'common', attributes: COMMON_ATTRIBUTES }].flatMap((schema) => [
    schema.id,
    ...schema.attributes.flatMap((a) => [a.name, ...(a.subAttributes ?? []).map((s) => s.name)]),
  ]).concat('schemas'),
);

const anyValue = fc.oneof(fc.string(), fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean(), fc.constant(null), fc.constant('2020-01-01T00:00:00Z'));

const knownFilter: fc.Arbitrary<FilterNode> = fc
  .record({ path: knownPath, op: fc.constantFrom<CompareOp>('eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le'), value: anyValue })
  .map(({ path, op, value }): FilterNode => {
    const parsed = parseAttrPath(path);
    if (!parsed.ok) throw new Error(parsed.error.detail);
    return { type: 'comparison', attrPath: parsed.value, op, value };
  });

describe('filterToCondition: properties', () => {
  it('never throws on any syntax tree, and rejects only as invalidFilter', () => {
    fc.assert(
      fc.property(fc.oneof(filterNode, knownFilter), fc.constantFrom<ResourceKind>('User', 'Group'), (node, kind) => {
        const result = filterToCondition(node, kind);
        if (!result.ok) expect(result.error.scimType).toBe('invalidFilter');
      }),
    );
  });

  it('produces only canonical paths, whatever case the filter used', () => {
    fc.assert(
      fc.property(knownFilter, (node) => {
        const result = filterToCondition(node, 'User');
        if (!result.ok || result.value.kind !== 'compare') return;
        for (const segment of result.value.attr.path) expect(CANONICAL_NAMES).toContain(segment);
      }),
    );
  });
});
