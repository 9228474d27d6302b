import type { AttributeDefinition, SchemaDefinition } from './types.ts';

type AttributeInput = Pick<AttributeDefinition, 'name' | 'type' | 'description'> &
  Partial<Omit<AttributeDefinition, 'name' | 'type' | 'description'>>;

/**
 * Builds a frozen attribute definition, filling in the RFC 7643 §2.2 defaults (not required,
 * case-insensitive, readWrite, returned by default, no uniqueness) plus single-valued.
 * Definitions are module-level singletons shared by every tenant, hence frozen.
 */
export function attribute(input: AttributeInput): AttributeDefinition {
  const definition: AttributeDefinition = {
    name: input.name,
    type: input.type,
    multiValued: input.multiValued ?? false,
    description: input.description,
    required: input.required ?? false,
    caseExact: input.caseExact ?? false,
    mutability: input.mutability ?? 'readWrite',
    returned: input.returned ?? 'default',
    uniqueness: input.uniqueness ?? 'none',
    ...(input.subAttributes && { subAttributes: Object.freeze([...input.subAttributes]) }),
    ...(input.canonicalValues && { canonicalValues: Object.freeze([...input.canonicalValues]) }),
    ...(input.referenceTypes && { referenceTypes: Object.freeze([...input.referenceTypes]) }),
  };
  return Object.freeze(definition);
}

/** Builds a frozen schema definition. */
export function schema(
  id: string,
  name: string,
  description: string,
  attributes: readonly AttributeDefinition[],
): SchemaDefinition {
  return Object.freeze({ id, name, description, attributes: Object.freeze([...attributes]) });
}
