/**
 * Value filters inside PATCH paths (`emails[type eq "work"]`, RFC 7644 §3.5.2): checking one
 * against the attribute it selects from, and evaluating it on one element in memory. Inside the
 * brackets every attribute path names a sub-attribute of an element; for a multi-valued attribute
 * without sub-attributes, `value` names the element itself.
 */
import type { CompareOp, ComparisonNode, CompValue, FilterNode } from '../filter/index.ts';
import { findSubAttribute, type AttributeDefinition } from '../schema/index.ts';
import { checkAttributeValue } from './attribute-value.ts';
import { isPlainObject, setOwn, type JsonObject } from './json.ts';
import type { ResolvedLimits } from './limits.ts';
import { fault } from './result.ts';

/**
 * `filter` with each sub-attribute spelled as the schema spells it, or an `invalidPath` fault
 * when it names something `owner` does not have.
 */
export function bindElementFilter(filter: FilterNode, owner: AttributeDefinition, label: string): FilterNode {
  switch (filter.type) {
    case 'comparison':
    case 'presence': {
      const definition = subDefinition(owner, filter.attrPath.attr);
      if (definition === undefined || filter.attrPath.schema !== undefined || filter.attrPath.subAttr !== undefined) {
        fault(
          'invalidPath',
          `"${owner.name}" has no sub-attribute "${filter.attrPath.attr}" to filter on in "${label}"`,
        );
      }
      return { ...filter, attrPath: { attr: definition.name } };
    }
    case 'logical':
      return {
        ...filter,
        left: bindElementFilter(filter.left, owner, label),
        right: bindElementFilter(filter.right, owner, label),
      };
    case 'not':
      return { ...filter, filter: bindElementFilter(filter.filter, owner, label) };
    case 'valuePath':
      return fault('invalidPath', `value filters cannot be nested, as in "${label}"`);
  }
}

/** Whether one element of `owner` passes a filter already bound by {@link bindElementFilter}. */
export function matchesElement(filter: FilterNode, element: unknown, owner: AttributeDefinition): boolean {
  switch (filter.type) {
    case 'comparison': {
      const definition = subDefinition(owner, filter.attrPath.attr);
      return definition !== undefined && compare(filter, valueOf(element, owner, definition), definition);
    }
    case 'presence': {
      const definition = subDefinition(owner, filter.attrPath.attr);
      return definition !== undefined && hasValue(valueOf(element, owner, definition));
    }
    case 'logical':
      return filter.op === 'and'
        ? matchesElement(filter.left, element, owner) && matchesElement(filter.right, element, owner)
        : matchesElement(filter.left, element, owner) || matchesElement(filter.right, element, owner);
    case 'not':
      return !matchesElement(filter.filter, element, owner);
    case 'valuePath':
      return false;
  }
}

/**
 * The element a filter describes when it is nothing but `eq` comparisons joined by `and`
 * (`type eq "work"`, `type eq "work" and primary eq true`): the one shape from which a missing
 * element can be built without guessing. Undefined for any other filter.
 */
export function elementTemplate(
  filter: FilterNode,
  owner: AttributeDefinition,
  label: string,
  limits: ResolvedLimits,
): JsonObject | undefined {
  const equalities = collectEqualities(filter);
  if (equalities === undefined || owner.subAttributes === undefined) return undefined;
  const template: JsonObject = {};
  for (const { attrPath, value } of equalities) {
    const definition = subDefinition(owner, attrPath.attr);
    if (definition === undefined || value === null) return undefined;
    const checked = checkAttributeValue(definition, value, `${label}.${definition.name}`, limits);
    if (checked === undefined) return undefined;
    // `type eq "work" and type eq "home"` describes no element at all.
    if (Object.hasOwn(template, definition.name) && template[definition.name] !== checked) return undefined;
    setOwn(template, definition.name, checked);
  }
  return template;
}

function collectEqualities(filter: FilterNode): ComparisonNode[] | undefined {
  if (filter.type === 'comparison') return filter.op === 'eq' ? [filter] : undefined;
  if (filter.type !== 'logical' || filter.op !== 'and') return undefined;
  const left = collectEqualities(filter.left);
  const right = collectEqualities(filter.right);
  return left && right && [...left, ...right];
}

function subDefinition(owner: AttributeDefinition, name: string): AttributeDefinition | undefined {
  if (owner.subAttributes === undefined) return name.toLowerCase() === 'value' ? owner : undefined;
  return findSubAttribute(owner, name);
}

function valueOf(element: unknown, owner: AttributeDefinition, definition: AttributeDefinition): unknown {
  if (definition === owner) return element;
  return isPlainObject(element) && Object.hasOwn(element, definition.name) ? element[definition.name] : undefined;
}

function hasValue(value: unknown): boolean {
  if (value === undefined || value === null || value === '') return false;
  return !(Array.isArray(value) && value.length === 0);
}

function compare(node: ComparisonNode, actual: unknown, definition: AttributeDefinition): boolean {
  const { op, value: expected } = node;
  if (expected === null || !hasValue(actual)) {
    const bothAbsent = expected === null && !hasValue(actual);
    return op === 'eq' ? bothAbsent : op === 'ne' ? !bothAbsent : false;
  }
  const left = comparable(actual, definition);
  const right = comparable(expected, definition);
  if (left === undefined || right === undefined || typeof left !== typeof right) return op === 'ne';
  return applyOp(op, left, right);
}

/** Values as they compare: case-folded unless caseExact, dateTimes as instants. */
function comparable(value: unknown, definition: AttributeDefinition): string | number | boolean | undefined {
  if (typeof value === 'boolean' || typeof value === 'number') return value;
  if (typeof value !== 'string') return undefined;
  if (definition.type === 'dateTime') {
    const time = Date.parse(value);
    return Number.isNaN(time) ? undefined : time;
  }
  return definition.caseExact ? value : value.toLowerCase();
}

function applyOp(op: CompareOp, left: Exclude<CompValue, null>, right: Exclude<CompValue, null>): boolean {
  switch (op) {
    case 'eq':
      return left === right;
    case 'ne':
      return left !== right;
    case 'co':
      return typeof left === 'string' && typeof right === 'string' && left.includes(right);
    case 'sw':
      return typeof left === 'string' && typeof right === 'string' && left.startsWith(right);
    case 'ew':
      return typeof left === 'string' && typeof right === 'string' && left.endsWith(right);
    case 'gt':
      return typeof left !== 'boolean' && left > right;
    case 'ge':
      return typeof left !== 'boolean' && left >= right;
    case 'lt':
      return typeof left !== 'boolean' && left < right;
    case 'le':
      return typeof left !== 'boolean' && left <= right;
  }
}
