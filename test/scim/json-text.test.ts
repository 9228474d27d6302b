import { describe, expect, it } from 'vitest';
import { excessiveNestingAt, unstorableTextIn } from '../../src/scim/json-text.ts';

describe('excessiveNestingAt', () => {
  it.each([
    ['[]', 1, undefined],
    ['[[]]', 1, 1],
    ['{"a":[{"b":1}]}', 3, undefined],
    ['{"a":[{"b":[1]}]}', 3, 11],
    // Brackets in strings, escaped quotes and escaped backslashes before a closing quote.
    ['["[[[", "\\"[[[", "\\\\", [1]]', 2, undefined],
    ['["\\\\", [[1]]]', 2, 8],
  ])('%s at most %i deep: %s', (text, depth, expected) => {
    expect(excessiveNestingAt(text, depth)).toBe(expected);
  });
});

describe('unstorableTextIn', () => {
  it('says where NUL or an unpaired surrogate is, in a value or a member name', () => {
    expect(unstorableTextIn({ a: ['ok', { b: 'x\u0000' }] })).toBe('the body at .a[1].b holds a NUL character (U+0000)');
    expect(unstorableTextIn({ a: { '\ud800': 1 } })).toBe('a member name in the body at .a holds an unpaired UTF-16 surrogate');
    expect(unstorableTextIn('\udc00')).toBe('the body holds an unpaired UTF-16 surrogate');
  });

  it('accepts surrogate pairs and every other character', () => {
    expect(unstorableTextIn({ emoji: '😀', controls: '\u0001\u001f', text: ['é', '\uffff'] })).toBeUndefined();
  });
});
