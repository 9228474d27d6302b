import { describe, expect, it } from 'vitest';

import { parseFilter, type FilterNode } from '../../../src/scim/filter/index.ts';
import { and, cmp, CORE_USER, ENTERPRISE_USER, not, or, path, pr, vp } from './builders.ts';

type Case = readonly [filter: string, expected: FilterNode];

function expectParsed(filter: string, expected: FilterNode): void {
  expect(parseFilter(filter)).toStrictEqual({ ok: true, value: expected });
}

const LAST_MODIFIED = '2011-05-13T04:42:34Z';

// Every example filter of RFC 7644 §3.4.2.2, in the order printed there.
const RFC_7644_EXAMPLES: readonly Case[] = [
  ['userName eq "bjensen"', cmp('userName', 'eq', 'bjensen')],
  ['name.familyName co "O\'Malley"', cmp('name.familyName', 'co', "O'Malley")],
  ['userName sw "J"', cmp('userName', 'sw', 'J')],
  [`${CORE_USER}:userName sw "J"`, cmp(path('userName', CORE_USER), 'sw', 'J')],
  ['title pr', pr('title')],
  [`meta.lastModified gt "${LAST_MODIFIED}"`, cmp('meta.lastModified', 'gt', LAST_MODIFIED)],
  [`meta.lastModified ge "${LAST_MODIFIED}"`, cmp('meta.lastModified', 'ge', LAST_MODIFIED)],
  [`meta.lastModified lt "${LAST_MODIFIED}"`, cmp('meta.lastModified', 'lt', LAST_MODIFIED)],
  [`meta.lastModified le "${LAST_MODIFIED}"`, cmp('meta.lastModified', 'le', LAST_MODIFIED)],
  ['title pr and userType eq "Employee"', and(pr('title'), cmp('userType', 'eq', 'Employee'))],
  ['title pr or userType eq "Intern"', or(pr('title'), cmp('userType', 'eq', 'Intern'))],
  [`schemas eq "${ENTERPRISE_USER}"`, cmp('schemas', 'eq', ENTERPRISE_USER)],
  [
    'userType eq "Employee" and (emails co "example.com" or emails.value co "example.org")',
    and(
      cmp('userType', 'eq', 'Employee'),
      or(cmp('emails', 'co', 'example.com'), cmp('emails.value', 'co', 'example.org')),
    ),
  ],
  [
    'userType ne "Employee" and not (emails co "example.com" or emails.value co "example.org")',
    and(
      cmp('userType', 'ne', 'Employee'),
      not(or(cmp('emails', 'co', 'example.com'), cmp('emails.value', 'co', 'example.org'))),
    ),
  ],
  [
    'userType eq "Employee" and (emails.type eq "work")',
    and(cmp('userType', 'eq', 'Employee'), cmp('emails.type', 'eq', 'work')),
  ],
  [
    'userType eq "Employee" and emails[type eq "work" and value co "@example.com"]',
    and(
      cmp('userType', 'eq', 'Employee'),
      vp('emails', and(cmp('type', 'eq', 'work'), cmp('value', 'co', '@example.com'))),
    ),
  ],
  [
    'emails[type eq "work" and value co "@example.com"] or ims[type eq "xmpp" and value co "@foo.com"]',
    or(
      vp('emails', and(cmp('type', 'eq', 'work'), cmp('value', 'co', '@example.com'))),
      vp('ims', and(cmp('type', 'eq', 'xmpp'), cmp('value', 'co', '@foo.com'))),
    ),
  ],
  // §3.4.2.2 on case: "the following two expressions will evaluate to the same logical value".
  ['userName Eq "john"', cmp('userName', 'eq', 'john')],
  ['Username eq "john"', cmp('Username', 'eq', 'john')],
  // §3.4.3, the SearchRequest example.
  ['displayName sw "smith"', cmp('displayName', 'sw', 'smith')],
];

// What Okta and Microsoft Entra ID send when they look up users and groups.
const IDP_FILTERS: readonly Case[] = [
  ['userName eq "jane@acme.com"', cmp('userName', 'eq', 'jane@acme.com')],
  ['userName eq "6b3fd9d1-7c9e-4a3c-8a0e-3b9c7a1f5e42"', cmp('userName', 'eq', '6b3fd9d1-7c9e-4a3c-8a0e-3b9c7a1f5e42')],
  ['externalId eq "5f4b1f1e-0a47-4c41-9a8c-1d2e3f4a5b6c"', cmp('externalId', 'eq', '5f4b1f1e-0a47-4c41-9a8c-1d2e3f4a5b6c')],
  [
    'emails[type eq "work"].value eq "x@y.com"',
    vp('emails', cmp('type', 'eq', 'work'), cmp('value', 'eq', 'x@y.com')),
  ],
  ['members[value eq "2819c223"]', vp('members', cmp('value', 'eq', '2819c223'))],
  ['displayName eq "Sales & Marketing"', cmp('displayName', 'eq', 'Sales & Marketing')],
  [
    `${ENTERPRISE_USER}:employeeNumber eq "701984"`,
    cmp(path('employeeNumber', ENTERPRISE_USER), 'eq', '701984'),
  ],
  [
    `${CORE_USER}:name.givenName eq "Barbara"`,
    cmp(path('name.givenName', CORE_USER), 'eq', 'Barbara'),
  ],
  [`${ENTERPRISE_USER}:manager.value eq "26118915"`, cmp(path('manager.value', ENTERPRISE_USER), 'eq', '26118915')],
  ['members.$ref pr', pr('members.$ref')],
  ['members[$ref eq "https://example.com/v2/Users/1"]', vp('members', cmp('$ref', 'eq', 'https://example.com/v2/Users/1'))],
];

describe('parseFilter: RFC 7644 §3.4.2.2 examples', () => {
  it.each(RFC_7644_EXAMPLES)('%s', expectParsed);

  it('reads the examples as the RFC prints them, wrapped over lines', () => {
    expectParsed(
      'userType ne "Employee" and not (emails co "example.com" or\n  emails.value co "example.org")',
      and(
        cmp('userType', 'ne', 'Employee'),
        not(or(cmp('emails', 'co', 'example.com'), cmp('emails.value', 'co', 'example.org'))),
      ),
    );
    expectParsed(
      'emails[type eq "work" and\r\n\tvalue co "@example.com"]',
      vp('emails', and(cmp('type', 'eq', 'work'), cmp('value', 'co', '@example.com'))),
    );
  });
});

describe('parseFilter: what Okta and Entra ID send', () => {
  it.each(IDP_FILTERS)('%s', expectParsed);
});

describe('parseFilter: precedence', () => {
  const a = pr('a');
  const b = pr('b');
  const c = pr('c');
  const d = pr('d');
  it.each<Case>([
    ['a pr or b pr and c pr', or(a, and(b, c))],
    ['a pr and b pr or c pr', or(and(a, b), c)],
    ['a pr and b pr or c pr and d pr', or(and(a, b), and(c, d))],
    ['a pr or b pr or c pr', or(or(a, b), c)],
    ['a pr and b pr and c pr', and(and(a, b), c)],
    ['(a pr or b pr) and c pr', and(or(a, b), c)],
    ['a pr and (b pr or c pr)', and(a, or(b, c))],
    ['a pr or (b pr or c pr)', or(a, or(b, c))],
    ['not (a pr) and b pr', and(not(a), b)],
    ['not (a pr) or b pr and c pr', or(not(a), and(b, c))],
    ['not (a pr or b pr) and c pr', and(not(or(a, b)), c)],
    ['not (not (a pr))', not(not(a))],
    ['((a pr))', a],
    ['(((a pr) and ((b pr))))', and(a, b)],
    ['x[a pr or b pr and c pr]', vp('x', or(a, and(b, c)))],
    ['x[(a pr or b pr) and not (c pr)]', vp('x', and(or(a, b), not(c)))],
    ['x[a pr] and y pr or z pr', or(and(vp('x', a), pr('y')), pr('z'))],
  ])('%s', expectParsed);
});

describe('parseFilter: keywords are case-insensitive, names are kept as written', () => {
  it.each<Case>([
    ['userName EQ "x"', cmp('userName', 'eq', 'x')],
    ['USERNAME eq "x"', cmp('USERNAME', 'eq', 'x')],
    ['title PR And userType Eq "Employee"', and(pr('title'), cmp('userType', 'eq', 'Employee'))],
    ['a Pr OR b pR', or(pr('a'), pr('b'))],
    ['NOT (a pr)', not(pr('a'))],
    ['Not(a pr)', not(pr('a'))],
    ['active eq TRUE', cmp('active', 'eq', true)],
    ['active eq False', cmp('active', 'eq', false)],
    ['manager eq NULL', cmp('manager', 'eq', null)],
    ['Emails[Type EQ "work"].Value Eq "x"', vp('Emails', cmp('Type', 'eq', 'work'), cmp('Value', 'eq', 'x'))],
    [
      'URN:IETF:PARAMS:SCIM:SCHEMAS:CORE:2.0:USER:userName eq "x"',
      cmp(path('userName', 'URN:IETF:PARAMS:SCIM:SCHEMAS:CORE:2.0:USER'), 'eq', 'x'),
    ],
  ])('%s', expectParsed);

  it.each(['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le'] as const)('accepts the operator %s', (op) => {
    expectParsed(`a ${op} "v"`, cmp('a', op, 'v'));
    expectParsed(`a ${op.toUpperCase()} "v"`, cmp('a', op, 'v'));
  });
});

describe('parseFilter: values', () => {
  it.each<readonly [string, unknown]>([
    ['"plain"', 'plain'],
    ['""', ''],
    ['"say \\"hi\\""', 'say "hi"'],
    ['"back\\\\slash"', 'back\\slash'],
    ['"\\u0041\\u00e9\\u00E9"', 'Aéé'],
    ['"\\ud83d\\ude00"', '😀'],
    ['"😀 ünïcödé"', '😀 ünïcödé'],
    ['"a\\/b"', 'a/b'],
    ['"\\b\\f\\n\\r\\t"', '\b\f\n\r\t'],
    ['"100% _under_"', '100% _under_'],
    ['"(not) [and] or"', '(not) [and] or'],
    ['0', 0],
    ['42', 42],
    ['-7', -7],
    ['3.25', 3.25],
    ['-0.5', -0.5],
    ['1e3', 1000],
    ['2.5E-2', 0.025],
    ['1e+2', 100],
    ['true', true],
    ['false', false],
    ['null', null],
  ])('a eq %s', (literal, value) => {
    expect(parseFilter(`a eq ${literal}`)).toStrictEqual({ ok: true, value: { type: 'comparison', attrPath: { attr: 'a' }, op: 'eq', value } });
  });

  it('allows numbers and strings with gt, ge, lt and le', () => {
    expectParsed('meta.version gt 3', cmp('meta.version', 'gt', 3));
    expectParsed('x le -1.5e2', cmp('x', 'le', -150));
  });

  it('allows booleans and null with the other operators', () => {
    expectParsed('active ne false', cmp('active', 'ne', false));
    expectParsed('nickName eq null', cmp('nickName', 'eq', null));
  });
});

describe('parseFilter: spacing', () => {
  it.each<Case>([
    ['  userName eq "x"  ', cmp('userName', 'eq', 'x')],
    ['userName eq"x"', cmp('userName', 'eq', 'x')],
    ['(a pr)and(b pr)', and(pr('a'), pr('b'))],
    ['not(a pr)', not(pr('a'))],
    ['emails[ type eq "work" ]', vp('emails', cmp('type', 'eq', 'work'))],
    ['a   eq \t 1', cmp('a', 'eq', 1)],
  ])('%j', expectParsed);
});

describe('parseFilter: limits', () => {
  const nested = (levels: number): string => `${'('.repeat(levels)}a pr${')'.repeat(levels)}`;

  it('accepts 32 levels of nesting by default and refuses 33', () => {
    expect(parseFilter(nested(32)).ok).toBe(true);
    expect(parseFilter(nested(33))).toStrictEqual({
      ok: false,
      error: { scimType: 'invalidFilter', detail: 'the filter nests deeper than 32 levels at position 32' },
    });
  });

  it('counts "not (" and "[" as levels', () => {
    expect(parseFilter('not (x[a pr])', { maxDepth: 2 }).ok).toBe(true);
    expect(parseFilter('(not (x[a pr]))', { maxDepth: 2 })).toStrictEqual({
      ok: false,
      error: { scimType: 'invalidFilter', detail: 'the filter nests deeper than 2 levels at position 7' },
    });
  });

  it('takes the depth limit from the options', () => {
    expect(parseFilter(nested(3), { maxDepth: 3 }).ok).toBe(true);
    expect(parseFilter(nested(4), { maxDepth: 3 }).ok).toBe(false);
    expect(parseFilter('a pr', { maxDepth: 0 }).ok).toBe(true);
    expect(parseFilter('(a pr)', { maxDepth: 0 }).ok).toBe(false);
  });

  it('refuses input longer than 4096 characters by default, before reading it', () => {
    const exact = `a eq "${'x'.repeat(4096 - 7)}"`;
    expect(exact).toHaveLength(4096);
    expect(parseFilter(exact).ok).toBe(true);
    expect(parseFilter(`${exact} `)).toStrictEqual({
      ok: false,
      error: { scimType: 'invalidFilter', detail: 'the filter is 4097 characters long; at most 4096 are accepted' },
    });
  });

  it('takes the length limit from the options', () => {
    expect(parseFilter('userName eq "x"', { maxLength: 15 }).ok).toBe(true);
    expect(parseFilter('userName eq "x"', { maxLength: 14 }).ok).toBe(false);
  });

  it('handles a long flat chain without deep recursion', () => {
    const chain = Array.from({ length: 300 }, (_, i) => `a${i} pr`).join(' and ');
    const result = parseFilter(chain);
    expect(result.ok).toBe(true);
  });
});
