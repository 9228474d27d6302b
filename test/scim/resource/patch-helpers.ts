// Parse-then-apply, the way a route calls the engine.
import {
  applyPatch,
  parsePatchRequest,
  type PatchOptions,
  type PatchResult,
  type ResourceKind,
  type ResourceResult,
  type ScimDocument,
} from '../../../src/scim/resource/index.ts';
import { GROUP_RESOURCE_SCHEMAS, USER_RESOURCE_SCHEMAS, type ResourceSchemas } from '../../../src/scim/schema/index.ts';
import { ENTERPRISE_URN, GROUP_URN, patchBody, USER_URN } from './support.ts';

export const SELF_ID = '2819c223-7f76-453a-919d-413861904646';

export function patch(
  document: ScimDocument,
  kind: ResourceKind,
  operations: readonly unknown[],
  options: PatchOptions & { resourceSchemas?: ResourceSchemas } = {},
): ResourceResult<PatchResult> {
  const parsed = parsePatchRequest(patchBody(...operations));
  if (!parsed.ok) return parsed;
  const schemas = options.resourceSchemas ?? (kind === 'User' ? USER_RESOURCE_SCHEMAS : GROUP_RESOURCE_SCHEMAS);
  return applyPatch(document, parsed.value, kind, schemas, { currentId: SELF_ID, ...options });
}

/** A stored user as normalizeResource makes it from Entra's create request. */
export function storedUser(): ScimDocument {
  return {
    schemas: [USER_URN, ENTERPRISE_URN],
    externalId: 'leo.fischer',
    userName: 'leo.fischer@example.onmicrosoft.com',
    name: { formatted: 'Leo Fischer', familyName: 'Fischer', givenName: 'Leo' },
    displayName: 'Leo Fischer',
    active: true,
    emails: [{ value: 'Leo.Fischer@example.com', type: 'work', primary: true }],
    phoneNumbers: [
      { value: '+1 206 555 0142', type: 'work', primary: true },
      { value: '+1 206 555 0199', type: 'mobile' },
    ],
    addresses: [{ streetAddress: '500 Pine Street', locality: 'Seattle', region: 'WA', postalCode: '98101', country: 'US', type: 'work', primary: true }],
    [ENTERPRISE_URN]: { employeeNumber: '1002', department: 'Engineering', manager: { value: 'manager-1' } },
  };
}

export function storedGroup(): ScimDocument {
  return { schemas: [GROUP_URN], externalId: '5b8f0c2e', displayName: 'Engineering' };
}
