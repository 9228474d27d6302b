/**
 * Where a PATCH operation lands: a PATCH `path`, or one key of a pathless operation's value,
 * resolved against the resource type's schemas.
 */
import { parsePatchPath, printAttrPath, type AttrPath, type FilterNode, type PatchPath } from '../filter/index.ts';
import {
  findAttribute,
  findSubAttribute,
  resolvePath,
  type AttributeDefinition,
  type ResourceSchemas,
  type SchemaDefinition,
} from '../schema/index.ts';
import type { ResourceKind } from './document.ts';
import { bindElementFilter } from './element-filter.ts';
import { isForeignSchemaUrn } from './foreign-schema.ts';
import { findKey, isPlainObject, jsonType, type JsonObject } from './json.ts';
import { fault } from './result.ts';

/** An attribute the schemas define, possibly narrowed by a value filter and a sub-attribute. */
export interface AttributeTarget {
  readonly kind: 'attribute';
  /** Set when the attribute lives in an extension, under this URN. */
  readonly extension?: SchemaDefinition;
  readonly attribute: AttributeDefinition;
  readonly filter?: FilterNode;
  readonly subAttribute?: AttributeDefinition;
  readonly label: string;
}

/** A whole extension the schemas define (`path` is the extension's URN). */
export interface ExtensionTarget {
  readonly kind: 'extension';
  readonly extension: SchemaDefinition;
  readonly label: string;
}

/**
 * Data under a URN the schemas do not define (custom attribute extensions of Okta and Entra):
 * the whole object when `attr` is absent, else one of its keys, kept as sent.
 */
export interface ForeignTarget {
  readonly kind: 'foreign';
  readonly urn: string;
  readonly attr?: string;
  readonly subAttr?: string;
  readonly label: string;
}

export type PatchTarget = AttributeTarget | ExtensionTarget | ForeignTarget;

export interface TargetContext {
  readonly kind: ResourceKind;
  readonly resourceSchemas: ResourceSchemas;
  /** The document being patched: tells which foreign URNs it already holds. */
  readonly document: JsonObject;
}

/** The target of a `path`. Names the schemas do not know are an `invalidPath`. */
export function resolvePathTarget(path: PatchPath, label: string, context: TargetContext): PatchTarget {
  const target = resolveAttrPath(path.attrPath, label, context, 'invalidPath');
  if (path.type === 'attrPath') return target;

  if (target.kind !== 'attribute' || !target.attribute.multiValued || target.subAttribute !== undefined) {
    fault('invalidPath', `${label}: a value filter applies to a multi-valued attribute such as "emails"`);
  }
  const filter = bindElementFilter(path.filter, target.attribute, label);
  if (path.subAttr === undefined) return { ...target, filter };
  const subAttribute = findSubAttribute(target.attribute, path.subAttr);
  if (subAttribute === undefined) {
    fault('invalidPath', `${label}: "${target.attribute.name}" has no sub-attribute "${path.subAttr}"`);
  }
  return { ...target, filter, subAttribute };
}

/** One key of a pathless operation's value, with the value it carries. */
export interface PathlessEntry {
  readonly target: PatchTarget;
  readonly value: unknown;
}

/**
 * Splits a pathless add or replace value into one entry per attribute. Keys may be attribute
 * names, dotted sub-attribute paths (`"name.givenName"`), URN-qualified names
 * (`"urn:…:enterprise:2.0:User:employeeNumber"`) or extension URNs holding an object, the
 * shapes Microsoft Entra ID sends with its `aadOptscim062020` flag. `schemas` is not an
 * attribute and is skipped. Unknown names are an `invalidSyntax`, as in a POST body.
 */
export function expandPathless(value: unknown, label: string, context: TargetContext): PathlessEntry[] {
  if (!isPlainObject(value)) {
    fault(
      'invalidValue',
      `${label}: without a "path", "value" must be an object of attributes, not ${jsonType(value)}`,
    );
  }
  const entries: PathlessEntry[] = [];
  for (const [key, item] of Object.entries(value)) {
    if (key.toLowerCase() === 'schemas') continue;
    const keyLabel = `${label}.value["${key}"]`;
    const parsed = parsePatchPath(key);
    if (!parsed.ok) fault('invalidSyntax', `${keyLabel} is not an attribute name: ${parsed.error.detail}`);
    const target =
      parsed.value.type === 'attrPath'
        ? resolveAttrPath(parsed.value.attrPath, keyLabel, context, 'invalidSyntax')
        : resolvePathTarget(parsed.value, keyLabel, context);
    entries.push({ target, value: item });
  }
  return entries;
}

/** Entries for the keys of an extension's object, as in `{"urn:…:User": {"department": "x"}}`. */
export function expandExtension(
  extension: SchemaDefinition,
  value: JsonObject,
  label: string,
): PathlessEntry[] {
  return Object.entries(value).map(([key, item]) => {
    const attribute = findAttribute(extension, key);
    if (attribute === undefined) {
      fault('invalidSyntax', `${label}: the schema "${extension.id}" has no attribute "${key}"`);
    }
    const target: AttributeTarget = { kind: 'attribute', extension, attribute, label: `${label}.${attribute.name}` };
    return { target, value: item };
  });
}

function resolveAttrPath(
  attrPath: AttrPath,
  label: string,
  context: TargetContext,
  unknown: 'invalidPath' | 'invalidSyntax',
): PatchTarget {
  const { extensions } = context.resourceSchemas;
  const whole = attrPath.schema === undefined ? undefined : `${attrPath.schema}:${attrPath.attr}`;
  // The parser reads a bare URN as schema plus last segment; a known URN names a whole extension.
  if (whole !== undefined && attrPath.subAttr === undefined) {
    const extension = extensions.find((candidate) => sameUrn(candidate.id, whole));
    if (extension !== undefined) return { kind: 'extension', extension, label };
    if (isForeignContainer(whole, attrPath, context)) {
      return { kind: 'foreign', urn: foreignKey(whole, context.document), label };
    }
  }

  const resolved = resolvePath(context.resourceSchemas, attrPath);
  if (resolved !== undefined) {
    const extension = resolved.extension
      ? extensions.find((candidate) => candidate.id === resolved.schema)
      : undefined;
    return {
      kind: 'attribute',
      ...(extension !== undefined && { extension }),
      attribute: resolved.attribute,
      ...(resolved.subAttribute !== undefined && { subAttribute: resolved.subAttribute }),
      label,
    };
  }

  const schema = attrPath.schema;
  if (schema !== undefined && isForeignSchemaUrn(schema, context.resourceSchemas)) {
    return {
      kind: 'foreign',
      urn: foreignKey(schema, context.document),
      attr: attrPath.attr,
      ...(attrPath.subAttr !== undefined && { subAttr: attrPath.subAttr }),
      label,
    };
  }
  return fault(unknown, `${label}: the ${context.kind} schemas have no attribute "${printAttrPath(attrPath)}"`);
}

/**
 * Whether an unknown URN names a whole extension object rather than an attribute inside one:
 * the document already holds it, or it ends in the resource type's name as extension URNs do
 * (`urn:…:CustomExtension:2.0:User`).
 */
function isForeignContainer(whole: string, attrPath: AttrPath, context: TargetContext): boolean {
  if (!isForeignSchemaUrn(whole, context.resourceSchemas)) return false;
  if (findKey(context.document, whole) !== undefined) return true;
  return attrPath.attr.toLowerCase() === context.kind.toLowerCase();
}

/** The spelling already stored for `urn`, so a foreign extension never ends up under two keys. */
function foreignKey(urn: string, document: JsonObject): string {
  return findKey(document, urn) ?? urn;
}

function sameUrn(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}
