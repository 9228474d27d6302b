/**
 * RFC 7643 §2.2 "immutable": a value may be given once, at creation or when the attribute has
 * none, and never changed afterwards. Checked by comparing the stored document with the new one,
 * so it holds whichever operations led there.
 */
import type { AttributeDefinition, ResourceSchemas } from '../schema/index.ts';
import { deepEqual, findKey, getOwn, isPlainObject, type JsonObject } from './json.ts';
import { fault, guard, type ResourceResult } from './result.ts';

/**
 * Fails with 400 `mutability` when `after` changes or removes an immutable attribute (or an
 * immutable sub-attribute of a single-valued complex attribute) that `before` had a value for.
 * For a PUT handler as much as for PATCH.
 */
export function checkImmutable(
  before: JsonObject,
  after: JsonObject,
  resourceSchemas: ResourceSchemas,
): ResourceResult<void> {
  return guard(() => assertImmutableKept(before, after, resourceSchemas));
}

export function assertImmutableKept(before: JsonObject, after: JsonObject, resourceSchemas: ResourceSchemas): void {
  compareAll(resourceSchemas.core.attributes, before, after, '');
  for (const extension of resourceSchemas.extensions) {
    const [old, next] = [container(before, extension.id), container(after, extension.id)];
    compareAll(extension.attributes, old, next, `${extension.id}:`);
  }
}

function compareAll(
  attributes: readonly AttributeDefinition[],
  before: JsonObject,
  after: JsonObject,
  prefix: string,
): void {
  for (const attribute of attributes) {
    const old = valueAt(before, attribute.name);
    const next = valueAt(after, attribute.name);
    if (attribute.mutability === 'immutable') {
      refuseChange(old, next, `${prefix}${attribute.name}`);
      continue;
    }
    if (attribute.type !== 'complex' || attribute.multiValued || !isPlainObject(old)) continue;
    for (const sub of attribute.subAttributes ?? []) {
      if (sub.mutability !== 'immutable') continue;
      const nextSub = isPlainObject(next) ? valueAt(next, sub.name) : undefined;
      refuseChange(valueAt(old, sub.name), nextSub, `${prefix}${attribute.name}.${sub.name}`);
    }
  }
}

function refuseChange(old: unknown, next: unknown, label: string): void {
  if (old === undefined || old === null || deepEqual(old, next)) return;
  fault('mutability', `"${label}" is immutable: it was set before and cannot be changed or removed`);
}

function container(document: JsonObject, urn: string): JsonObject {
  const value = valueAt(document, urn);
  return isPlainObject(value) ? value : {};
}

function valueAt(object: JsonObject, name: string): unknown {
  const key = findKey(object, name);
  return key === undefined ? undefined : getOwn(object, key);
}
