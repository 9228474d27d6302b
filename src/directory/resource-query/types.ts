/**
 * Queries over a directory's users and groups, in domain terms. The SCIM layer resolves a filter's
 * attribute paths against the schema and hands the domain a Condition; the domain compiles it to
 * parameterised SQL (see resource-query-sql.ts). Nothing here knows SCIM's text syntax.
 */

export type ResourceKind = 'User' | 'Group';

export type AttributeType = 'string' | 'boolean' | 'decimal' | 'integer' | 'dateTime' | 'reference' | 'binary' | 'complex';

/** An attribute of a stored resource, resolved against its schema. */
export interface AttributeRef {
  /**
   * Canonical path: `['userName']`, `['name', 'givenName']`, `['emails', 'value']`,
   * `['urn:ietf:params:scim:schemas:extension:enterprise:2.0:User', 'manager', 'value']`;
   * common attributes are `['id']`, `['externalId']`, `['meta', 'created']`, `['meta', 'lastModified']`;
   * relational ones are `['members', 'value']` (Group), `['groups', 'value']` (User).
   */
  readonly path: readonly string[];
  readonly type: AttributeType;
  /** Whether string comparison is case-sensitive (RFC 7643 caseExact). */
  readonly caseExact: boolean;
  /** Whether the first attribute on the path (after an extension URN) is multi-valued, e.g. emails. */
  readonly multiValued: boolean;
}

export type CompareOp = 'eq' | 'ne' | 'co' | 'sw' | 'ew' | 'gt' | 'ge' | 'lt' | 'le';

export type Condition =
  | { readonly kind: 'compare'; readonly attr: AttributeRef; readonly op: CompareOp; readonly value: string | number | boolean | null }
  | { readonly kind: 'present'; readonly attr: AttributeRef }
  | { readonly kind: 'and' | 'or'; readonly left: Condition; readonly right: Condition }
  | { readonly kind: 'not'; readonly condition: Condition }
  /**
   * Some element of a multi-valued complex attribute (`attr`, e.g. `['emails']`) satisfies
   * `condition`, whose attribute paths are relative to the element (`['type']`, `['value']`).
   */
  | { readonly kind: 'element'; readonly attr: AttributeRef; readonly condition: Condition };

export interface SortSpec {
  readonly attr: AttributeRef;
  readonly descending: boolean;
}
