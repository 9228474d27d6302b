/**
 * Turns a resource body into the canonical document. Shared by POST/PUT ({@link
 * ../normalize.ts}) and by PATCH, which re-runs its result through here so a PATCH can never
 * store what a PUT would have rejected.
 */
import {
  COMMON_ATTRIBUTES,
  findAttribute,
  type AttributeDefinition,
  type ResourceSchemas,
  type SchemaDefinition,
} from '../schema/index.ts';
import { checkAttributeValue } from './attribute-value.ts';
import { readDeclaredSchemas } from './declared-schemas.ts';
import { isForeignSchemaUrn } from './foreign-schema.ts';
import type { MemberRef, ResourceKind, ScimDocument } from './document.ts';
import { cloneJson, isPlainObject, jsonType, setOwn, type JsonObject } from './json.ts';
import type { ResolvedLimits } from './limits.ts';
import { parseMemberRefs } from './members.ts';
import { fault } from './result.ts';

export interface BuiltResource {
  readonly document: ScimDocument;
  /** Group `members` when the body has the key: `[]` for `null` or `[]`, absent when not sent. */
  readonly members?: MemberRef[];
}

export function buildResource(
  body: unknown,
  kind: ResourceKind,
  resourceSchemas: ResourceSchemas,
  limits: ResolvedLimits,
): BuiltResource {
  if (!isPlainObject(body)) fault('invalidSyntax', `the ${kind} must be a JSON object, not ${jsonType(body)}`);
  const declared = readDeclaredSchemas(body, resourceSchemas);
  const { core, extensions } = resourceSchemas;

  const coreValues = new Map<string, unknown>();
  const extensionValues = new Map<string, Map<string, unknown>>();
  const foreign = new Map<string, unknown>();
  const seenKeys = new Map<string, string>();
  let members: MemberRef[] | undefined;

  for (const [key, raw] of Object.entries(body)) {
    const lower = key.toLowerCase();
    if (lower === 'schemas') continue;
    const earlier = seenKeys.get(lower);
    if (earlier !== undefined) fault('invalidSyntax', `"${key}" is given twice, as "${earlier}" and "${key}"`);
    seenKeys.set(lower, key);

    const extension = extensions.find((candidate) => candidate.id.toLowerCase() === lower);
    if (extension !== undefined) {
      extensionValues.set(extension.id, readExtension(extension, raw, limits));
      continue;
    }
    if (declared.extensions.has(lower) && isForeignSchemaUrn(key, resourceSchemas)) {
      // Extensions this server does not define (Okta and Entra custom attribute schemas) are
      // kept as sent: without their schema there is nothing to check them against.
      if (raw === null) continue;
      if (!isPlainObject(raw)) fault('invalidValue', `"${key}" must be an object, not ${jsonType(raw)}`);
      if (Object.keys(raw).length > 0) foreign.set(key, cloneJson(raw));
      continue;
    }
    if (declared.extensions.has(lower)) {
      fault('invalidSyntax', `"${key}" is reserved for SCIM core schemas and messages; it cannot hold extension data`);
    }
    if (key.includes(':')) {
      fault(
        'invalidSyntax',
        `"${key}" is not a schema listed in "schemas"; extension attributes go in an object ` +
          'under their schema URN, and that URN in "schemas"',
      );
    }

    const definition = findAttribute(core, key) ?? COMMON_ATTRIBUTES.find((a) => a.name.toLowerCase() === lower);
    if (definition === undefined) fault('invalidSyntax', `the ${kind} schema has no attribute "${key}"`);
    // Roster holds no passwords: the one Okta's password sync pushes is accepted and dropped
    // unread, so it is never checked, hashed, stored or echoed in an error message.
    if (kind === 'User' && definition.name === 'password') continue;
    if (kind === 'Group' && definition.name === 'members') {
      members = parseMemberRefs(raw, 'members', limits);
      continue;
    }
    // RFC 7644 §3.3: readOnly attributes in a request (id, meta, groups) are ignored.
    if (definition.mutability === 'readOnly') continue;
    const value = checkAttributeValue(definition, raw, definition.name, limits);
    if (value !== undefined) coreValues.set(definition.name, value);
  }

  checkRequired(core, coreValues, '');
  const document: ScimDocument = { schemas: [core.id] };
  for (const definition of [...COMMON_ATTRIBUTES, ...core.attributes]) {
    if (coreValues.has(definition.name)) document[definition.name] = coreValues.get(definition.name);
  }
  for (const extension of extensions) {
    const values = extensionValues.get(extension.id);
    if (values === undefined || values.size === 0) continue;
    checkRequired(extension, values, `${extension.id}:`);
    const container: JsonObject = {};
    for (const definition of extension.attributes) {
      if (values.has(definition.name)) container[definition.name] = values.get(definition.name);
    }
    document.schemas.push(extension.id);
    document[extension.id] = container;
  }
  for (const [urn, value] of foreign) {
    document.schemas.push(urn);
    setOwn(document, urn, value);
  }
  return {
    document,
    ...(members !== undefined && { members }),
  };
}

function readExtension(
  extension: SchemaDefinition,
  raw: unknown,
  limits: ResolvedLimits,
): Map<string, unknown> {
  const values = new Map<string, unknown>();
  if (raw === null) return values;
  if (!isPlainObject(raw)) fault('invalidValue', `"${extension.id}" must be an object, not ${jsonType(raw)}`);
  const seen = new Map<string, string>();
  for (const [key, item] of Object.entries(raw)) {
    const definition = findAttribute(extension, key);
    if (definition === undefined) fault('invalidSyntax', `the schema "${extension.id}" has no attribute "${key}"`);
    const earlier = seen.get(definition.name);
    if (earlier !== undefined) {
      fault('invalidSyntax', `"${extension.id}" gives "${definition.name}" twice, as "${earlier}" and "${key}"`);
    }
    seen.set(definition.name, key);
    if (definition.mutability === 'readOnly') continue;
    const value = checkAttributeValue(definition, item, `${extension.id}:${definition.name}`, limits);
    if (value !== undefined) values.set(definition.name, value);
  }
  return values;
}

function checkRequired(schema: SchemaDefinition, values: ReadonlyMap<string, unknown>, prefix: string): void {
  for (const definition of schema.attributes) {
    if (!definition.required || isServerAssigned(definition)) continue;
    const value = values.get(definition.name);
    if (value === undefined || (typeof value === 'string' && value.trim() === '')) {
      fault('invalidValue', `"${prefix}${definition.name}" is required and must not be empty`);
    }
  }
}

// `required` on a readOnly attribute binds the service provider, never the client (see types.ts).
function isServerAssigned(definition: AttributeDefinition): boolean {
  return definition.mutability === 'readOnly';
}
