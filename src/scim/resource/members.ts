/**
 * Group members as clients send them (RFC 7643 §4.2), in POST, PUT and PATCH alike. Members are
 * not part of the stored document: the caller resolves the ids and keeps memberships itself.
 */
import type { MemberRef } from './document.ts';
import { findKey, isPlainObject, jsonType } from './json.ts';
import type { ResolvedLimits } from './limits.ts';
import { fault } from './result.ts';

const MEMBER_TYPES = new Map<string, 'User' | 'Group'>([
  ['user', 'User'],
  ['group', 'Group'],
]);

/**
 * The members listed in `raw`, each id once (the first mention wins). `null` and `[]` are an
 * empty list; a lone object is a list of one, as for any multi-valued attribute.
 */
export function parseMemberRefs(raw: unknown, label: string, limits: ResolvedLimits): MemberRef[] {
  if (raw === null || raw === undefined) return [];
  const list = Array.isArray(raw) ? raw : [raw];
  if (list.length > limits.maxMembers) {
    fault('tooMany', `"${label}" lists ${list.length} members; at most ${limits.maxMembers} are accepted per request`);
  }
  const members = new Map<string, MemberRef>();
  list.forEach((item, i) => {
    if (item === null) return;
    const member = parseMember(item, `${label}[${i}]`, limits);
    if (!members.has(member.value)) members.set(member.value, member);
  });
  return [...members.values()];
}

/** Only the member ids of `raw`, for a removal by value list (Microsoft Entra ID's shape). */
export function parseMemberValues(raw: unknown, label: string, limits: ResolvedLimits): string[] {
  return parseMemberRefs(raw, label, limits).map((member) => member.value);
}

function parseMember(item: unknown, label: string, limits: ResolvedLimits): MemberRef {
  if (!isPlainObject(item)) {
    fault('invalidValue', `"${label}" must be an object such as {"value": "<id>"}, not ${jsonType(item)}`);
  }
  for (const key of Object.keys(item)) {
    if (!['value', 'display', 'type', '$ref'].includes(key.toLowerCase())) {
      fault('invalidSyntax', `"${label}" has no sub-attribute "${key}"`);
    }
  }
  const value = stringAt(item, 'value', label, limits);
  if (value === undefined || value.trim() === '') {
    fault('invalidValue', `"${label}.value" must be the id of the member`);
  }
  // `$ref` follows from `value` and is rebuilt on output; it is only checked for type here.
  stringAt(item, '$ref', label, limits);
  const display = stringAt(item, 'display', label, limits);
  const typeText = stringAt(item, 'type', label, limits);
  const type = typeText === undefined ? undefined : MEMBER_TYPES.get(typeText.toLowerCase());
  if (typeText !== undefined && type === undefined) {
    fault('invalidValue', `"${label}.type" must be "User" or "Group", not ${JSON.stringify(typeText)}`);
  }
  return {
    value,
    ...(type !== undefined && { type }),
    ...(display !== undefined && { display }),
  };
}

function stringAt(
  item: Record<string, unknown>,
  name: string,
  label: string,
  limits: ResolvedLimits,
): string | undefined {
  const key = findKey(item, name);
  const raw = key === undefined ? undefined : item[key];
  if (raw === null || raw === undefined || raw === '') return undefined;
  if (typeof raw !== 'string') fault('invalidValue', `"${label}.${name}" must be a string, not ${jsonType(raw)}`);
  if (raw.length > limits.maxStringLength) {
    fault(
      'invalidValue',
      `"${label}.${name}" is ${raw.length} characters long; at most ${limits.maxStringLength} are accepted`,
    );
  }
  return raw;
}
