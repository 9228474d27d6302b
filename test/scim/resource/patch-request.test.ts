import { describe, expect, it } from 'vitest';

import { parsePatchRequest } from '../../../src/scim/resource/index.ts';
import { expectError, PATCH_URN, patchBody, valueOf } from './support.ts';

describe('parsePatchRequest: accepted messages', () => {
  it('reads ops in any case (Entra sends Add, Replace, Remove) and parses paths', () => {
    const operations = valueOf(
      parsePatchRequest(
        patchBody(
          { op: 'Add', path: 'nickName', value: 'Babs' },
          { op: 'REPLACE', path: 'emails[type eq "work"].value', value: 'b@example.com' },
          { op: 'Remove', path: 'members[value eq "u1"]' },
          { op: 'replace', value: { active: false } },
        ),
      ),
    );
    expect(operations.map((o) => o.op)).toStrictEqual(['add', 'replace', 'remove', 'replace']);
    expect(operations[1]?.path).toStrictEqual({
      type: 'valuePath',
      attrPath: { attr: 'emails' },
      filter: { type: 'comparison', attrPath: { attr: 'type' }, op: 'eq', value: 'work' },
      subAttr: 'value',
    });
    expect(operations[2]).not.toHaveProperty('value');
    expect(operations[3]).toStrictEqual({ op: 'replace', value: { active: false }, index: 3 });
  });

  it('keeps a null value (no value, RFC 7643 §2.5) and a remove that carries a value', () => {
    const operations = valueOf(
      parsePatchRequest(patchBody({ op: 'replace', path: 'title', value: null }, { op: 'Remove', path: 'members', value: [{ value: 'u1' }] })),
    );
    expect(operations[0]?.value).toBeNull();
    expect(operations[1]?.value).toStrictEqual([{ value: 'u1' }]);
  });

  it('accepts the PatchOp URN and member names in any case, and a null path as no path', () => {
    const result = parsePatchRequest({ SCHEMAS: [PATCH_URN.toUpperCase()], operations: [{ OP: 'add', Path: null, VALUE: { nickName: 'B' } }] });
    expect(valueOf(result)).toStrictEqual([{ op: 'add', value: { nickName: 'B' }, index: 0 }]);
  });
});

describe('parsePatchRequest: rejected messages', () => {
  it.each<readonly [string, unknown, string, string]>([
    ['not an object', 'remove everything', 'invalidSyntax', 'JSON object'],
    ['no schemas', { Operations: [{ op: 'add', value: {} }] }, 'invalidSyntax', PATCH_URN],
    ['the wrong schema', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], Operations: [{ op: 'add', value: {} }] }, 'invalidSyntax', PATCH_URN],
    ['no Operations', { schemas: [PATCH_URN] }, 'invalidSyntax', '"Operations"'],
    ['empty Operations', patchBody(), 'invalidSyntax', '"Operations"'],
    ['Operations not a list', { schemas: [PATCH_URN], Operations: { op: 'add' } }, 'invalidSyntax', '"Operations"'],
    ['an operation that is not an object', patchBody('add'), 'invalidSyntax', 'Operations[0]'],
    ['an unknown op, never ignored', patchBody({ op: 'add', path: 'nickName', value: 'x' }, { op: 'copy', path: 'nickName' }), 'invalidSyntax', 'Operations[1].op'],
    ['a missing op', patchBody({ path: 'nickName', value: 'x' }), 'invalidSyntax', 'Operations[0].op'],
    ['an op that is not a string', patchBody({ op: 1, path: 'nickName', value: 'x' }), 'invalidSyntax', 'Operations[0].op'],
    ['a malformed path', patchBody({ op: 'replace', path: 'emails[type eq]', value: 'x' }), 'invalidPath', 'Operations[0].path'],
    ['an empty path', patchBody({ op: 'replace', path: '', value: 'x' }), 'invalidPath', 'Operations[0].path'],
    ['a path that is not a string', patchBody({ op: 'replace', path: ['active'], value: true }), 'invalidPath', 'Operations[0].path'],
    ['remove without a path', patchBody({ op: 'remove' }), 'noTarget', 'Operations[0]'],
    ['remove with a null path', patchBody({ op: 'Remove', path: null }), 'noTarget', 'Operations[0]'],
    ['add without a value', patchBody({ op: 'add', path: 'nickName' }), 'invalidValue', 'Operations[0]'],
    ['replace without a value', patchBody({ op: 'replace' }), 'invalidValue', 'Operations[0]'],
  ])('%s', (_name, body, scimType, mentions) => {
    expectError(parsePatchRequest(body), scimType, mentions);
  });

  it('caps the number of operations: 400 tooMany past maxOperations', () => {
    const op = { op: 'replace', path: 'active', value: true };
    expect(parsePatchRequest(patchBody(op, op), { maxOperations: 2 }).ok).toBe(true);
    expectError(parsePatchRequest(patchBody(op, op, op), { maxOperations: 2 }), 'tooMany', 'at most 2');
    expect(parsePatchRequest(patchBody(...Array.from({ length: 1000 }, () => op))).ok).toBe(true);
    expectError(parsePatchRequest(patchBody(...Array.from({ length: 1001 }, () => op))), 'tooMany');
  });

  it('passes path limits on to the path parser', () => {
    expectError(parsePatchRequest(patchBody({ op: 'remove', path: 'emails' }), { path: { maxLength: 3 } }), 'invalidPath');
  });
});
