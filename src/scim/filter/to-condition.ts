/**
 * Binds a parsed filter, or a `sortBy` path, to the schemas of a resource type and produces the
 * domain's query (directory/resource-query.ts). This is where a filter's attribute names meet the
 * schema; everything that cannot be queried is answered here, with the attribute named.
 *
 * - Names and schema URNs compare case-insensitively and come out spelled as the schema spells
 *   them; an unqualified name not in the core schema falls back to the one extension defining it.
 * - Besides the schema's attributes: `id`, `externalId`, `meta.created`, `meta.lastModified`,
 *   `meta.resourceType` and `schemas`. `meta.location` and `meta.version` are derived, not stored,
 *   and `password` is never returned: filtering on them is an invalidFilter.
 * - Group `members` can be queried by `value` and `type`, User `groups` by `value`: those are
 *   what the membership tables hold.
 * - A comparison on a complex attribute means its `value` sub-attribute (`emails co "x"` is
 *   `emails.value co "x"`, RFC 7644 §3.4.2.2); without one it is an invalidFilter.
 * - Values must suit the attribute's type: a string for strings and references, a number for
 *   integer (a whole one) and decimal, true or false for booleans, an xsd:dateTime for
 *   dateTimes. Booleans also accept the strings "true" and "false" in any case, the one quoted
 *   form whose meaning is beyond doubt. `co`, `sw` and `ew` apply to text only; `gt`, `ge`, `lt`
 *   and `le` not to booleans or binaries (RFC 7644 §3.4.2.2).
 * - `attr[filter]` on a multi-valued attribute asks for one element meeting the whole filter; on a
 *   single-valued complex attribute (`name[givenName eq "x"]`) it tests that attribute's parts.
 */
import type { AttributeRef, Condition, ResourceKind, SortSpec } from '../../directory/index.ts';
import { comparableDateTime } from '../../directory/resource-query/index.ts';
import {
  findSubAttribute,
  GROUP_RESOURCE_SCHEMAS,
  resolvePath,
  USER_RESOURCE_SCHEMAS,
  type AttributeDefinition,
  type ResourceSchemas,
} from '../schema/index.ts';
import type { AttrPath, CompareOp, CompValue, ComparisonNode, FilterNode, PresenceNode, ValuePathNode } from './ast.ts';
import { printAttrPath, printCompValue } from './print.ts';
import type { ParseResult } from './result.ts';

/**
 * The domain condition for `node` on resources of `kind`, or an invalidFilter naming what is
 * wrong. Never throws on any syntax tree the parser produces.
 */
export function filterToCondition(node: FilterNode, kind: ResourceKind): ParseResult<Condition, 'invalidFilter'> {
  try {
    return { ok: true, value: bindFilter(node, kind) };
  } catch (error) {
    if (error instanceof BindError) return { ok: false, error: { scimType: 'invalidFilter', detail: error.message } };
    throw error;
  }
}

/**
 * The domain sort for `sortBy` and `sortOrder` (RFC 7644 §3.4.2.3; ascending unless told), or an
 * invalidPath, the scimType parseAttrPath gives a malformed `sortBy`. A complex attribute sorts
 * by its `value`; `members` and `groups` cannot be sorted by.
 */
export function sortByToSpec(
  path: AttrPath,
  order: 'ascending' | 'descending' | undefined,
  kind: ResourceKind,
): ParseResult<SortSpec, 'invalidPath'> {
  try {
    const bound = bind(path, kind, 'sortBy');
    if (bound.path[0] === RELATIONAL[kind].name) {
      throw new BindError(`cannot sort by "${printAttrPath(path)}": it has a value for each member, not one per resource`);
    }
    const target = valueOf(bound, printAttrPath(path), 'sort by');
    return { ok: true, value: { attr: refOf(target), descending: order === 'descending' } };
  } catch (error) {
    if (error instanceof BindError) return { ok: false, error: { scimType: 'invalidPath', detail: error.message } };
    throw error;
  }
}

class BindError extends Error {
  override readonly name = 'BindError';
}

/** An attribute path resolved against the schema. */
interface Bound {
  /** Canonical path, as AttributeRef.path. */
  readonly path: readonly string[];
  /** The top-level attribute; its multiValued is the reference's. */
  readonly attribute: AttributeDefinition;
  /** Where the path ends. */
  readonly definition: AttributeDefinition;
}

type Use = 'filter' | 'sortBy';

const RESOURCE_SCHEMAS: Readonly<Record<ResourceKind, ResourceSchemas>> = {
  User: USER_RESOURCE_SCHEMAS,
  Group: GROUP_RESOURCE_SCHEMAS,
};

// RFC 7643 §3: every resource has `schemas`, yet no schema defines it.
const SCHEMAS_ATTRIBUTE: AttributeDefinition = Object.freeze({
  name: 'schemas',
  type: 'reference',
  multiValued: true,
  description: 'The URIs of the schemas the resource conforms to.',
  required: true,
  caseExact: false,
  mutability: 'readOnly',
  returned: 'always',
  uniqueness: 'none',
  referenceTypes: Object.freeze(['uri']),
});

// Kept in membership tables, which hold an id and (for members) a type per element.
const RELATIONAL: Readonly<Record<ResourceKind, { readonly name: string; readonly subAttributes: readonly string[] }>> = {
  Group: { name: 'members', subAttributes: ['value', 'type'] },
  User: { name: 'groups', subAttributes: ['value'] },
};

const META_STORED: readonly string[] = ['created', 'lastModified', 'resourceType'];

const TEXT_TYPES: ReadonlySet<string> = new Set(['string', 'reference', 'binary']);
const SUBSTRING_OPS: ReadonlySet<CompareOp> = new Set<CompareOp>(['co', 'sw', 'ew']);
const ORDERING_OPS: ReadonlySet<CompareOp> = new Set<CompareOp>(['gt', 'ge', 'lt', 'le']);

function bindFilter(node: FilterNode, kind: ResourceKind): Condition {
  switch (node.type) {
    case 'comparison': {
      const shown = printAttrPath(node.attrPath);
      const target = valueOf(bind(node.attrPath, kind, 'filter'), shown, 'compare');
      return compareOn(refOf(target), target.definition, node, shown);
    }
    case 'presence':
      return { kind: 'present', attr: refOf(bind(node.attrPath, kind, 'filter')) };
    case 'logical':
      return { kind: node.op, left: bindFilter(node.left, kind), right: bindFilter(node.right, kind) };
    case 'not':
      return { kind: 'not', condition: bindFilter(node.filter, kind) };
    case 'valuePath':
      return bindValuePath(node, kind);
  }
}

function bindValuePath(node: ValuePathNode, kind: ResourceKind): Condition {
  const shown = printAttrPath(node.attrPath);
  const owner = bind(node.attrPath, kind, 'filter');
  if (owner.definition.type !== 'complex') {
    throw new BindError(`"${shown}[…]" filters the parts of a complex attribute, and "${shown}" is ${article(owner.definition.type)}`);
  }
  const ownerRef = refOf(owner);
  // Inside a multi-valued attribute the paths are relative to one element; inside a single-valued
  // one they can simply be made absolute.
  const place = (sub: AttributeDefinition): AttributeRef => ({
    path: owner.attribute.multiValued ? [sub.name] : [...owner.path, sub.name],
    type: sub.type,
    caseExact: sub.caseExact,
    multiValued: false,
  });
  const tests = node.subAttrTest === undefined ? [node.filter] : [node.filter, node.subAttrTest];
  const [first, ...rest] = tests.map((test) => bindElementFilter(test, owner, shown, kind, place));
  const condition = rest.reduce<Condition>((left, right) => ({ kind: 'and', left, right }), first as Condition);
  if (owner.attribute.multiValued) return { kind: 'element', attr: ownerRef, condition };
  return { kind: 'and', left: { kind: 'present', attr: ownerRef }, right: condition };
}

function bindElementFilter(
  node: FilterNode,
  owner: Bound,
  shown: string,
  kind: ResourceKind,
  place: (sub: AttributeDefinition) => AttributeRef,
): Condition {
  switch (node.type) {
    case 'comparison':
    case 'presence': {
      const sub = subAttributeOf(owner, node, shown, kind);
      if (node.type === 'presence') return { kind: 'present', attr: place(sub) };
      return compareOn(place(sub), sub, node, `${shown}.${sub.name}`);
    }
    case 'logical':
      return {
        kind: node.op,
        left: bindElementFilter(node.left, owner, shown, kind, place),
        right: bindElementFilter(node.right, owner, shown, kind, place),
      };
    case 'not':
      return { kind: 'not', condition: bindElementFilter(node.filter, owner, shown, kind, place) };
    case 'valuePath':
      throw new BindError(`value filters cannot be nested inside "${shown}[…]"`);
  }
}

function subAttributeOf(owner: Bound, node: ComparisonNode | PresenceNode, shown: string, kind: ResourceKind): AttributeDefinition {
  const { attrPath } = node;
  const sub = attrPath.schema === undefined && attrPath.subAttr === undefined ? findSubAttribute(owner.definition, attrPath.attr) : undefined;
  if (sub === undefined) {
    throw new BindError(`"${owner.definition.name}" has no sub-attribute "${printAttrPath(attrPath)}" to filter on in "${shown}[…]"`);
  }
  checkStored([...owner.path, sub.name], `${shown}.${sub.name}`, kind, 'filter');
  return sub;
}

function compareOn(attr: AttributeRef, definition: AttributeDefinition, node: ComparisonNode, shown: string): Condition {
  return { kind: 'compare', attr, op: node.op, value: checkValue(definition, node.op, node.value, shown) };
}

/** Resolves `path` and rules out what the store cannot answer. */
function bind(path: AttrPath, kind: ResourceKind, use: Use): Bound {
  const shown = printAttrPath(path);
  if (path.schema === undefined && path.subAttr === undefined && path.attr.toLowerCase() === 'schemas') {
    return { path: ['schemas'], attribute: SCHEMAS_ATTRIBUTE, definition: SCHEMAS_ATTRIBUTE };
  }
  const resolved = resolvePath(RESOURCE_SCHEMAS[kind], path);
  if (resolved === undefined) throw new BindError(describeUnresolved(path, kind));
  const { attribute, subAttribute, definition } = resolved;
  if (attribute.returned === 'never' || definition.returned === 'never') {
    throw new BindError(`"${shown}" cannot be used in a ${use}: its value is never returned`);
  }
  const names = subAttribute === undefined ? [attribute.name] : [attribute.name, subAttribute.name];
  const canonical = resolved.extension ? [resolved.schema, ...names] : names;
  checkStored(canonical, shown, kind, use);
  return { path: canonical, attribute, definition };
}

function checkStored(path: readonly string[], shown: string, kind: ResourceKind, use: Use): void {
  const [name, subAttr] = path;
  if (name === 'meta' && (subAttr === undefined || !META_STORED.includes(subAttr))) {
    throw new BindError(`"${shown}" cannot be used in a ${use}; of meta, only ${META_STORED.map((s) => `meta.${s}`).join(', ')} can`);
  }
  const relational = RELATIONAL[kind];
  if (name === relational.name && subAttr !== undefined && !relational.subAttributes.includes(subAttr)) {
    const kept = relational.subAttributes.map((s) => `${relational.name}.${s}`).join(' and ');
    throw new BindError(`"${shown}" cannot be used in a ${use}; of ${relational.name}, only ${kept} can`);
  }
}

function describeUnresolved(path: AttrPath, kind: ResourceKind): string {
  const shown = printAttrPath(path);
  const schemas = RESOURCE_SCHEMAS[kind];
  const all = [schemas.core, ...schemas.extensions];
  if (path.schema !== undefined && !all.some((s) => s.id.toLowerCase() === path.schema?.toLowerCase())) {
    // `urn:…:enterprise:2.0:User` alone reads as schema `urn:…:enterprise:2.0`, attribute `User`.
    const whole = `${path.schema}:${path.attr}`.toLowerCase();
    const named = all.find((s) => s.id.toLowerCase() === whole);
    if (named !== undefined && path.subAttr === undefined) {
      return `"${shown}" names a schema, not an attribute; name one of its attributes, as in "${named.id}:${named.attributes[0]?.name ?? 'name'}"`;
    }
    return `unknown schema "${path.schema}" in "${shown}": ${kind} resources have ${all.map((s) => `"${s.id}"`).join(' and ')}`;
  }
  const top = path.subAttr === undefined ? undefined : resolvePath(schemas, { ...(path.schema !== undefined && { schema: path.schema }), attr: path.attr });
  if (top !== undefined) {
    if (top.attribute.type !== 'complex') return `unknown attribute "${shown}": "${top.attribute.name}" has no sub-attributes`;
    return `unknown attribute "${shown}": "${top.attribute.name}" has no sub-attribute "${path.subAttr ?? ''}"`;
  }
  return `unknown attribute "${shown}": ${kind} resources have no such attribute`;
}

/** What a comparison or sort on `bound` reads: the attribute itself, or a complex one's `value`. */
function valueOf(bound: Bound, shown: string, verb: string): Bound {
  if (bound.definition.type !== 'complex') return bound;
  const value = findSubAttribute(bound.definition, 'value');
  if (value === undefined) {
    const example = bound.definition.subAttributes?.[0]?.name ?? 'value';
    throw new BindError(`cannot ${verb} "${shown}" as a whole: it is complex and has no "value"; name a sub-attribute, as in "${shown}.${example}"`);
  }
  return { path: [...bound.path, value.name], attribute: bound.attribute, definition: value };
}

function refOf(bound: Bound): AttributeRef {
  return {
    path: bound.path,
    type: bound.definition.type,
    caseExact: bound.definition.caseExact,
    multiValued: bound.attribute.multiValued,
  };
}

/** The comparison value as the domain receives it, or a BindError saying why it does not fit. */
function checkValue(definition: AttributeDefinition, op: CompareOp, value: CompValue, shown: string): CompValue {
  const { type } = definition;
  if (value === null) {
    if (op === 'eq' || op === 'ne') return null;
    throw new BindError(`"${op}" cannot compare "${shown}" with null; only eq and ne can`);
  }
  if (SUBSTRING_OPS.has(op) && !TEXT_TYPES.has(type)) {
    throw new BindError(`"${op}" matches text, and "${shown}" is ${article(type)}`);
  }
  if (ORDERING_OPS.has(op) && (type === 'boolean' || type === 'binary')) {
    throw new BindError(`"${op}" cannot order "${shown}", which is ${article(type)}; use eq or ne`);
  }
  const mismatch = (expected: string) =>
    new BindError(`"${shown}" is ${article(type)}: compare it with ${expected}, not ${printCompValue(value)}`);
  switch (type) {
    case 'boolean':
      if (typeof value === 'boolean') return value;
      if (typeof value === 'string' && /^(?:true|false)$/i.test(value)) return value.toLowerCase() === 'true';
      throw mismatch('true or false');
    case 'integer':
      if (typeof value === 'number' && Number.isInteger(value)) return value;
      throw mismatch('a whole number such as 42');
    case 'decimal':
      if (typeof value === 'number') return value;
      throw mismatch('a number such as 4.2');
    case 'dateTime':
      if (typeof value === 'string' && comparableDateTime(value) !== undefined) return value;
      throw mismatch('a date and time such as "2011-05-13T04:42:34Z"');
    default:
      if (typeof value === 'string') return value;
      throw mismatch(`a string in double quotes, as in ${printCompValue(String(value))}`);
  }
}

function article(type: string): string {
  const name = type === 'dateTime' ? 'date and time' : type === 'complex' ? 'complex attribute' : type;
  return /^[aeiou]/.test(name) ? `an ${name}` : `a ${name}`;
}
