/**
 * The syntax tree of SCIM filters (RFC 7644 §3.4.2.2) and PATCH paths (RFC 7644 §3.5.2).
 *
 * Attribute names, sub-attribute names and schema URNs are kept exactly as written: SCIM compares
 * them case-insensitively, and only the consumer knows the schema to compare them against.
 * Operators and literals are normalised (operators lower-case, literals decoded).
 */

/**
 * `[schema ":"] attr ["." subAttr]`.
 *
 * The schema is everything before the last colon, so a bare schema URN such as
 * `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User` reads as schema
 * `urn:…:enterprise:2.0` with attribute `User`: a consumer that knows its schemas can recognise it.
 */
export interface AttrPath {
  readonly schema?: string;
  readonly attr: string;
  readonly subAttr?: string;
}

export type CompareOp = 'eq' | 'ne' | 'co' | 'sw' | 'ew' | 'gt' | 'ge' | 'lt' | 'le';

/** A JSON literal as RFC 7644 allows it in a filter: no objects, no arrays. */
export type CompValue = string | number | boolean | null;

/** `attrPath op value`, e.g. `userName eq "bjensen"`. */
export interface ComparisonNode {
  readonly type: 'comparison';
  readonly attrPath: AttrPath;
  readonly op: CompareOp;
  readonly value: CompValue;
}

/** `attrPath pr`: the attribute has a non-empty value. */
export interface PresenceNode {
  readonly type: 'presence';
  readonly attrPath: AttrPath;
}

/** `left and right`, `left or right`; chains nest to the left, as they are read. */
export interface LogicalNode {
  readonly type: 'logical';
  readonly op: 'and' | 'or';
  readonly left: FilterNode;
  readonly right: FilterNode;
}

/** `not (filter)`. */
export interface NotNode {
  readonly type: 'not';
  readonly filter: FilterNode;
}

/**
 * `attrPath[filter]`: some element of a multi-valued attribute matches `filter`, whose attribute
 * paths name sub-attributes of that element (`emails[type eq "work" and value co "@acme.com"]`).
 *
 * `subAttrTest` covers `emails[type eq "work"].value eq "x@y.com"`, which Microsoft Entra ID sends
 * though RFC 7644 has it only for PATCH paths: the same matching element must also pass the test on
 * one of its sub-attributes. The test's `attrPath` holds only `attr` (the sub-attribute name).
 */
export interface ValuePathNode {
  readonly type: 'valuePath';
  readonly attrPath: AttrPath;
  readonly filter: FilterNode;
  readonly subAttrTest?: ComparisonNode | PresenceNode;
}

export type FilterNode = ComparisonNode | PresenceNode | LogicalNode | NotNode | ValuePathNode;

/**
 * The target of a PATCH operation: `attrPath`, or `valuePath ["." subAttr]` such as
 * `members[value eq "2819c223"]` or `emails[type eq "work"].value`.
 */
export type PatchPath =
  | { readonly type: 'attrPath'; readonly attrPath: AttrPath }
  | {
      readonly type: 'valuePath';
      readonly attrPath: AttrPath;
      readonly filter: FilterNode;
      readonly subAttr?: string;
    };
