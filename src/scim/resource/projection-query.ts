/**
 * The `attributes` and `excludedAttributes` parameters (RFC 7644 §3.4.2.5, §3.9) resolved
 * against a resource type's schemas into selectors that compare by lower-cased name, since
 * attribute names and URNs are case-insensitive.
 */
import type { AttrPath } from '../filter/index.ts';
import { resolvePath, type ResourceSchemas } from '../schema/index.ts';

export interface ProjectionQuery {
  /** Return only these (plus `returned: always` attributes). */
  readonly attributes?: readonly AttrPath[];
  /** Leave these out (never an `always` attribute). */
  readonly excludedAttributes?: readonly AttrPath[];
}

/** A whole schema's attributes (`urn:…:enterprise:2.0:User`), or one attribute, or one sub-attribute. */
export type Selector =
  | { readonly kind: 'schema'; readonly urn: string }
  | { readonly kind: 'attribute'; readonly urn: string; readonly attr: string; readonly sub?: string };

/**
 * Resolves each path. Names no schema defines still become selectors (they may match data kept
 * from extensions the server does not define); a name matching nothing simply selects nothing,
 * as RFC 7644 does not make it an error.
 */
export function toSelectors(
  paths: readonly AttrPath[],
  resourceSchemas: ResourceSchemas,
  urnKeys: ReadonlySet<string>,
): Selector[] {
  const { core, extensions } = resourceSchemas;
  const schemaUrns = new Set([core.id, ...extensions.map((e) => e.id)].map((urn) => urn.toLowerCase()));
  return paths.map((path): Selector => {
    if (path.schema !== undefined && path.subAttr === undefined) {
      const whole = `${path.schema}:${path.attr}`.toLowerCase();
      if (schemaUrns.has(whole) || urnKeys.has(whole)) return { kind: 'schema', urn: whole };
    }
    const resolved = resolvePath(resourceSchemas, path);
    if (resolved !== undefined) {
      return {
        kind: 'attribute',
        urn: resolved.schema.toLowerCase(),
        attr: resolved.attribute.name.toLowerCase(),
        ...(resolved.subAttribute !== undefined && { sub: resolved.subAttribute.name.toLowerCase() }),
      };
    }
    return {
      kind: 'attribute',
      urn: (path.schema ?? core.id).toLowerCase(),
      attr: path.attr.toLowerCase(),
      ...(path.subAttr !== undefined && { sub: path.subAttr.toLowerCase() }),
    };
  });
}

/** Whether a selector names the attribute whole (its schema, or the attribute without a sub-attribute). */
export function selectsWhole(selectors: readonly Selector[], urn: string, attr: string): boolean {
  return selectors.some((s) => (s.kind === 'schema' ? s.urn === urn : names(s, urn, attr) && s.sub === undefined));
}

/** Whether an attribute selector names the attribute, whole or by a sub-attribute. */
export function names(selector: Selector, urn: string, attr: string): boolean {
  return selector.kind === 'attribute' && selector.urn === urn && selector.attr === attr;
}

/** The sub-attributes of the attribute that selectors name, lower-cased. */
export function selectedSubs(selectors: readonly Selector[], urn: string, attr: string): Set<string> {
  const subs = new Set<string>();
  for (const s of selectors) {
    if (s.kind === 'attribute' && names(s, urn, attr) && s.sub !== undefined) subs.add(s.sub);
  }
  return subs;
}
