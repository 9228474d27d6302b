/**
 * Which URNs may hold data kept as sent: extensions the server does not define, such as Entra's
 * `urn:ietf:params:scim:schemas:extension:CustomExtensionName:2.0:User` or Okta's
 * `urn:okta:<app>:1.0:user:custom`. URNs in the IETF SCIM namespace outside its extension branch
 * are reserved for core schemas and protocol messages, and a truncated known URN
 * (`urn:…:enterprise:2.0`) is a typo, not a new extension.
 */
import type { ResourceSchemas } from '../schema/index.ts';

const IETF_SCIM = 'urn:ietf:params:scim:';
const IETF_SCIM_EXTENSIONS = 'urn:ietf:params:scim:schemas:extension:';

export function isForeignSchemaUrn(urn: string, resourceSchemas: ResourceSchemas): boolean {
  const lower = urn.toLowerCase();
  if (lower.startsWith(IETF_SCIM) && !lower.startsWith(IETF_SCIM_EXTENSIONS)) return false;
  const known = [resourceSchemas.core, ...resourceSchemas.extensions].map((schema) => schema.id.toLowerCase());
  return !known.some((id) => id === lower || id.startsWith(`${lower}:`));
}
