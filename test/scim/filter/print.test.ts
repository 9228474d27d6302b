import { describe, expect, it } from 'vitest';

import {
  parseFilter,
  printAttrPath,
  printCompValue,
  printFilter,
  type FilterNode,
} from '../../../src/scim/filter/index.ts';
import { and, cmp, ENTERPRISE_USER, not, or, path, pr, vp } from './builders.ts';

const a = pr('a');
const b = pr('b');
const c = pr('c');

describe('printFilter', () => {
  it.each<readonly [FilterNode, string]>([
    [or(a, and(b, c)), 'a pr or b pr and c pr'],
    [and(or(a, b), c), '(a pr or b pr) and c pr'],
    [and(a, or(b, c)), 'a pr and (b pr or c pr)'],
    [or(or(a, b), c), 'a pr or b pr or c pr'],
    [or(a, or(b, c)), 'a pr or (b pr or c pr)'],
    [and(a, and(b, c)), 'a pr and (b pr and c pr)'],
    [not(or(a, b)), 'not (a pr or b pr)'],
    [and(not(a), b), 'not (a pr) and b pr'],
    [vp('emails', and(cmp('type', 'eq', 'work'), cmp('value', 'co', '@acme.com'))), 'emails[type eq "work" and value co "@acme.com"]'],
    [vp('emails', cmp('type', 'eq', 'work'), cmp('value', 'eq', 'x@y.com')), 'emails[type eq "work"].value eq "x@y.com"'],
    [vp('emails', cmp('type', 'eq', 'work'), pr('display')), 'emails[type eq "work"].display pr'],
    [cmp(path('employeeNumber', ENTERPRISE_USER), 'eq', '1'), `${ENTERPRISE_USER}:employeeNumber eq "1"`],
    [cmp('name.familyName', 'co', 'O\'Malley "Jr" \\ 100%'), 'name.familyName co "O\'Malley \\"Jr\\" \\\\ 100%"'],
    [cmp('a', 'eq', null), 'a eq null'],
    [cmp('a', 'ne', false), 'a ne false'],
    [cmp('a', 'gt', 1e21), 'a gt 1e+21'],
  ])('%j prints as %s', (node, text) => {
    expect(printFilter(node)).toBe(text);
    expect(parseFilter(text)).toStrictEqual({ ok: true, value: node });
  });

  it('keeps the sign of negative zero', () => {
    expect(printCompValue(-0)).toBe('-0');
    const parsed = parseFilter(printFilter(cmp('a', 'eq', -0)));
    expect(parsed.ok && parsed.value.type === 'comparison' && Object.is(parsed.value.value, -0)).toBe(true);
  });
});

describe('printAttrPath', () => {
  it('writes paths back as they were read', () => {
    expect(printAttrPath(path('manager.value', ENTERPRISE_USER))).toBe(`${ENTERPRISE_USER}:manager.value`);
  });
});
