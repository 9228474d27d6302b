/**
 * Attribute and schema definitions as RFC 7643 §7 describes them, so the same data can drive
 * validation, PATCH and filter path resolution, and the `/Schemas` discovery endpoint.
 */

/** RFC 7643 §2.3 data types. */
export type AttributeType =
  | 'string'
  | 'boolean'
  | 'decimal'
  | 'integer'
  | 'dateTime'
  | 'reference'
  | 'complex'
  | 'binary';

/** RFC 7643 §7 "mutability". */
export type Mutability = 'readOnly' | 'readWrite' | 'immutable' | 'writeOnly';

/** RFC 7643 §7 "returned". */
export type Returned = 'always' | 'never' | 'default' | 'request';

/** RFC 7643 §7 "uniqueness". */
export type Uniqueness = 'none' | 'server' | 'global';

/**
 * One attribute (or sub-attribute) definition, RFC 7643 §7.
 *
 * Every characteristic is spelled out, even where RFC 7643 §8.7.1 leaves it to the §2.2 defaults,
 * so consumers never have to know those defaults. `required` binds whoever writes the attribute:
 * on a `readOnly` attribute (such as `id`) it constrains the service provider's representation,
 * never a client's request.
 */
export interface AttributeDefinition {
  readonly name: string;
  readonly type: AttributeType;
  readonly multiValued: boolean;
  readonly description: string;
  readonly required: boolean;
  readonly caseExact: boolean;
  readonly mutability: Mutability;
  readonly returned: Returned;
  readonly uniqueness: Uniqueness;
  /** Present exactly when `type` is `complex`; sub-attributes are never complex themselves. */
  readonly subAttributes?: readonly AttributeDefinition[];
  readonly canonicalValues?: readonly string[];
  /** Present exactly when `type` is `reference`: resource type names, `external` or `uri`. */
  readonly referenceTypes?: readonly string[];
}

/** A schema resource, RFC 7643 §7: `id` is the schema URN. */
export interface SchemaDefinition {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly attributes: readonly AttributeDefinition[];
}

/**
 * The schemas that make up one resource type: its core schema and the extensions it allows
 * (RFC 7643 §6 `schema` and `schemaExtensions`).
 */
export interface ResourceSchemas {
  readonly core: SchemaDefinition;
  readonly extensions: readonly SchemaDefinition[];
}
