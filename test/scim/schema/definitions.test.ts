import { describe, expect, it } from 'vitest';
import {
  COMMON_ATTRIBUTES,
  ENTERPRISE_USER_SCHEMA,
  ENTERPRISE_USER_SCHEMA_URN,
  ENTRA_LEGACY_GROUP_URN,
  ERROR_URN,
  GROUP_RESOURCE_SCHEMAS,
  GROUP_SCHEMA,
  GROUP_SCHEMA_URN,
  LIST_RESPONSE_URN,
  PATCH_OP_URN,
  RESOURCE_SCHEMAS,
  USER_RESOURCE_SCHEMAS,
  USER_SCHEMA,
  USER_SCHEMA_URN,
  resolvePath,
} from '../../../src/scim/schema/index.ts';
import type {
  AttributeDefinition,
  AttributePath,
  ResourceSchemas,
} from '../../../src/scim/schema/index.ts';

function definitionAt(schemas: ResourceSchemas, path: AttributePath): AttributeDefinition {
  const resolved = resolvePath(schemas, path);
  if (resolved === undefined) throw new Error(`no attribute at ${JSON.stringify(path)}`);
  return resolved.definition;
}

const user = (attr: string, subAttr?: string) =>
  definitionAt(USER_RESOURCE_SCHEMAS, subAttr === undefined ? { attr } : { attr, subAttr });
const group = (attr: string, subAttr?: string) =>
  definitionAt(GROUP_RESOURCE_SCHEMAS, subAttr === undefined ? { attr } : { attr, subAttr });
const enterprise = (attr: string, subAttr?: string) =>
  definitionAt(USER_RESOURCE_SCHEMAS, {
    schema: ENTERPRISE_USER_SCHEMA_URN,
    attr,
    ...(subAttr !== undefined && { subAttr }),
  });

const names = (attributes: readonly AttributeDefinition[] | undefined) =>
  (attributes ?? []).map((a) => a.name);

describe('schema identity', () => {
  it('uses the registered URNs as schema ids', () => {
    expect(USER_SCHEMA.id).toBe('urn:ietf:params:scim:schemas:core:2.0:User');
    expect(GROUP_SCHEMA.id).toBe('urn:ietf:params:scim:schemas:core:2.0:Group');
    expect(ENTERPRISE_USER_SCHEMA.id).toBe(
      'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User',
    );
    expect([USER_SCHEMA_URN, GROUP_SCHEMA_URN, ENTERPRISE_USER_SCHEMA_URN]).toEqual(
      RESOURCE_SCHEMAS.map((s) => s.id),
    );
    expect(LIST_RESPONSE_URN).toBe('urn:ietf:params:scim:api:messages:2.0:ListResponse');
    expect(PATCH_OP_URN).toBe('urn:ietf:params:scim:api:messages:2.0:PatchOp');
    expect(ERROR_URN).toBe('urn:ietf:params:scim:api:messages:2.0:Error');
    expect(ENTRA_LEGACY_GROUP_URN).toBe(
      'http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group',
    );
  });
});

describe('attribute sets', () => {
  it('defines exactly the RFC 7643 User attributes', () => {
    expect(names(USER_SCHEMA.attributes)).toEqual([
      'userName', 'name', 'displayName', 'nickName', 'profileUrl', 'title', 'userType',
      'preferredLanguage', 'locale', 'timezone', 'active', 'password', 'emails', 'phoneNumbers',
      'ims', 'photos', 'addresses', 'groups', 'entitlements', 'roles', 'x509Certificates',
    ]);
    expect(names(user('name').subAttributes)).toEqual([
      'formatted', 'familyName', 'givenName', 'middleName', 'honorificPrefix', 'honorificSuffix',
    ]);
    expect(names(user('addresses').subAttributes)).toEqual([
      'formatted', 'streetAddress', 'locality', 'region', 'postalCode', 'country', 'type',
      'primary',
    ]);
    expect(names(user('groups').subAttributes)).toEqual(['value', '$ref', 'display', 'type']);
  });

  it('defines exactly the RFC 7643 Group and enterprise attributes', () => {
    expect(names(GROUP_SCHEMA.attributes)).toEqual(['displayName', 'members']);
    expect(names(group('members').subAttributes)).toEqual(['value', '$ref', 'display', 'type']);
    expect(names(ENTERPRISE_USER_SCHEMA.attributes)).toEqual([
      'employeeNumber', 'costCenter', 'organization', 'division', 'department', 'manager',
    ]);
    expect(names(enterprise('manager').subAttributes)).toEqual(['value', '$ref', 'displayName']);
  });

  it('keeps id, externalId and meta apart as common attributes', () => {
    expect(names(COMMON_ATTRIBUTES)).toEqual(['id', 'externalId', 'meta']);
    expect(names(user('meta').subAttributes)).toEqual([
      'resourceType', 'created', 'lastModified', 'location', 'version',
    ]);
  });
});

describe('characteristics that decide behaviour', () => {
  it('never returns or reads back the password', () => {
    expect(user('password')).toMatchObject({ mutability: 'writeOnly', returned: 'never' });
  });

  it('makes userName required, case-insensitive and unique per server', () => {
    expect(user('userName')).toMatchObject({
      type: 'string',
      required: true,
      caseExact: false,
      uniqueness: 'server',
    });
  });

  it('always returns id, which only the server assigns', () => {
    expect(user('id')).toMatchObject({
      mutability: 'readOnly',
      returned: 'always',
      caseExact: true,
    });
    expect(group('id').returned).toBe('always');
  });

  it('lets clients write externalId and compares it exactly', () => {
    expect(user('externalId')).toMatchObject({ mutability: 'readWrite', caseExact: true });
  });

  it('makes meta and all of its parts readOnly', () => {
    const meta = user('meta');
    expect(meta.mutability).toBe('readOnly');
    for (const sub of meta.subAttributes ?? []) expect(sub.mutability).toBe('readOnly');
    expect(user('meta', 'created').type).toBe('dateTime');
  });

  it('makes a user\'s groups readOnly throughout', () => {
    const groups = user('groups');
    expect(groups.mutability).toBe('readOnly');
    expect(groups.multiValued).toBe(true);
    for (const sub of groups.subAttributes ?? []) expect(sub.mutability).toBe('readOnly');
  });

  it('makes group members immutable and typed User or Group', () => {
    expect(group('members')).toMatchObject({ multiValued: true, mutability: 'readWrite' });
    expect(group('members', 'value').mutability).toBe('immutable');
    expect(group('members', '$ref').referenceTypes).toEqual(['User', 'Group']);
    expect(group('members', 'type').canonicalValues).toEqual(['User', 'Group']);
  });

  it('requires a group displayName', () => {
    expect(group('displayName')).toMatchObject({ required: true, uniqueness: 'none' });
  });

  it('lets the server alone fill in the manager displayName', () => {
    expect(enterprise('manager')).toMatchObject({ type: 'complex', multiValued: false });
    expect(enterprise('manager', 'displayName').mutability).toBe('readOnly');
    expect(enterprise('manager', 'value')).toMatchObject({ mutability: 'readWrite', required: false });
    expect(enterprise('manager', '$ref').referenceTypes).toEqual(['User']);
  });

  it('types active as boolean and the multi-valued attributes as multi-valued', () => {
    expect(user('active').type).toBe('boolean');
    for (const name of ['emails', 'phoneNumbers', 'ims', 'photos', 'addresses', 'entitlements',
      'roles', 'x509Certificates']) {
      expect(user(name).multiValued, name).toBe(true);
    }
    expect(user('x509Certificates', 'value').type).toBe('binary');
    expect(user('emails', 'type').canonicalValues).toEqual(['work', 'home', 'other']);
  });
});

describe('structure of every definition', () => {
  type Located = { path: string; attribute: AttributeDefinition; depth: number };

  function* walk(
    attributes: readonly AttributeDefinition[],
    prefix: string,
    depth = 0,
  ): Generator<Located> {
    for (const attribute of attributes) {
      const path = `${prefix}${attribute.name}`;
      yield { path, attribute, depth };
      if (attribute.subAttributes) yield* walk(attribute.subAttributes, `${path}.`, depth + 1);
    }
  }

  const all: Located[] = [
    ...RESOURCE_SCHEMAS.flatMap((s) => [...walk(s.attributes, `${s.name}:`)]),
    ...walk(COMMON_ATTRIBUTES, 'common:'),
  ];

  it('gives every complex attribute sub-attributes and no simple attribute any', () => {
    for (const { path, attribute } of all) {
      if (attribute.type === 'complex') {
        expect(attribute.subAttributes?.length, path).toBeGreaterThan(0);
      } else {
        expect(attribute.subAttributes, path).toBeUndefined();
      }
    }
  });

  it('nests complex attributes only one level deep (RFC 7643 §2.3.8)', () => {
    for (const { path, attribute, depth } of all) {
      if (depth > 0) expect(attribute.type, path).not.toBe('complex');
    }
  });

  it('gives referenceTypes to references only, and to every reference', () => {
    for (const { path, attribute } of all) {
      if (attribute.type === 'reference') {
        expect(attribute.referenceTypes?.length, path).toBeGreaterThan(0);
      } else {
        expect(attribute.referenceTypes, path).toBeUndefined();
      }
    }
  });

  it('gives canonicalValues to strings only', () => {
    for (const { path, attribute } of all) {
      if (attribute.canonicalValues !== undefined) expect(attribute.type, path).toBe('string');
    }
  });

  it('keeps names unique within each level, ignoring case', () => {
    const levels: (readonly AttributeDefinition[])[] = [
      ...RESOURCE_SCHEMAS.map((s) => s.attributes),
      [...USER_SCHEMA.attributes, ...COMMON_ATTRIBUTES],
      [...GROUP_SCHEMA.attributes, ...COMMON_ATTRIBUTES],
      ...all.flatMap(({ attribute }) => (attribute.subAttributes ? [attribute.subAttributes] : [])),
    ];
    for (const level of levels) {
      const lower = level.map((a) => a.name.toLowerCase());
      expect(new Set(lower).size, lower.join(',')).toBe(lower.length);
    }
  });

  it('describes every attribute', () => {
    for (const { path, attribute } of all) expect(attribute.description, path).not.toBe('');
  });

  it('is frozen, since every tenant shares it', () => {
    expect(Object.isFrozen(USER_SCHEMA)).toBe(true);
    expect(Object.isFrozen(USER_SCHEMA.attributes)).toBe(true);
    for (const { path, attribute } of all) {
      expect(Object.isFrozen(attribute), path).toBe(true);
      if (attribute.subAttributes) expect(Object.isFrozen(attribute.subAttributes), path).toBe(true);
    }
  });
});
