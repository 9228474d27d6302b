/**
 * Attributes read from the stored SCIM document (jsonb). Path segments come from the schema, yet
 * they are bound as parameters like any value: nothing from a query is spliced into SQL text.
 * Extension attributes live under their schema URN, as the document stores them.
 */
import { sql, type SQL } from 'drizzle-orm';
import { DomainError } from '../../errors.ts';
import type { AttributeRef } from './types.ts';
import { jsonOperand, jsonPresent } from './operand.ts';
import type { ElementSource, ScalarTarget, Scope, Target } from './target.ts';

// Aliases of the element row: `qe.j` is one element, `qe.n` its position (from 1).
const ELEMENT = sql.raw('qe.j');
const POSITION = sql.raw('qe.n');

interface Located {
  /** The jsonb value of the first attribute on the path. */
  readonly value: SQL;
  /** The sub-attribute, when the path names one. */
  readonly subAttr: string | undefined;
}

/** The values `attr` names in `document` (a jsonb column of the queried table). */
export function documentTarget(document: SQL, attr: AttributeRef): Target {
  const { value, subAttr } = locate(document, attr);
  if (!attr.multiValued) return scalar(subAttr === undefined ? value : member(value, subAttr), attr);
  return {
    kind: 'set',
    from: elementsOf(value),
    element: scalar(subAttr === undefined ? ELEMENT : member(ELEMENT, subAttr), attr),
    // RFC 7644 §3.4.2.3: a multi-valued attribute sorts by its primary value, else its first one.
    sortOrder: sql`(${ELEMENT} @> '{"primary": true}'::jsonb) DESC, ${POSITION}`,
  };
}

/** The elements of the multi-valued complex attribute `attr`, for an element condition. */
export function documentElements(document: SQL, attr: AttributeRef): ElementSource {
  const { value, subAttr } = locate(document, attr);
  if (subAttr !== undefined || !attr.multiValued) {
    throw new DomainError('invalid_input', `"${attr.path.join('.')}" is not a multi-valued attribute whose values can be filtered`);
  }
  return { from: elementsOf(value), scope: elementScope(attr) };
}

function elementScope(owner: AttributeRef): Scope {
  return {
    target(attr) {
      const [name, ...rest] = attr.path;
      if (name === undefined || rest.length > 0) {
        throw new DomainError('invalid_input', `"${attr.path.join('.')}" is not a sub-attribute of "${owner.path.join('.')}"`);
      }
      return scalar(member(ELEMENT, name), attr);
    },
    elements() {
      throw new DomainError('invalid_input', `value filters cannot be nested inside "${owner.path.join('.')}[…]"`);
    },
  };
}

function locate(document: SQL, attr: AttributeRef): Located {
  const [first, ...rest] = attr.path;
  // Attribute names never contain a colon, schema URNs always do.
  const inExtension = first !== undefined && first.includes(':');
  const container = inExtension ? member(document, first) : document;
  const [name, subAttr, ...extra] = inExtension ? rest : attr.path;
  if (name === undefined || extra.length > 0) {
    throw new DomainError('invalid_input', `"${attr.path.join('.')}" is not an attribute path`);
  }
  return { value: member(container, name), subAttr };
}

function member(json: SQL, key: string): SQL {
  return sql`(${json} -> ${key}::text)`;
}

function scalar(json: SQL, attr: AttributeRef): ScalarTarget {
  return { kind: 'scalar', operand: jsonOperand(json, attr.type, attr.caseExact), present: jsonPresent(json) };
}

// A multi-valued attribute holding something other than an array has no elements here, rather
// than making jsonb_array_elements fail the whole query.
function elementsOf(array: SQL): SQL {
  return sql`jsonb_array_elements(CASE WHEN jsonb_typeof(${array}) = 'array' THEN ${array} ELSE '[]'::jsonb END) WITH ORDINALITY AS qe(j, n)`;
}
