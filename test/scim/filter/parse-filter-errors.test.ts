import { describe, expect, it } from 'vitest';

import { parseFilter } from '../../../src/scim/filter/index.ts';

type ErrorCase = readonly [filter: string, detail: string];

function expectInvalid(filter: string, detail: string): void {
  expect(parseFilter(filter)).toStrictEqual({ ok: false, error: { scimType: 'invalidFilter', detail } });
}

const OPERATOR_EXPECTED = 'expected a comparison operator (eq, ne, co, sw, ew, gt, ge, lt, le) or "pr"';
const ORDERING = 'gt, ge, lt and le need a string or number value';

describe('parseFilter rejects, saying what and where', () => {
  describe('incomplete expressions', () => {
    it.each<ErrorCase>([
      ['', 'the filter is empty'],
      ['  \n ', 'the filter is empty'],
      ['userName', `${OPERATOR_EXPECTED} after "userName" at position 8, found the end of the filter`],
      ['userName eq', 'expected a comparison value after "eq" at position 11, found the end of the filter'],
      ['userName eq ', 'expected a comparison value after "eq" at position 12, found the end of the filter'],
      ['a co', 'expected a comparison value after "co" at position 4, found the end of the filter'],
      ['a eq "x" and b eq', 'expected a comparison value after "eq" at position 17, found the end of the filter'],
      ['a pr and', 'expected an attribute path, "(" or "not" at position 8, found the end of the filter'],
      ['userName eq "x" or', 'expected an attribute path, "(" or "not" at position 18, found the end of the filter'],
      ['()', 'expected an attribute path, "(" or "not" at position 1, found ")"'],
    ])('%j', expectInvalid);
  });

  describe('operators and values in the wrong place', () => {
    it.each<ErrorCase>([
      [
        'userName eq bjensen',
        'expected a comparison value after "eq" at position 12, found "bjensen" (strings are written in double quotes)',
      ],
      ['userName equals "x"', `${OPERATOR_EXPECTED} after "userName" at position 9, found "equals"`],
      ['userName = "x"', 'unexpected character "=" at position 9'],
      ['eq "x"', 'expected an attribute path, "(" or "not" at position 0, found "eq"'],
      ['and a pr', 'expected an attribute path, "(" or "not" at position 0, found "and"'],
      ['a pr or or b pr', 'expected an attribute path, "(" or "not" at position 8, found "or"'],
      ['a ne ne "x"', 'expected a comparison value after "ne" at position 5, found "ne"'],
      ['a pr b pr', 'expected "and", "or" or the end of the filter at position 5, found "b"'],
      ['(a pr) (b pr)', 'expected "and", "or" or the end of the filter at position 7, found "("'],
      ['a eq "x" "y"', 'expected "and", "or" or the end of the filter at position 9, found the string "y"'],
      ['a eq [1]', 'expected a comparison value after "eq" at position 5, found "["'],
      ['a eq {"x":1}', 'unexpected character "{" at position 5'],
    ])('%j', expectInvalid);
  });

  describe('"pr" takes no value', () => {
    it.each<ErrorCase>([
      ['title pr "x"', '"pr" at position 6 takes no value, found the string "x" at position 9'],
      ['title pr true', '"pr" at position 6 takes no value, found "true" at position 9'],
      ['title PR 42', '"PR" at position 6 takes no value, found the number 42 at position 9'],
      ['title pr null', '"pr" at position 6 takes no value, found "null" at position 9'],
    ])('%j', expectInvalid);
  });

  describe('gt, ge, lt and le with booleans or null', () => {
    it.each<ErrorCase>([
      ['active gt true', `"gt" at position 7 cannot compare with true; ${ORDERING}`],
      ['active LE False', `"LE" at position 7 cannot compare with false; ${ORDERING}`],
      ['manager ge null', `"ge" at position 8 cannot compare with null; ${ORDERING}`],
      ['emails[primary lt true]', `"lt" at position 15 cannot compare with true; ${ORDERING}`],
    ])('%j', expectInvalid);
  });

  describe('not', () => {
    it.each<ErrorCase>([
      ['not title pr', 'expected "(" after "not" at position 4, found "title"; write not (…)'],
      ['not', 'expected "(" after "not" at position 3, found the end of the filter; write not (…)'],
      ['a pr and NOT b pr', 'expected "(" after "NOT" at position 13, found "b"; write not (…)'],
      ['emails[not]', 'expected "(" after "not" at position 10, found "]"; write not (…)'],
      ['not (a pr', 'missing ")" to close the "(" at position 4'],
    ])('%j', expectInvalid);
  });

  describe('parentheses', () => {
    it.each<ErrorCase>([
      ['(a pr', 'missing ")" to close the "(" at position 0'],
      ['((a pr)', 'missing ")" to close the "(" at position 0'],
      ['a pr)', 'unexpected ")" at position 4 without a matching "("'],
      ['(a pr))', 'unexpected ")" at position 6 without a matching "("'],
      ['(a pr]', 'expected "and", "or" or ")" at position 5 (closing the "(" at position 0), found "]"'],
    ])('%j', expectInvalid);
  });

  describe('value filters', () => {
    it.each<ErrorCase>([
      ['emails[type eq "work"', 'missing "]" to close the "[" at position 6'],
      ['emails[]', 'expected an attribute path, "(" or "not" at position 7, found "]"'],
      ['x[a pr) ', 'expected "and", "or" or "]" at position 6 (closing the "[" at position 1), found ")"'],
      ['a eq "x" ]', 'unexpected "]" at position 9 without a matching "["'],
      [
        'emails[type[value eq "x"]]',
        'value filters cannot be nested: "[" at position 11 is inside the "[" at position 6',
      ],
      [
        'emails[type eq "work" and addresses[type pr]]',
        'value filters cannot be nested: "[" at position 35 is inside the "[" at position 6',
      ],
      [
        'emails[type eq "work"][value pr]',
        'expected "and", "or" or the end of the filter at position 22, found "["',
      ],
      [
        'emails[name.x eq "x"]',
        '"name.x" at position 7 cannot be used inside "emails[…]": name a sub-attribute of "emails" directly, such as "type" or "value"',
      ],
      [
        'emails[urn:ietf:params:scim:schemas:core:2.0:User:type eq "x"]',
        '"urn:ietf:params:scim:schemas:core:2.0:User:type" at position 7 cannot be used inside "emails[…]": name a sub-attribute of "emails" directly, such as "type" or "value"',
      ],
      [
        'name.givenName[value pr]',
        '"[" at position 14 follows the sub-attribute "name.givenName"; a value filter applies to a multi-valued attribute such as "emails"',
      ],
      [
        'emails[type eq "work"].',
        'expected a sub-attribute name right after "emails[…]." at position 23, found the end of the filter',
      ],
      [
        'emails[type eq "work"] .value eq "x"',
        'unexpected space before "." at position 23; write "emails[…].name"',
      ],
      [
        'emails[type eq "work"].value[primary eq true]',
        `${OPERATOR_EXPECTED} after "emails[…].value" at position 28, found "["`,
      ],
      [
        'emails[type eq "work"]. value eq "x"',
        'expected a sub-attribute name right after "emails[…]." at position 23, found "value"',
      ],
      [
        'emails[type eq "work"].value.display eq "x"',
        'expected a sub-attribute name right after "emails[…]." at position 23, found "value.display"',
      ],
      [
        'emails[type eq "work"].value',
        `${OPERATOR_EXPECTED} after "emails[…].value" at position 28, found the end of the filter`,
      ],
      [
        'emails[type eq "work"] value eq "x"',
        'expected "and", "or" or the end of the filter at position 23, found "value"',
      ],
    ])('%j', expectInvalid);
  });

  describe('string literals', () => {
    it.each<ErrorCase>([
      ['a eq "unterminated', 'unterminated string starting at position 5'],
      ['a eq "ends with \\', 'unterminated escape "\\" at position 16'],
      [
        'a eq "bad \\x escape"',
        'invalid escape "\\x" at position 10; a string allows \\" \\\\ \\/ \\b \\f \\n \\r \\t and \\uXXXX',
      ],
      ['a eq "\\u12"', 'invalid escape at position 6: "\\u" must be followed by four hexadecimal digits'],
      ['a eq "\\u12G4"', 'invalid escape at position 6: "\\u" must be followed by four hexadecimal digits'],
      ['a eq "tab\there"', 'control character U+0009 at position 9 must be escaped inside a string'],
      ['a eq "line\nbreak"', 'control character U+000A at position 10 must be escaped inside a string'],
      ["a eq 'single'", 'unexpected character "\'" at position 5 (strings are written in straight double quotes)'],
      ['a eq “curly”', 'unexpected character "“" (U+201C) at position 5 (strings are written in straight double quotes)'],
      // Text no column can hold: refused here rather than run, whether escaped or raw.
      ['a eq "x\\u0000y"', 'the string starting at position 5 holds a NUL character (U+0000), which is not text'],
      ['a eq "\\ud800"', 'the string starting at position 5 holds an unpaired UTF-16 surrogate, which is not text'],
      ['a eq "\\ude00x"', 'the string starting at position 5 holds an unpaired UTF-16 surrogate, which is not text'],
      ['a eq "raw \ud800 half"', 'the string starting at position 5 holds an unpaired UTF-16 surrogate, which is not text'],
      ['emails[value eq "\\u0000"]', 'the string starting at position 16 holds a NUL character (U+0000), which is not text'],
    ])('%j', expectInvalid);
  });

  describe('number literals', () => {
    it.each<ErrorCase>([
      ['a eq 01', 'invalid number "01" at position 5'],
      ['a eq 1.', 'invalid number "1." at position 5'],
      ['a eq 1e', 'invalid number "1e" at position 5'],
      ['a eq -', 'invalid number "-" at position 5'],
      ['a eq 12abc', 'invalid number "12abc" at position 5'],
      ['a eq 1+2', 'invalid number "1+2" at position 5'],
      ['a eq .5', 'expected a comparison value after "eq" at position 5, found "."'],
      ['a eq +1', 'unexpected character "+" at position 5'],
      ['a eq 1e999', 'number "1e999" at position 5 is out of range'],
    ])('%j', expectInvalid);
  });

  describe('attribute paths', () => {
    it.each<ErrorCase>([
      [
        'a.b.c pr',
        'invalid attribute path "a.b.c" at position 0: an attribute path has at most one sub-attribute, as in "name.familyName"',
      ],
      ['name. pr', 'invalid attribute path "name." at position 0: an attribute name is missing around "."'],
      ['a..b pr', 'invalid attribute path "a..b" at position 0: an attribute name is missing around "."'],
      ['.name pr', 'expected an attribute path, "(" or "not" at position 0, found "."'],
      [
        'foo:bar eq 1',
        'invalid attribute path "foo:bar" at position 0: a schema prefix must be a URN starting with "urn:"',
      ],
      [
        'urn:ietf:params:scim:schemas:core:2.0:User: eq 1',
        'invalid attribute path "urn:ietf:params:scim:schemas:core:2.0:User:" at position 0: an attribute name must follow the schema URN',
      ],
      [
        'urn::x eq 1',
        'invalid attribute path "urn::x" at position 0: the schema URN "urn:" has an empty or malformed segment',
      ],
      [
        'a$b pr',
        'invalid attribute path "a$b" at position 0: "a$b" is not an attribute name (a letter, then letters, digits, "-" or "_")',
      ],
      ['1abc eq 1', 'invalid number "1abc" at position 0'],
      ['user#name eq 1', 'unexpected character "#" at position 4'],
      ['émail eq 1', 'unexpected character "é" (U+00E9) at position 0'],
      ['userName\u0000 eq "x"', 'unexpected character U+0000 at position 8'],
      ['userName\u00a0eq "x"', 'unexpected character U+00A0 at position 8'],
      ['userName eq "x" #', 'unexpected character "#" at position 16'],
    ])('%j', expectInvalid);
  });

  it('returns an error for input that is not a string', () => {
    expect(parseFilter(['a pr', 'b pr'] as unknown as string)).toStrictEqual({
      ok: false,
      error: { scimType: 'invalidFilter', detail: 'the filter must be a string' },
    });
  });
});
