/**
 * Shapes a stored resource for a response: RFC 7643 §7 `returned` plus the `attributes` and
 * `excludedAttributes` parameters of RFC 7644 §3.4.2.5. When both parameters are given the
 * result is narrowed by `attributes`, then `excludedAttributes` is removed from it.
 *
 * These functions cannot fail (unknown names select nothing), so they return values directly.
 */
import {
  COMMON_ATTRIBUTES,
  findAttribute,
  findSubAttribute,
  resolvePath,
  type AttributeDefinition,
  type ResourceSchemas,
} from '../schema/index.ts';
import { isPlainObject, setOwn, type JsonObject } from './json.ts';
import {
  names,
  selectedSubs,
  selectsWhole,
  toSelectors,
  type ProjectionQuery,
  type Selector,
} from './projection-query.ts';

export type { ProjectionQuery } from './projection-query.ts';

interface Selection {
  /** Undefined when `attributes` was not given: the default set applies. */
  readonly include: readonly Selector[] | undefined;
  readonly exclude: readonly Selector[];
}

/**
 * The response form of `full` (a whole resource, `id`, `meta` and computed attributes included):
 * `always` attributes (`id`; `schemas` too) are kept whatever the query, `never` ones
 * (`password`) are dropped, `request` ones appear only when named in `attributes`. `schemas` then
 * lists the core URN and the extensions still present.
 */
export function projectResource(
  full: object,
  resourceSchemas: ResourceSchemas,
  query: ProjectionQuery = {},
): JsonObject {
  const source = full as JsonObject;
  const selection = selectionFor(source, resourceSchemas, query);
  const coreUrn = resourceSchemas.core.id.toLowerCase();
  const out: JsonObject = {};

  for (const [key, value] of Object.entries(source)) {
    if (key.toLowerCase() === 'schemas') continue;
    if (key.includes(':')) {
      const inner = projectExtension(value, key, resourceSchemas, selection);
      if (inner !== undefined) setOwn(out, key, inner);
      continue;
    }
    const definition = coreDefinition(resourceSchemas, key);
    const projected = projectAttribute(value, definition, coreUrn, key, selection);
    if (projected !== undefined) setOwn(out, key, projected);
  }

  const schemas = Object.entries(source).find(([key]) => key.toLowerCase() === 'schemas')?.[1];
  if (!Array.isArray(schemas)) return out;
  const present = new Set(Object.keys(out).map((key) => key.toLowerCase()));
  const listed = schemas.filter(
    (urn) => typeof urn === 'string' && (urn.toLowerCase() === coreUrn || present.has(urn.toLowerCase())),
  );
  return { schemas: listed, ...out };
}

/**
 * Whether a response to `query` will contain the top-level attribute `name` at all, so that a
 * caller can skip loading it: `excludedAttributes=members` must never load a group's members.
 */
export function wantsAttribute(
  resourceSchemas: ResourceSchemas,
  query: ProjectionQuery,
  name: string,
): boolean {
  const resolved = resolvePath(resourceSchemas, { attr: name });
  const urn = (resolved?.schema ?? resourceSchemas.core.id).toLowerCase();
  const attr = (resolved?.attribute.name ?? name).toLowerCase();
  const returned = resolved?.attribute.returned ?? 'default';
  if (returned === 'never') return false;
  if (returned === 'always') return true;
  const selection = selectionFor({}, resourceSchemas, query);
  if (selectsWhole(selection.exclude, urn, attr)) return false;
  if (selection.include === undefined) return returned !== 'request';
  const named = selection.include.some((s) => names(s, urn, attr));
  return named || (returned !== 'request' && selectsWhole(selection.include, urn, attr));
}

function selectionFor(source: JsonObject, resourceSchemas: ResourceSchemas, query: ProjectionQuery): Selection {
  const urnKeys = new Set(
    Object.keys(source)
      .filter((key) => key.includes(':'))
      .map((key) => key.toLowerCase()),
  );
  const { attributes = [], excludedAttributes = [] } = query;
  return {
    include: attributes.length === 0 ? undefined : toSelectors(attributes, resourceSchemas, urnKeys),
    exclude: toSelectors(excludedAttributes, resourceSchemas, urnKeys),
  };
}

function coreDefinition(resourceSchemas: ResourceSchemas, key: string): AttributeDefinition | undefined {
  const lower = key.toLowerCase();
  return findAttribute(resourceSchemas.core, key) ?? COMMON_ATTRIBUTES.find((a) => a.name.toLowerCase() === lower);
}

/** An extension's object, known or kept as sent; undefined when nothing of it is returned. */
function projectExtension(
  value: unknown,
  key: string,
  resourceSchemas: ResourceSchemas,
  selection: Selection,
): JsonObject | undefined {
  if (!isPlainObject(value)) return undefined;
  const urn = key.toLowerCase();
  const extension = resourceSchemas.extensions.find((candidate) => candidate.id.toLowerCase() === urn);
  const inner: JsonObject = {};
  for (const [name, item] of Object.entries(value)) {
    const definition = extension && findAttribute(extension, name);
    const projected = projectAttribute(item, definition, urn, name, selection);
    if (projected !== undefined) setOwn(inner, name, projected);
  }
  return Object.keys(inner).length === 0 ? undefined : inner;
}

function projectAttribute(
  value: unknown,
  definition: AttributeDefinition | undefined,
  urn: string,
  name: string,
  selection: Selection,
): unknown {
  const returned = definition?.returned ?? 'default';
  if (returned === 'never') return undefined;
  if (returned === 'always') return value;
  const attr = (definition?.name ?? name).toLowerCase();
  const { include, exclude } = selection;
  if (include === undefined && returned === 'request') return undefined;
  if (selectsWhole(exclude, urn, attr)) return undefined;

  const asked = include === undefined ? new Set<string>() : selectedSubs(include, urn, attr);
  let only: ReadonlySet<string> | undefined;
  if (include !== undefined) {
    const named = include.some((s) => s.kind === 'attribute' && names(s, urn, attr) && s.sub === undefined);
    const wholeSchema = include.some((s) => s.kind === 'schema' && s.urn === urn);
    if (!named && !(wholeSchema && returned !== 'request')) {
      if (asked.size === 0) return undefined;
      only = asked;
    }
  }
  return shapeSubAttributes(value, definition, { only, asked, excluded: selectedSubs(exclude, urn, attr) });
}

interface SubSelection {
  /** When set, only these sub-attributes (lower-cased) are returned. */
  readonly only: ReadonlySet<string> | undefined;
  /** Sub-attributes named in `attributes`, which brings back `returned: request` ones. */
  readonly asked: ReadonlySet<string>;
  readonly excluded: ReadonlySet<string>;
}

/** Applies sub-attribute selection to a complex value or to each element of a list of them. */
function shapeSubAttributes(
  value: unknown,
  definition: AttributeDefinition | undefined,
  selection: SubSelection,
): unknown {
  const shape = (element: unknown): unknown => {
    if (!isPlainObject(element)) return element;
    const out: JsonObject = {};
    for (const [key, item] of Object.entries(element)) {
      const sub = definition && findSubAttribute(definition, key);
      if (keepSub(sub, (sub?.name ?? key).toLowerCase(), selection)) setOwn(out, key, item);
    }
    return Object.keys(out).length === 0 ? undefined : out;
  };
  if (!Array.isArray(value)) return shape(value);
  const elements = value.map(shape).filter((element) => element !== undefined);
  return elements.length === 0 ? undefined : elements;
}

function keepSub(sub: AttributeDefinition | undefined, name: string, selection: SubSelection): boolean {
  const returned = sub?.returned ?? 'default';
  if (returned === 'always') return true;
  if (returned === 'never' || selection.excluded.has(name)) return false;
  if (selection.only !== undefined) return selection.only.has(name);
  return returned !== 'request' || selection.asked.has(name);
}
