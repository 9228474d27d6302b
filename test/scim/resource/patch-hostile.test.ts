// PATCHes built to make the engine do work out of proportion to their size: many operations over
// long value lists. Each must give the right result, or the right 400 at the operation that
// passes a limit; how fast that happens is the benchmark's business, not this file's.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalKey, deepEqual } from '../../../src/scim/resource/json.ts';
import type { ScimDocument } from '../../../src/scim/resource/index.ts';
import { patch } from './patch-helpers.ts';
import { expectError, USER_URN, valueOf } from './support.ts';

const user = (extra: Record<string, unknown> = {}): ScimDocument => ({ schemas: [USER_URN], userName: 'bjensen', ...extra });
const emails = (from: number, count: number, type = 'work') =>
  Array.from({ length: count }, (_, i) => ({ value: `u${from + i}@example.com`, type }));

describe('hostile PATCHes of multi-valued attributes', () => {
  it('refuses 20 operations of 1,000 new emails each at the second operation, which passes the limit', () => {
    const operations = Array.from({ length: 20 }, (_, i) => ({ op: 'add', path: 'emails', value: emails(i * 1000, 1000) }));
    expectError(patch(user(), 'User', operations), 'tooMany', 'Operations[1] ("emails"): "emails" would hold 2000 values; at most 1000');
  });

  it('merges 90 operations that add the same 1,000 emails into those 1,000, once each', () => {
    const list = emails(0, 1000);
    const operations = Array.from({ length: 90 }, () => ({ op: 'add', path: 'emails', value: list }));
    const result = valueOf(patch(user(), 'User', operations)).document;
    expect(result['emails']).toStrictEqual(list);
  });

  it('applies 90 operations that each add 1,000 emails and remove them again by value list', () => {
    const stored = user({ emails: emails(0, 500, 'home') });
    const operations = Array.from({ length: 45 }, (_, i) => [
      { op: 'add', path: 'emails', value: emails(10_000 + i * 1000, 500) },
      { op: 'remove', path: 'emails', value: emails(10_000 + i * 1000, 500).map(({ value }) => ({ value })) },
    ]).flat();
    expect(valueOf(patch(stored, 'User', operations)).document).toStrictEqual(stored);
  });

  it('refuses a limit at the operation that passes it, whichever kind of operation that is', () => {
    const options = { maxMultiValuedEntries: 3 };
    const two = [{ op: 'add', path: 'emails', value: emails(0, 2) }];
    expectError(patch(user(), 'User', [...two, { op: 'add', path: 'emails', value: emails(5, 1) }, { op: 'add', path: 'emails', value: emails(9, 1) }], options), 'tooMany', 'Operations[2]');
    // A value filter that creates the element it describes (Entra's shape) counts too.
    const full = user({ emails: emails(0, 3) });
    expectError(patch(full, 'User', [{ op: 'replace', path: 'emails[type eq "home"].value', value: 'h@example.com' }], options), 'tooMany', 'Operations[0]');
    // Re-adding values already held adds nothing, so it passes no limit.
    expect(valueOf(patch(full, 'User', [{ op: 'add', path: 'emails', value: emails(0, 3) }], options)).document).toStrictEqual(full);
  });

  it('removes by value list exactly the values that hold every sub-attribute given', () => {
    const stored = user({
      emails: [
        { value: 'a@example.com', type: 'work' },
        { value: 'a@example.com', type: 'home' },
        { value: 'b@example.com', type: 'work', primary: true },
        { value: 'c@example.com' },
      ],
    });
    const removed = (value: unknown) => valueOf(patch(stored, 'User', [{ op: 'remove', path: 'emails', value }])).document['emails'];
    expect(removed([{ value: 'a@example.com' }])).toStrictEqual([{ value: 'b@example.com', type: 'work', primary: true }, { value: 'c@example.com' }]);
    expect(removed([{ value: 'a@example.com', type: 'home' }, { type: 'work', primary: true }])).toStrictEqual([
      { value: 'a@example.com', type: 'work' },
      { value: 'c@example.com' },
    ]);
    expect(removed([{ type: 'other' }])).toStrictEqual(stored['emails']);
  });

  it('collapses duplicates spelled with their sub-attributes in another order', () => {
    const operations = [{ op: 'add', path: 'emails', value: [{ type: 'work', value: 'x@example.com' }, { value: 'x@example.com', type: 'work' }] }];
    expect(valueOf(patch(user(), 'User', operations)).document['emails']).toStrictEqual([{ value: 'x@example.com', type: 'work' }]);
  });
});

describe('canonicalKey', () => {
  it('is shared by two JSON values exactly when they are deeply equal', () => {
    const json = fc.jsonValue({ maxDepth: 3 });
    const shuffled = json.map((value) => JSON.parse(JSON.stringify(value, (_key, item: unknown) => reverseKeys(item))) as unknown);
    fc.assert(
      fc.property(json, json, (a, b) => {
        expect(canonicalKey(a) === canonicalKey(b)).toBe(deepEqual(a, b));
      }),
    );
    fc.assert(
      fc.property(json, (a) => {
        const b = JSON.parse(JSON.stringify(a, (_key, item: unknown) => reverseKeys(item))) as unknown;
        expect(canonicalKey(a)).toBe(canonicalKey(b));
      }),
    );
    fc.assert(
      fc.property(shuffled, shuffled, (a, b) => {
        expect(canonicalKey(a) === canonicalKey(b)).toBe(deepEqual(a, b));
      }),
    );
  });
});

function reverseKeys(value: unknown): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  return Object.fromEntries(Object.entries(value).reverse());
}
