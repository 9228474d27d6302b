/**
 * The one place attribute values are checked against their definitions (RFC 7643 §2.3, §2.4,
 * §7). POST, PUT and the result of every PATCH pass through here, so a value that one path
 * accepts is never rejected by another.
 *
 * A check returns the canonical value, or `undefined` for "no value": RFC 7643 §2.5 makes `null`
 * and `[]` equivalent to an unassigned attribute, and Microsoft Entra ID sends `""` for
 * attributes it has no data for, so `""` is no value too. Whether a missing value is allowed is
 * the caller's question (only it knows whether the attribute is required).
 */
import type { AttributeDefinition } from '../schema/index.ts';
import { isXsdDateTime } from './datetime.ts';
import { canonicalKey, isPlainObject, jsonType, setOwn, type JsonObject } from './json.ts';
import type { ResolvedLimits } from './limits.ts';
import { fault } from './result.ts';

/** Canonical form of `raw` for `definition`, single- or multi-valued; `undefined` for no value. */
export function checkAttributeValue(
  definition: AttributeDefinition,
  raw: unknown,
  label: string,
  limits: ResolvedLimits,
): unknown {
  return definition.multiValued
    ? checkMultiValued(definition, raw, label, limits)
    : checkSingle(definition, raw, label, limits);
}

/** One element of a multi-valued attribute (the value of `emails[type eq "work"]`). */
export function checkElement(
  definition: AttributeDefinition,
  raw: unknown,
  label: string,
  limits: ResolvedLimits,
): unknown {
  return checkSingle(definition, raw, label, limits);
}

/**
 * Collapses exact duplicates and enforces RFC 7643 §2.4's "primary true at most once"; the list
 * is already made of canonical elements.
 */
function finishList(
  elements: readonly unknown[],
  label: string,
  limits: ResolvedLimits,
): unknown[] | undefined {
  const unique: unknown[] = [];
  const seen = new Set<string>();
  for (const element of elements) {
    const key = canonicalKey(element);
    if (seen.has(key)) continue;
    seen.add(key);
    unique.push(element);
  }
  if (unique.length > limits.maxMultiValuedEntries) {
    fault(
      'tooMany',
      `"${label}" has ${unique.length} values; at most ${limits.maxMultiValuedEntries} are accepted`,
    );
  }
  const primaries = unique.filter((element) => isPlainObject(element) && element['primary'] === true);
  if (primaries.length > 1) {
    fault('invalidValue', `"${label}" has ${primaries.length} values marked primary; at most one may be`);
  }
  return unique.length === 0 ? undefined : unique;
}

function checkMultiValued(
  definition: AttributeDefinition,
  raw: unknown,
  label: string,
  limits: ResolvedLimits,
): unknown[] | undefined {
  if (raw === null || raw === undefined) return undefined;
  // A lone element where a list is expected can only mean a list of one; rejecting it would
  // fail a client over a shape whose meaning is not in doubt.
  const list = Array.isArray(raw) ? raw : [raw];
  if (list.length > limits.maxMultiValuedEntries) {
    fault(
      'tooMany',
      `"${label}" has ${list.length} values; at most ${limits.maxMultiValuedEntries} are accepted`,
    );
  }
  const elements: unknown[] = [];
  list.forEach((item, i) => {
    const element = checkSingle(definition, item, `${label}[${i}]`, limits);
    if (element !== undefined) elements.push(element);
  });
  return finishList(elements, label, limits);
}

function checkSingle(
  definition: AttributeDefinition,
  raw: unknown,
  label: string,
  limits: ResolvedLimits,
): unknown {
  if (raw === null || raw === undefined || raw === '') return undefined;
  switch (definition.type) {
    case 'string':
    case 'reference':
      return checkString(raw, label, limits.maxStringLength);
    case 'binary':
      return checkBinary(raw, label, limits.maxBinaryLength);
    case 'dateTime': {
      const text = checkString(raw, label, limits.maxStringLength);
      if (!isXsdDateTime(text)) {
        fault('invalidValue', `"${label}" must be an xsd:dateTime such as "2024-05-01T09:30:00Z"`);
      }
      return text;
    }
    case 'boolean':
      return checkBoolean(raw, label);
    case 'integer':
      if (typeof raw !== 'number' || !Number.isSafeInteger(raw)) {
        fault('invalidValue', `"${label}" must be an integer, not ${jsonType(raw)}`);
      }
      return raw;
    case 'decimal':
      if (typeof raw !== 'number' || !Number.isFinite(raw)) {
        fault('invalidValue', `"${label}" must be a number, not ${jsonType(raw)}`);
      }
      return raw;
    case 'complex':
      return checkComplex(definition, raw, label, limits);
  }
}

function checkString(raw: unknown, label: string, maxLength: number): string {
  if (typeof raw !== 'string') fault('invalidValue', `"${label}" must be a string, not ${jsonType(raw)}`);
  if (raw.length > maxLength) {
    fault('invalidValue', `"${label}" is ${raw.length} characters long; at most ${maxLength} are accepted`);
  }
  return raw;
}

// Standard base64, optionally wrapped over several lines as PEM bodies are.
const BASE64 = /^(?:[A-Za-z0-9+/]{4}|\r?\n)*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function checkBinary(raw: unknown, label: string, maxLength: number): string {
  const text = checkString(raw, label, maxLength);
  if (!BASE64.test(text)) fault('invalidValue', `"${label}" must be base64-encoded`);
  return text;
}

function checkBoolean(raw: unknown, label: string): boolean {
  if (typeof raw === 'boolean') return raw;
  // Microsoft Entra ID sends "True" and "False" unless the tenant opts in to real booleans.
  if (typeof raw === 'string') {
    const lower = raw.toLowerCase();
    if (lower === 'true') return true;
    if (lower === 'false') return false;
  }
  return fault('invalidValue', `"${label}" must be true or false, not ${describe(raw)}`);
}

function checkComplex(
  definition: AttributeDefinition,
  raw: unknown,
  label: string,
  limits: ResolvedLimits,
): JsonObject | undefined {
  const subAttributes = definition.subAttributes ?? [];
  const valueSub = subAttributes.find((sub) => sub.name === 'value');
  // Microsoft Entra ID sends the enterprise `manager` as the manager's id alone; for a
  // single-valued complex attribute with a `value`, a bare string can mean nothing else.
  const input =
    typeof raw === 'string' && !definition.multiValued && valueSub !== undefined ? { value: raw } : raw;
  if (!isPlainObject(input)) {
    fault('invalidValue', `"${label}" must be an object with sub-attributes, not ${jsonType(raw)}`);
  }
  const values = new Map<string, unknown>();
  const seen = new Map<string, string>();
  for (const [key, item] of Object.entries(input)) {
    const sub = subAttributes.find((candidate) => candidate.name.toLowerCase() === key.toLowerCase());
    if (sub === undefined) {
      fault('invalidSyntax', `"${label}" has no sub-attribute "${key}"`);
    }
    const earlier = seen.get(sub.name);
    if (earlier !== undefined) {
      fault('invalidSyntax', `"${label}" gives "${sub.name}" twice, as "${earlier}" and "${key}"`);
    }
    seen.set(sub.name, key);
    // RFC 7644 §3.3: readOnly values sent by a client are ignored, not rejected.
    if (sub.mutability === 'readOnly') continue;
    const value = checkAttributeValue(sub, item, `${label}.${sub.name}`, limits);
    if (value !== undefined) values.set(sub.name, value);
  }
  if (values.size === 0) return undefined;
  // Schema order, whatever order the client used: equal values then serialize equally.
  const out: JsonObject = {};
  for (const sub of subAttributes) {
    if (values.has(sub.name)) setOwn(out, sub.name, values.get(sub.name));
  }
  return out;
}

function describe(raw: unknown): string {
  return typeof raw === 'string' ? JSON.stringify(raw.length > 40 ? `${raw.slice(0, 37)}...` : raw) : jsonType(raw);
}
