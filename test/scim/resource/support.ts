// Shared helpers for the resource engine tests: result unwrapping and the README's matching rules.
import { expect } from 'vitest';

import type { ResourceResult } from '../../../src/scim/resource/index.ts';

export const USER_URN = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const GROUP_URN = 'urn:ietf:params:scim:schemas:core:2.0:Group';
export const ENTERPRISE_URN = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
export const PATCH_URN = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

export function valueOf<T>(result: ResourceResult<T>): T {
  if (!result.ok) throw new Error(`expected success, got ${result.error.scimType}: ${result.error.detail}`);
  return result.value;
}

/** Asserts a 400 (or given status) with the scimType, and that `detail` mentions `mentions`. */
export function expectError<T>(
  result: ResourceResult<T>,
  scimType: string,
  mentions?: string,
  status = 400,
): void {
  expect(result.ok, result.ok ? `expected ${scimType}, got success` : result.error.detail).toBe(false);
  if (result.ok) return;
  expect(result.error.scimType).toBe(scimType);
  expect(result.error.status).toBe(status);
  if (mentions !== undefined) expect(result.error.detail).toContain(mentions);
}

export function patchBody(...operations: unknown[]): unknown {
  return { schemas: [PATCH_URN], Operations: operations };
}

/**
 * scim-examples/README.md "Matching the response": expected objects list a subset of keys,
 * arrays match element for element in any order, null means absent. Returns the first mismatch.
 */
export function mismatch(expected: unknown, actual: unknown, at = 'body'): string | undefined {
  if (expected === null) return isAbsent(actual) ? undefined : `${at}: expected absent, got ${JSON.stringify(actual)}`;
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual) || actual.length !== expected.length) {
      return `${at}: expected ${expected.length} elements, got ${JSON.stringify(actual)}`;
    }
    const used = new Set<number>();
    for (const [i, item] of expected.entries()) {
      const match = actual.findIndex((candidate, j) => !used.has(j) && mismatch(item, candidate) === undefined);
      if (match < 0) return `${at}[${i}]: no element matches ${JSON.stringify(item)} in ${JSON.stringify(actual)}`;
      used.add(match);
    }
    return undefined;
  }
  if (typeof expected === 'object') {
    if (typeof actual !== 'object' || actual === null || Array.isArray(actual)) {
      return `${at}: expected an object, got ${JSON.stringify(actual)}`;
    }
    for (const [key, item] of Object.entries(expected)) {
      const found = mismatch(item, (actual as Record<string, unknown>)[key], `${at}.${key}`);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  return expected === actual ? undefined : `${at}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`;
}

export function isAbsent(value: unknown): boolean {
  return value === undefined || value === null || (Array.isArray(value) && value.length === 0);
}

/** The README's path syntax: dot-separated, a `urn:` segment runs to the path's last colon. */
export function readPath(root: unknown, path: string): unknown {
  const segments: string[] = [];
  let rest = path;
  while (rest !== '') {
    if (rest.startsWith('urn:')) {
      const colon = rest.lastIndexOf(':');
      segments.push(rest.slice(0, colon));
      rest = rest.slice(colon + 1);
      continue;
    }
    const dot = rest.indexOf('.');
    const head = dot < 0 ? rest : rest.slice(0, dot);
    segments.push(head);
    rest = dot < 0 ? '' : rest.slice(dot + 1);
  }
  let current = root;
  for (const segment of segments) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[segment];
  }
  return current;
}
