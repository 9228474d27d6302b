/**
 * Where a query finds an attribute's values: one value per row (a column, a path in the document)
 * or a set of them (the elements of a multi-valued attribute, a membership table). The compiler in
 * resource-query-sql.ts works on these shapes and never on tables directly.
 */
import type { SQL } from 'drizzle-orm';
import type { AttributeRef, Condition } from './types.ts';
import type { Operand } from './operand.ts';

/** One value per row. */
export interface ScalarTarget {
  readonly kind: 'scalar';
  readonly operand: Operand;
  /** RFC 7644 `pr` for this value. */
  readonly present: SQL;
}

/** A set of values per row; a test on the attribute holds when some element passes it. */
export interface SetTarget {
  readonly kind: 'set';
  /** A FROM item listing the row's elements, correlated with the outer row. */
  readonly from: SQL;
  readonly element: ScalarTarget;
  /** ORDER BY putting first the element a sort goes by; absent when sorting on the set is not supported. */
  readonly sortOrder?: SQL;
  /** An indexed form of "some element eq value", for a non-empty value. */
  readonly indexedEquals?: (value: string) => SQL;
}

export type Target = ScalarTarget | SetTarget;

/** The elements of a multi-valued attribute, for an element condition. */
export interface ElementSource {
  readonly from: SQL;
  /** Resolves the element condition's paths, which are relative to one element. */
  readonly scope: Scope;
  /**
   * A condition an index can answer that every row with a matching element also meets, ANDed
   * before the EXISTS so that the index narrows the rows first; undefined when there is none.
   */
  readonly prefilter?: (condition: Condition) => SQL | undefined;
}

/** Resolves attribute references, at the top of a query or inside one element. */
export interface Scope {
  target(attr: AttributeRef): Target;
  elements(attr: AttributeRef): ElementSource;
}
