import { COMMON_ATTRIBUTES } from './common.ts';
import type { AttributeDefinition, ResourceSchemas, SchemaDefinition } from './types.ts';

// Attribute names are case-insensitive (RFC 7643 §2.1), and so are the URN prefixes that qualify
// them in filters and PATCH paths (RFC 7644 §3.10). Each attribute list is indexed once by its
// lower-cased names; the definitions are frozen module data, so the index never goes stale.
const indexes = new WeakMap<
  readonly AttributeDefinition[],
  ReadonlyMap<string, AttributeDefinition>
>();

function lookupIn(
  attributes: readonly AttributeDefinition[],
  name: string,
): AttributeDefinition | undefined {
  let index = indexes.get(attributes);
  if (index === undefined) {
    index = new Map(attributes.map((a) => [a.name.toLowerCase(), a]));
    indexes.set(attributes, index);
  }
  return index.get(name.toLowerCase());
}

/** The top-level attribute of `schema` called `name`, compared case-insensitively. */
export function findAttribute(
  schema: SchemaDefinition,
  name: string,
): AttributeDefinition | undefined {
  return lookupIn(schema.attributes, name);
}

/** The sub-attribute of a complex `attribute` called `name`, compared case-insensitively. */
export function findSubAttribute(
  attribute: AttributeDefinition,
  name: string,
): AttributeDefinition | undefined {
  return attribute.subAttributes && lookupIn(attribute.subAttributes, name);
}

/**
 * An attribute path already split by a parser (RFC 7644 §3.10 / the `attrPath` of §3.4.2.2):
 * `schema` is the URN prefix when the path was qualified, `attr` the attribute, `subAttr` the
 * sub-attribute after the dot.
 */
export interface AttributePath {
  readonly schema?: string;
  readonly attr: string;
  readonly subAttr?: string;
}

/** Where an attribute path led. */
export interface ResolvedAttribute {
  /** URN of the schema the attribute belongs to; common attributes belong to the core schema. */
  readonly schema: string;
  /** True when the attribute lives in an extension, i.e. under the extension's URN in a body. */
  readonly extension: boolean;
  /** The top-level attribute. */
  readonly attribute: AttributeDefinition;
  /** The sub-attribute, when the path named one. */
  readonly subAttribute?: AttributeDefinition;
  /** The definition the path ends at: `subAttribute` if present, otherwise `attribute`. */
  readonly definition: AttributeDefinition;
}

function inSchema(
  schema: SchemaDefinition,
  extension: boolean,
  path: AttributePath,
): ResolvedAttribute | undefined {
  const attribute =
    findAttribute(schema, path.attr) ??
    (extension ? undefined : lookupIn(COMMON_ATTRIBUTES, path.attr));
  if (attribute === undefined) return undefined;
  if (path.subAttr === undefined) {
    return { schema: schema.id, extension, attribute, definition: attribute };
  }
  const subAttribute = findSubAttribute(attribute, path.subAttr);
  if (subAttribute === undefined) return undefined;
  return { schema: schema.id, extension, attribute, subAttribute, definition: subAttribute };
}

/**
 * Resolves an attribute path against a resource type's schemas, or returns undefined when the
 * path names nothing there (the caller answers `invalidPath` or `invalidFilter`).
 *
 * A qualified path is looked up only in the schema its URN names. An unqualified path is looked
 * up in the core schema and the common attributes first; failing that, in the one extension that
 * defines the name. RFC 7644 leaves the prefix optional only for core attributes, but Microsoft's
 * own samples send `"path": "manager"`, and an unambiguous name costs nothing to honour. A name
 * defined by several extensions stays unresolved rather than guessed.
 */
export function resolvePath(
  resourceSchemas: ResourceSchemas,
  path: AttributePath,
): ResolvedAttribute | undefined {
  const { core, extensions } = resourceSchemas;
  if (path.schema !== undefined) {
    const urn = path.schema.toLowerCase();
    if (urn === core.id.toLowerCase()) return inSchema(core, false, path);
    const extension = extensions.find((e) => e.id.toLowerCase() === urn);
    return extension && inSchema(extension, true, path);
  }
  if (findAttribute(core, path.attr) ?? lookupIn(COMMON_ATTRIBUTES, path.attr)) {
    return inSchema(core, false, path);
  }
  const candidates = extensions.filter((e) => findAttribute(e, path.attr) !== undefined);
  const [only] = candidates;
  return candidates.length === 1 && only !== undefined ? inSchema(only, true, path) : undefined;
}
