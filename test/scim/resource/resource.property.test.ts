import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import {
  applyPatch,
  normalizeResource,
  parsePatchRequest,
  projectResource,
  type ResourceError,
  type ResourceKind,
  type ScimDocument,
} from '../../../src/scim/resource/index.ts';
import { GROUP_RESOURCE_SCHEMAS, USER_RESOURCE_SCHEMAS } from '../../../src/scim/schema/index.ts';
import { SELF_ID, storedGroup, storedUser } from './patch-helpers.ts';
import { anyBody, CUSTOM_URN, interestingPath, patchBodyArb, plausibleUser } from './arbitraries.ts';
import { GROUP_URN, USER_URN } from './support.ts';

const SCIM_TYPES = ['invalidFilter', 'tooMany', 'uniqueness', 'mutability', 'invalidSyntax', 'invalidPath', 'noTarget', 'invalidValue', 'invalidVers', 'sensitive'];


function expectWellFormed(error: ResourceError): void {
  expect([400, 409]).toContain(error.status);
  expect(SCIM_TYPES).toContain(error.scimType);
  expect(error.detail.length).toBeGreaterThan(0);
}

// toStrictEqual reads an own "constructor" key (which foreign extension data may have) as the
// object's class, so JSON text is the fairer comparison here.
function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function deepFreeze<T>(input: T): T {
  if (typeof input === 'object' && input !== null) {
    for (const item of Object.values(input)) deepFreeze(item);
    Object.freeze(input);
  }
  return input;
}

const stored: readonly (readonly [ResourceKind, () => ScimDocument])[] = [
  ['User', storedUser],
  ['User', () => ({ schemas: [USER_URN, CUSTOM_URN], userName: 'b', [CUSTOM_URN]: { costCode: 'X', a: { b: 1 } } })],
  ['Group', storedGroup],
];

describe('applyPatch, for any PATCH body', () => {
  it.each(stored)('%s: never throws, never mutates its input, and answers a canonical document or a SCIM error', (kind, make) => {
    const schemas = kind === 'User' ? USER_RESOURCE_SCHEMAS : GROUP_RESOURCE_SCHEMAS;
    fc.assert(
      fc.property(patchBodyArb, (body) => {
        const document = deepFreeze(make());
        const parsed = parsePatchRequest(body);
        if (!parsed.ok) {
          expectWellFormed(parsed.error);
          return;
        }
        const result = applyPatch(document, parsed.value, kind, schemas, { currentId: SELF_ID });
        expect(document).toStrictEqual(make());
        if (!result.ok) {
          expectWellFormed(result.error);
          return;
        }
        expect(result.value.document.schemas[0]).toBe(schemas.core.id);
        // The result passes the same checks as a PUT body and comes out unchanged.
        const again = normalizeResource(result.value.document, kind);
        expect(again.ok && sameJson(again.value.document, result.value.document)).toBe(true);
      }),
      { numRuns: 1500 },
    );
  });
});

describe('applyPatch on any valid stored user', () => {
  it('keeps every successful result valid and leaves the stored document alone', () => {
    fc.assert(
      fc.property(plausibleUser, patchBodyArb, (body, patchBody) => {
        const created = normalizeResource(body, 'User');
        const parsed = parsePatchRequest(patchBody);
        if (!created.ok || !parsed.ok) return;
        const document = deepFreeze(created.value.document);
        const snapshot = JSON.stringify(document);
        const result = applyPatch(document, parsed.value, 'User', USER_RESOURCE_SCHEMAS, { currentId: SELF_ID });
        expect(JSON.stringify(document)).toBe(snapshot);
        if (!result.ok) {
          expectWellFormed(result.error);
          return;
        }
        const again = normalizeResource(result.value.document, 'User');
        expect(again.ok && sameJson(again.value.document, result.value.document)).toBe(true);
      }),
      { numRuns: 1500 },
    );
  });
});

describe('normalizeResource, for any body', () => {
  it.each<ResourceKind>(['User', 'Group'])('%s: never throws, and its output is a fixed point', (kind) => {
    fc.assert(
      fc.property(anyBody, (body) => {
        const result = normalizeResource(body, kind);
        if (!result.ok) {
          expectWellFormed(result.error);
          return;
        }
        const { document } = result.value;
        expect(document.schemas[0]).toBe(kind === 'User' ? USER_URN : GROUP_URN);
        expect(document).not.toHaveProperty('password');
        expect(document).not.toHaveProperty('members');
        const again = normalizeResource(document, kind);
        expect(again.ok && sameJson(again.value.document, document)).toBe(true);
      }),
      { numRuns: 1500 },
    );
  });
});

describe('projectResource, for any stored user and query', () => {
  it('never throws, never returns the password, always returns the id', () => {
    const names = fc.array(interestingPath.map((path) => path.replace(/\[.*$/, '')), { maxLength: 4 });
    fc.assert(
      fc.property(plausibleUser, names, names, (body, attributes, excluded) => {
        const normalized = normalizeResource(body, 'User');
        if (!normalized.ok) return;
        const full = { ...normalized.value.document, id: 'u1', password: 'secret' };
        const toPaths = (list: string[]) => list.map((text) => {
          const colon = text.lastIndexOf(':');
          const rest = colon < 0 ? text : text.slice(colon + 1);
          const [attr = '', subAttr] = rest.split('.');
          return { ...(colon >= 0 && { schema: text.slice(0, colon) }), attr, ...(subAttr !== undefined && { subAttr }) };
        });
        const projected = projectResource(full, USER_RESOURCE_SCHEMAS, { attributes: toPaths(attributes), excludedAttributes: toPaths(excluded) });
        expect(projected['id']).toBe('u1');
        expect(projected).not.toHaveProperty('password');
      }),
      { numRuns: 500 },
    );
  });
});
