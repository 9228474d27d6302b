/**
 * add, replace and remove on one attribute the schemas define (RFC 7644 §3.5.2.1–3), writing
 * into `holder`: the document for core attributes, the extension's object otherwise. Values are
 * checked with the same rules as POST; the whole document is checked again after the last
 * operation.
 *
 * Each operation costs time in proportion to the values it touches plus those stored: lists are
 * matched through Sets of canonical keys, never by comparing every pair, and a multi-valued
 * attribute's size limit is checked by the operation that would pass it, so a request that piles
 * up values stops there instead of merging them all first.
 */
import type { AttributeDefinition } from '../schema/index.ts';
import { checkAttributeValue, checkElement } from './attribute-value.ts';
import { elementTemplate, matchesElement } from './element-filter.ts';
import { canonicalKey, deepEqual, findKey, getOwn, isPlainObject, setOwn, type JsonObject } from './json.ts';
import type { ResolvedLimits } from './limits.ts';
import type { PatchOpName } from './patch-request.ts';
import type { AttributeTarget } from './patch-target.ts';
import { fault } from './result.ts';

export function applyAttributeOp(
  holder: JsonObject,
  op: PatchOpName,
  target: AttributeTarget,
  value: unknown,
  limits: ResolvedLimits,
): void {
  const { attribute } = target;
  adoptCanonicalKey(holder, attribute.name);
  if (target.filter !== undefined) {
    applyToMatches(holder, op, target, value, limits);
  } else if (target.subAttribute !== undefined) {
    if (attribute.multiValued) applyToEverySub(holder, op, target, target.subAttribute, value, limits);
    else applyToSub(holder, op, target, target.subAttribute, value, limits);
  } else {
    applyToWhole(holder, op, target, value, limits);
  }
}

/** `path: "emails"`, `path: "name"`, `path: "active"`, or a pathless key. */
function applyToWhole(
  holder: JsonObject,
  op: PatchOpName,
  target: AttributeTarget,
  value: unknown,
  limits: ResolvedLimits,
): void {
  const { attribute, label } = target;
  const current = getOwn(holder, attribute.name);
  if (op === 'remove') {
    refuseRequired(attribute, label);
    if (attribute.multiValued && value !== undefined && value !== null && Array.isArray(current)) {
      // A remove that lists values (the shape Entra uses for members) drops just those.
      const given = asList(checkAttributeValue(attribute, value, label, limits));
      write(holder, attribute.name, withoutContaining(current, given));
      return;
    }
    delete holder[attribute.name];
    return;
  }

  const checked = checkAttributeValue(attribute, value, label, limits);
  if (checked === undefined) {
    // Adding nothing changes nothing; replacing with nothing clears (RFC 7643 §2.5).
    if (op === 'replace') {
      refuseRequired(attribute, label);
      delete holder[attribute.name];
    }
    return;
  }
  if (attribute.multiValued) {
    const added = asList(checked);
    const existing = op === 'add' && Array.isArray(current) ? current : [];
    const addedKeys = new Set(added.map(canonicalKey));
    const kept = existing.filter((element) => !addedKeys.has(canonicalKey(element)));
    writeList(holder, target, demoteOthers([...kept, ...added], added), limits);
    return;
  }
  // RFC 7644 §3.5.2.1 and §3.5.2.3: for a complex attribute both add and replace set the
  // sub-attributes given and leave the others as they were.
  write(holder, attribute.name, attribute.type === 'complex' ? mergeComplex(current, checked) : checked);
}

/** `path: "name.givenName"` on a single-valued complex attribute. */
function applyToSub(
  holder: JsonObject,
  op: PatchOpName,
  target: AttributeTarget,
  sub: AttributeDefinition,
  value: unknown,
  limits: ResolvedLimits,
): void {
  const current = getOwn(holder, target.attribute.name);
  const object: JsonObject = isPlainObject(current) ? { ...current } : {};
  if (op === 'remove') {
    delete object[sub.name];
  } else {
    const checked = checkAttributeValue(sub, value, target.label, limits);
    if (checked === undefined && op === 'add') return;
    setSub(object, sub, checked);
  }
  write(holder, target.attribute.name, object);
}

/**
 * `path: "emails.display"` with no filter: RFC 7644 leaves it open; it reads as every element's
 * sub-attribute, and on an empty list as a new element holding just that sub-attribute.
 */
function applyToEverySub(
  holder: JsonObject,
  op: PatchOpName,
  target: AttributeTarget,
  sub: AttributeDefinition,
  value: unknown,
  limits: ResolvedLimits,
): void {
  const elements = listAt(holder, target.attribute.name);
  if (op === 'remove') {
    write(holder, target.attribute.name, elements.map((element) => withoutSub(element, sub)));
    return;
  }
  const checked = checkAttributeValue(sub, value, target.label, limits);
  if (checked === undefined && op === 'add') return;
  if (elements.length === 0) {
    if (checked !== undefined) write(holder, target.attribute.name, [{ [sub.name]: checked }]);
    return;
  }
  const changed = elements.map((element) => withSub(element, sub, checked));
  writeList(holder, target, demoteOthers(changed, changed), limits);
}

/** `path: "emails[type eq \"work\"]"`, with or without a trailing sub-attribute. */
function applyToMatches(
  holder: JsonObject,
  op: PatchOpName,
  target: AttributeTarget,
  value: unknown,
  limits: ResolvedLimits,
): void {
  const { attribute, filter, subAttribute: sub, label } = target;
  if (filter === undefined) return;
  const elements = listAt(holder, attribute.name);
  const matched = new Set(elements.filter((element) => matchesElement(filter, element, attribute)));

  if (op === 'remove') {
    // Removing what is already gone succeeds: clients retry, and the end state is the one asked for.
    const next =
      sub === undefined
        ? elements.filter((element) => !matched.has(element))
        : elements.map((element) => (matched.has(element) ? withoutSub(element, sub) : element));
    write(holder, attribute.name, next);
    return;
  }

  const checked =
    sub === undefined ? checkElement(attribute, value, label, limits) : checkAttributeValue(sub, value, label, limits);
  if (matched.size === 0) {
    if (checked === undefined) return;
    // RFC 7644 §3.5.2.3 answers noTarget here. Microsoft Entra ID sends
    // `replace emails[type eq "work"].value` for users that have no work email yet and expects
    // the email to appear, so a filter that fully describes one element (only `eq` joined by
    // `and`) creates that element; any other filter still answers noTarget.
    const template = elementTemplate(filter, attribute, label, limits);
    if (template === undefined) {
      fault('noTarget', `${label}: no value of "${attribute.name}" matches the filter`);
    }
    const created = sub === undefined ? mergeComplex(template, checked) : { ...template, [sub.name]: checked };
    writeList(holder, target, demoteOthers([...elements, created], [created]), limits);
    return;
  }

  const touched: unknown[] = [];
  const next = elements.map((element) => {
    if (!matched.has(element)) return element;
    let changed: unknown;
    if (sub !== undefined) changed = withSub(element, sub, checked);
    else if (checked === undefined) changed = undefined;
    // RFC 7644 §3.5.2.3: replace swaps each matching value whole; add merges into it.
    else changed = op === 'replace' || attribute.type !== 'complex' ? checked : mergeComplex(element, checked);
    if (changed !== undefined) touched.push(changed);
    return changed;
  });
  writeList(holder, target, demoteOthers(next.filter((element) => element !== undefined), touched), limits);
}

/**
 * RFC 7644 §3.5.2: setting `primary` on one value sets it to false on every other value, so a
 * client can move the primary flag with one operation.
 */
function demoteOthers(elements: readonly unknown[], touched: readonly unknown[]): unknown[] {
  const promoted = touched.some((element) => isPlainObject(element) && element['primary'] === true);
  if (!promoted) return [...elements];
  const kept = new Set(touched);
  return elements.map((element) =>
    !kept.has(element) && isPlainObject(element) && element['primary'] === true
      ? { ...element, primary: false }
      : element,
  );
}

/**
 * Merges sub-attributes into a complex value. A `$ref` points at the same resource as `value`,
 * so a new `value` without a new `$ref` drops the old `$ref` rather than leave it pointing at the
 * previous manager or member.
 */
function mergeComplex(current: unknown, update: unknown): unknown {
  if (!isPlainObject(current) || !isPlainObject(update)) return update;
  const merged: JsonObject = { ...current, ...update };
  const newValue = Object.hasOwn(update, 'value') && !deepEqual(current['value'], update['value']);
  if (newValue && !Object.hasOwn(update, '$ref')) {
    delete merged['$ref'];
  }
  return merged;
}

function withSub(element: unknown, sub: AttributeDefinition, value: unknown): unknown {
  const object: JsonObject = isPlainObject(element) ? { ...element } : {};
  setSub(object, sub, value);
  return object;
}

function withoutSub(element: unknown, sub: AttributeDefinition): unknown {
  if (!isPlainObject(element)) return element;
  const object: JsonObject = { ...element };
  delete object[sub.name];
  return object;
}

function setSub(object: JsonObject, sub: AttributeDefinition, value: unknown): void {
  const before = object['value'];
  if (value === undefined) delete object[sub.name];
  else setOwn(object, sub.name, value);
  if (sub.name === 'value' && !deepEqual(before, value)) delete object['$ref'];
}

/**
 * The elements of `current` that contain no item of `given`. An element contains an item when it
 * has every sub-attribute the item gives, with the same value; an item that is not an object must
 * equal the element. Items are grouped by the sub-attribute names they give (a handful, bounded
 * by the schema), so each element is looked up once per group instead of against every item.
 */
function withoutContaining(current: readonly unknown[], given: readonly unknown[]): unknown[] {
  const whole = new Set<string>();
  const byNames = new Map<string, { names: string[]; values: Set<string> }>();
  for (const item of given) {
    if (!isPlainObject(item)) {
      whole.add(canonicalKey(item));
      continue;
    }
    const names = Object.keys(item).sort();
    const id = JSON.stringify(names);
    let group = byNames.get(id);
    if (group === undefined) {
      group = { names, values: new Set() };
      byNames.set(id, group);
    }
    group.values.add(canonicalKey(names.map((name) => item[name])));
  }
  const groups = [...byNames.values()];
  return current.filter((element) => {
    if (!isPlainObject(element)) return !whole.has(canonicalKey(element));
    return !groups.some(({ names, values }) =>
      values.has(canonicalKey(names.map((name) => (Object.hasOwn(element, name) ? element[name] : undefined)))),
    );
  });
}

function refuseRequired(attribute: AttributeDefinition, label: string): void {
  if (attribute.required) fault('invalidValue', `${label}: "${attribute.name}" is required and cannot be removed`);
}

function listAt(holder: JsonObject, name: string): unknown[] {
  const current = getOwn(holder, name);
  if (Array.isArray(current)) return current;
  return current === undefined || current === null ? [] : [current];
}

function asList(value: unknown): unknown[] {
  return Array.isArray(value) ? value : value === undefined ? [] : [value];
}

/**
 * Writes a multi-valued attribute, refusing at this operation a list longer than the limit: the
 * whole document is checked again at the end, but by then a request piling values up would have
 * merged them all.
 */
function writeList(holder: JsonObject, target: AttributeTarget, list: unknown[], limits: ResolvedLimits): void {
  if (list.length > limits.maxMultiValuedEntries) {
    fault(
      'tooMany',
      `${target.label}: "${target.attribute.name}" would hold ${list.length} values; at most ${limits.maxMultiValuedEntries} are accepted`,
    );
  }
  write(holder, target.attribute.name, list);
}

/** Empty objects and lists are no value (RFC 7643 §2.5), so they are removed, not stored. */
function write(holder: JsonObject, name: string, value: unknown): void {
  const empty =
    value === undefined ||
    (Array.isArray(value) && value.length === 0) ||
    (isPlainObject(value) && Object.keys(value).length === 0);
  if (empty) delete holder[name];
  else setOwn(holder, name, value);
}

/** A stored key in another spelling (`Emails`) is renamed, so one attribute never has two keys. */
function adoptCanonicalKey(holder: JsonObject, name: string): void {
  const key = findKey(holder, name);
  if (key === undefined || key === name) return;
  setOwn(holder, name, holder[key]);
  delete holder[key];
}
