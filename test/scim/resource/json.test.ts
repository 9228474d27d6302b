import { describe, expect, it } from 'vitest';
import { cloneJson, setOwn, type JsonObject } from '../../../src/scim/resource/json.ts';

describe('setOwn', () => {
  it('stores "__proto__" as an own attribute and leaves the prototype alone', () => {
    const target: JsonObject = {};
    setOwn(target, '__proto__', { polluted: true });
    expect(Object.getPrototypeOf(target)).toBe(Object.prototype);
    expect(Object.hasOwn(target, '__proto__')).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(JSON.stringify(target)).toBe('{"__proto__":{"polluted":true}}');
  });

  it('stores every other key as an own, enumerable, writable property, replacing an earlier value', () => {
    const target: JsonObject = {};
    for (const key of ['constructor', 'toString', 'hasOwnProperty', 'valueOf', 'userName']) setOwn(target, key, key.length);
    setOwn(target, 'userName', 'again');
    expect(Object.keys(target)).toEqual(['constructor', 'toString', 'hasOwnProperty', 'valueOf', 'userName']);
    expect(target.constructor).toBe(11);
    expect(target.userName).toBe('again');
    expect(Object.getOwnPropertyDescriptor(target, 'toString')).toEqual({ value: 8, enumerable: true, writable: true, configurable: true });
  });

  it('is what cloneJson copies with: a "__proto__" key survives a deep copy as data', () => {
    const source = JSON.parse('{"a":{"__proto__":{"x":1},"b":[{"__proto__":2}]}}') as unknown;
    const copy = cloneJson(source) as JsonObject;
    expect(JSON.stringify(copy)).toBe(JSON.stringify(source));
    expect(Object.getPrototypeOf(copy.a)).toBe(Object.prototype);
  });
});
