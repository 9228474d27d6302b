/**
 * The `schemas` attribute of a resource body (RFC 7643 §3): which core schema the body claims to
 * be and which extensions it declares. URNs compare case-insensitively, like attribute names.
 */
import { ENTRA_LEGACY_GROUP_URN, type ResourceSchemas } from '../schema/index.ts';
import { findKey, type JsonObject } from './json.ts';
import { fault } from './result.ts';

export interface DeclaredSchemas {
  /** Every URN listed other than the core one and Entra's legacy group URN, lower-cased. */
  readonly extensions: ReadonlySet<string>;
}

export function readDeclaredSchemas(body: JsonObject, resourceSchemas: ResourceSchemas): DeclaredSchemas {
  const key = findKey(body, 'schemas');
  const raw = key === undefined ? undefined : body[key];
  const coreUrn = resourceSchemas.core.id;
  if (!Array.isArray(raw) || raw.length === 0) {
    fault('invalidSyntax', `"schemas" must be a list of schema URNs that includes "${coreUrn}"`);
  }
  const urns = raw.map((urn, i) => {
    if (typeof urn !== 'string' || urn === '') fault('invalidSyntax', `"schemas[${i}]" must be a schema URN`);
    return urn.toLowerCase();
  });
  if (!urns.includes(coreUrn.toLowerCase())) {
    fault('invalidSyntax', `"schemas" must include "${coreUrn}"`);
  }
  // Microsoft Entra ID lists its legacy group URN beside the core one; it names no attributes.
  const ignored = new Set([coreUrn.toLowerCase(), ENTRA_LEGACY_GROUP_URN.toLowerCase()]);
  return { extensions: new Set(urns.filter((urn) => !ignored.has(urn))) };
}
