import { describe, expect, it } from 'vitest';

import { tokenize, type Token } from '../../../src/scim/filter/tokenizer.ts';
import { CORE_USER, ENTERPRISE_USER } from './builders.ts';

function tokensOf(input: string): readonly Token[] {
  const result = tokenize(input);
  if (!result.ok) throw new Error(`expected tokens for ${input}: ${result.detail}`);
  return result.tokens;
}

/** kind:text pairs, enough to see how the input was cut. */
function shape(input: string): string[] {
  return tokensOf(input).map((token) => `${token.kind}:${token.text}`);
}

describe('tokenize', () => {
  it('cuts a comparison into path, operator and value, with positions', () => {
    expect(tokensOf('userName eq "bjensen"')).toStrictEqual([
      { kind: 'attrPath', text: 'userName', path: { attr: 'userName' }, start: 0, end: 8 },
      { kind: 'compareOp', text: 'eq', op: 'eq', start: 9, end: 11 },
      { kind: 'string', text: '"bjensen"', value: 'bjensen', start: 12, end: 21 },
      { kind: 'end', text: '', start: 21, end: 21 },
    ]);
  });

  it('reads a schema-qualified path as one token and splits it at the last colon', () => {
    const [first] = tokensOf(`${CORE_USER}:name.givenName pr`);
    expect(first).toMatchObject({
      kind: 'attrPath',
      path: { schema: CORE_USER, attr: 'name', subAttr: 'givenName' },
      start: 0,
    });
    const [manager] = tokensOf(`${ENTERPRISE_USER}:employeeNumber eq "1"`);
    expect(manager).toMatchObject({ path: { schema: ENTERPRISE_USER, attr: 'employeeNumber' } });
  });

  it('keeps $ref as a name', () => {
    expect(tokensOf('members.$ref pr')[0]).toMatchObject({ path: { attr: 'members', subAttr: '$ref' } });
  });

  it('recognises every keyword whatever its case and keeps the text as written', () => {
    expect(shape('a EQ 1 And b Ne 2 OR NOT (c pR) and d co "x" and e sw "x" and f ew "x"')).toContain('compareOp:EQ');
    const ops = tokensOf('a eq 1 ne 2 co 3 sw 4 ew 5 gt 6 ge 7 lt 8 le 9').flatMap((token) =>
      token.kind === 'compareOp' ? [token.op] : [],
    );
    expect(ops).toStrictEqual(['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le']);
    expect(shape('And OR Not PR')).toStrictEqual(['and:And', 'or:OR', 'not:Not', 'pr:PR', 'end:']);
  });

  it('reads true, false and null in any case', () => {
    expect(tokensOf('TRUE False nUlL').slice(0, 3)).toMatchObject([
      { kind: 'boolean', value: true },
      { kind: 'boolean', value: false },
      { kind: 'null' },
    ]);
  });

  it('reads JSON numbers', () => {
    const values = tokensOf('0 -0 7 -12 3.5 1e3 1E-2 -2.5e+3').flatMap((token) => (token.kind === 'number' ? [token.value] : []));
    expect(values).toStrictEqual([0, -0, 7, -12, 3.5, 1000, 0.01, -2500]);
  });

  it('decodes string escapes', () => {
    const [token] = tokensOf('"a\\"b\\\\c\\/d\\u0041\\n"');
    expect(token).toMatchObject({ kind: 'string', value: 'a"b\\c/dA\n', text: '"a\\"b\\\\c\\/d\\u0041\\n"' });
  });

  it('separates punctuation, including the "." after "]"', () => {
    expect(shape('emails[type eq "work"].value eq "x"')).toStrictEqual([
      'attrPath:emails',
      '[:[',
      'attrPath:type',
      'compareOp:eq',
      'string:"work"',
      ']:]',
      '.:.',
      'attrPath:value',
      'compareOp:eq',
      'string:"x"',
      'end:',
    ]);
    expect(shape('not(a pr)')).toStrictEqual(['not:not', '(:(', 'attrPath:a', 'pr:pr', '):)', 'end:']);
  });

  it('skips spaces, tabs and line breaks', () => {
    expect(shape(' \t a \r\n pr ')).toStrictEqual(['attrPath:a', 'pr:pr', 'end:']);
    expect(tokensOf('  ').at(-1)).toStrictEqual({ kind: 'end', text: '', start: 2, end: 2 });
  });

  it('reports the first lexical error with its position', () => {
    expect(tokenize('a eq "x" and b eq @')).toStrictEqual({ ok: false, detail: 'unexpected character "@" at position 18' });
  });
});
