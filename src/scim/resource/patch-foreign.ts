/**
 * PATCH on data under an extension URN the schemas do not define. That data is stored as sent,
 * so it is written as sent: there is no schema to check it against, and names keep the spelling
 * already stored (compared ignoring case) so one attribute never ends up under two keys.
 */
import { cloneJson, deleteKey, findKey, getOwn, isPlainObject, jsonType, setOwn, type JsonObject } from './json.ts';
import type { PatchOpName } from './patch-request.ts';
import type { ForeignTarget } from './patch-target.ts';
import { fault } from './result.ts';

export function applyToForeign(document: JsonObject, op: PatchOpName, target: ForeignTarget, value: unknown): void {
  const { urn, attr, subAttr } = target;
  if (attr !== undefined) {
    setForeign(document, urn, [attr, ...(subAttr === undefined ? [] : [subAttr])], op === 'remove' ? null : value);
    return;
  }
  if (op === 'remove' || value === null) {
    // Adding nothing changes nothing; replacing or removing the whole object clears it.
    if (op !== 'add') deleteKey(document, urn);
    return;
  }
  if (!isPlainObject(value)) {
    fault('invalidValue', `${target.label}: the value must be an object, not ${jsonType(value)}`);
  }
  for (const [key, item] of Object.entries(value)) setForeign(document, urn, [key], item);
}

/** Sets (or, for `null`, deletes) the value at `names` inside the object under `urn`. */
function setForeign(document: JsonObject, urn: string, names: readonly string[], value: unknown): void {
  const key = findKey(document, urn) ?? urn;
  const updated = setPath(getOwn(document, key), names, value);
  if (updated === undefined) deleteKey(document, urn);
  else setOwn(document, key, updated);
}

/**
 * `container` with `names` set, changed in place (the document is the request's own copy, made
 * once by applyPatch, so no operation pays for copying what it does not touch); undefined when
 * nothing is left in it.
 */
function setPath(container: unknown, names: readonly string[], value: unknown): JsonObject | undefined {
  const [name, ...rest] = names;
  const object: JsonObject = isPlainObject(container) ? container : {};
  if (name === undefined) return object;
  const key = findKey(object, name) ?? name;
  const leaf = value === null || value === undefined ? undefined : cloneJson(value);
  const next = rest.length === 0 ? leaf : setPath(getOwn(object, key), rest, value);
  if (next === undefined) delete object[key];
  else setOwn(object, key, next);
  return Object.keys(object).length === 0 ? undefined : object;
}
