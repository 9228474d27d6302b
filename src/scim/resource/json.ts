/**
 * Helpers for JSON data of unknown shape. Keys come from clients, so writes go through
 * {@link setOwn}: a plain assignment of `"__proto__"` would replace the object's prototype
 * instead of storing an attribute.
 */

export type JsonObject = Record<string, unknown>;

export function isPlainObject(value: unknown): value is JsonObject {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/**
 * Stores `value` as an own, enumerable property whatever `key` is. `__proto__` is the only key a
 * plain object inherits an accessor for, so every other key is assigned: defineProperty on every
 * key (as this once did) leaves V8 objects in their slow dictionary form, and a SCIM response is
 * built from thousands of such writes.
 */
export function setOwn(target: JsonObject, key: string, value: unknown): void {
  if (key === '__proto__') {
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  } else {
    target[key] = value;
  }
}

/** An own property only: `doc.constructor` must read as absent, not as `Object`. */
export function getOwn(target: JsonObject, key: string): unknown {
  return Object.hasOwn(target, key) ? target[key] : undefined;
}

/** The key of `target` equal to `name` ignoring case (attribute names are case-insensitive). */
export function findKey(target: JsonObject, name: string): string | undefined {
  if (Object.hasOwn(target, name)) return name;
  const lower = name.toLowerCase();
  return Object.keys(target).find((key) => key.toLowerCase() === lower);
}

/** A deep copy of JSON data; anything JSON cannot hold (functions, symbols) is left out. */
export function cloneJson(value: unknown): unknown {
  if (Array.isArray(value)) {
    return value.map((item) => {
      const copy = cloneJson(item);
      return copy === undefined ? null : copy;
    });
  }
  if (typeof value === 'object' && value !== null) {
    const copy: JsonObject = {};
    for (const [key, item] of Object.entries(value)) {
      const cloned = cloneJson(item);
      if (cloned !== undefined) setOwn(copy, key, cloned);
    }
    return copy;
  }
  if (typeof value === 'function' || typeof value === 'symbol' || typeof value === 'bigint') {
    return undefined;
  }
  return value;
}

/** Structural equality of JSON data; key order does not matter. */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    return Array.isArray(b) && a.length === b.length && a.every((item, i) => deepEqual(item, b[i]));
  }
  if (isPlainObject(a) && isPlainObject(b)) {
    const keys = Object.keys(a);
    if (keys.length !== Object.keys(b).length) return false;
    return keys.every((key) => Object.hasOwn(b, key) && deepEqual(a[key], b[key]));
  }
  return false;
}

/**
 * A text two JSON values share exactly when {@link deepEqual} holds between them (object keys
 * are written sorted), so a list can be de-duplicated or matched with a Set in one pass instead
 * of comparing every pair of elements.
 */
export function canonicalKey(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalKey).join(',')}]`;
  if (isPlainObject(value)) {
    const members = Object.keys(value)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonicalKey(value[key])}`);
    return `{${members.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'undefined';
}

/** Describes a value's JSON type for error messages. */
export function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return 'a string';
  if (typeof value === 'number') return 'a number';
  if (typeof value === 'boolean') return 'a boolean';
  return typeof value;
}

/** Deletes the key of `target` equal to `name` ignoring case, if there is one. */
export function deleteKey(target: JsonObject, name: string): void {
  const key = findKey(target, name);
  if (key !== undefined) delete target[key];
}
