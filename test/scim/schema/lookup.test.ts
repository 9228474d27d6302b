import { describe, expect, it } from 'vitest';
import {
  ENTERPRISE_USER_SCHEMA,
  ENTERPRISE_USER_SCHEMA_URN,
  GROUP_RESOURCE_SCHEMAS,
  GROUP_SCHEMA_URN,
  USER_RESOURCE_SCHEMAS,
  USER_SCHEMA,
  USER_SCHEMA_URN,
  findAttribute,
  findSubAttribute,
  resolvePath,
} from '../../../src/scim/schema/index.ts';
import type { ResourceSchemas } from '../../../src/scim/schema/index.ts';

describe('findAttribute / findSubAttribute', () => {
  it('match names case-insensitively and return the canonical definition', () => {
    expect(findAttribute(USER_SCHEMA, 'USERNAME')?.name).toBe('userName');
    expect(findAttribute(USER_SCHEMA, 'phonenumbers')?.name).toBe('phoneNumbers');
    const name = findAttribute(USER_SCHEMA, 'Name');
    expect(name && findSubAttribute(name, 'GIVENNAME')?.name).toBe('givenName');
    const emails = findAttribute(USER_SCHEMA, 'emails');
    expect(emails && findSubAttribute(emails, 'Value')?.name).toBe('value');
  });

  it('return undefined for unknown names and for sub-attributes of simple attributes', () => {
    expect(findAttribute(USER_SCHEMA, 'nope')).toBeUndefined();
    const userName = findAttribute(USER_SCHEMA, 'userName');
    expect(userName && findSubAttribute(userName, 'value')).toBeUndefined();
  });

  it('do not see extension or common attributes through the core schema', () => {
    expect(findAttribute(USER_SCHEMA, 'department')).toBeUndefined();
    expect(findAttribute(USER_SCHEMA, 'id')).toBeUndefined();
    expect(findAttribute(ENTERPRISE_USER_SCHEMA, 'DEPARTMENT')?.name).toBe('department');
  });
});

describe('resolvePath', () => {
  it('resolves an unqualified core attribute and sub-attribute', () => {
    const resolved = resolvePath(USER_RESOURCE_SCHEMAS, { attr: 'NAME', subAttr: 'familyname' });
    expect(resolved?.schema).toBe(USER_SCHEMA_URN);
    expect(resolved?.extension).toBe(false);
    expect(resolved?.attribute.name).toBe('name');
    expect(resolved?.subAttribute?.name).toBe('familyName');
    expect(resolved?.definition).toBe(resolved?.subAttribute);
  });

  it('resolves a complex attribute without a sub-attribute to the attribute itself', () => {
    const resolved = resolvePath(USER_RESOURCE_SCHEMAS, { attr: 'emails' });
    expect(resolved?.definition.name).toBe('emails');
    expect(resolved?.subAttribute).toBeUndefined();
  });

  it('resolves paths qualified with the core URN, in any case', () => {
    const resolved = resolvePath(USER_RESOURCE_SCHEMAS, {
      schema: USER_SCHEMA_URN.toUpperCase(),
      attr: 'userName',
    });
    expect(resolved?.schema).toBe(USER_SCHEMA_URN);
    expect(resolved?.definition.name).toBe('userName');
  });

  it('resolves extension-qualified paths to the extension schema', () => {
    const employeeNumber = resolvePath(USER_RESOURCE_SCHEMAS, {
      schema: ENTERPRISE_USER_SCHEMA_URN,
      attr: 'employeeNumber',
    });
    expect(employeeNumber?.schema).toBe(ENTERPRISE_USER_SCHEMA_URN);
    expect(employeeNumber?.extension).toBe(true);

    const managerValue = resolvePath(USER_RESOURCE_SCHEMAS, {
      schema: 'URN:IETF:PARAMS:SCIM:SCHEMAS:EXTENSION:ENTERPRISE:2.0:USER',
      attr: 'Manager',
      subAttr: 'value',
    });
    expect(managerValue?.schema).toBe(ENTERPRISE_USER_SCHEMA_URN);
    expect(managerValue?.attribute.name).toBe('manager');
    expect(managerValue?.definition.name).toBe('value');
  });

  it('keeps each URN to its own schema', () => {
    expect(
      resolvePath(USER_RESOURCE_SCHEMAS, { schema: ENTERPRISE_USER_SCHEMA_URN, attr: 'userName' }),
    ).toBeUndefined();
    expect(
      resolvePath(USER_RESOURCE_SCHEMAS, { schema: USER_SCHEMA_URN, attr: 'employeeNumber' }),
    ).toBeUndefined();
    expect(
      resolvePath(USER_RESOURCE_SCHEMAS, { schema: ENTERPRISE_USER_SCHEMA_URN, attr: 'id' }),
    ).toBeUndefined();
    expect(
      resolvePath(GROUP_RESOURCE_SCHEMAS, { schema: USER_SCHEMA_URN, attr: 'displayName' }),
    ).toBeUndefined();
    expect(
      resolvePath(USER_RESOURCE_SCHEMAS, { schema: 'urn:example:unknown', attr: 'userName' }),
    ).toBeUndefined();
  });

  it('resolves common attributes as part of the core schema', () => {
    const id = resolvePath(USER_RESOURCE_SCHEMAS, { attr: 'ID' });
    expect(id?.schema).toBe(USER_SCHEMA_URN);
    expect(id?.definition.name).toBe('id');

    const externalId = resolvePath(GROUP_RESOURCE_SCHEMAS, {
      schema: GROUP_SCHEMA_URN,
      attr: 'externalid',
    });
    expect(externalId?.schema).toBe(GROUP_SCHEMA_URN);
    expect(externalId?.definition.name).toBe('externalId');

    const lastModified = resolvePath(GROUP_RESOURCE_SCHEMAS, {
      attr: 'meta',
      subAttr: 'LASTMODIFIED',
    });
    expect(lastModified?.definition.type).toBe('dateTime');
  });

  it('resolves an unqualified extension attribute when one extension defines it', () => {
    const manager = resolvePath(USER_RESOURCE_SCHEMAS, { attr: 'manager' });
    expect(manager?.schema).toBe(ENTERPRISE_USER_SCHEMA_URN);
    expect(manager?.extension).toBe(true);
  });

  it('prefers the core schema and refuses names two extensions share', () => {
    const shadow = { ...ENTERPRISE_USER_SCHEMA, id: 'urn:example:shadow:2.0:User' };
    const schemas: ResourceSchemas = {
      core: USER_SCHEMA,
      extensions: [ENTERPRISE_USER_SCHEMA, shadow],
    };
    expect(resolvePath(schemas, { attr: 'department' })).toBeUndefined();
    expect(resolvePath(schemas, { schema: shadow.id, attr: 'department' })?.schema).toBe(
      shadow.id,
    );
    expect(resolvePath(schemas, { attr: 'userName' })?.schema).toBe(USER_SCHEMA_URN);
  });

  it('does not fall through to an extension when a core attribute lacks the sub-attribute', () => {
    expect(resolvePath(USER_RESOURCE_SCHEMAS, { attr: 'name', subAttr: 'value' })).toBeUndefined();
  });

  it('returns undefined for unknown attributes and unknown sub-attributes', () => {
    expect(resolvePath(USER_RESOURCE_SCHEMAS, { attr: 'shoeSize' })).toBeUndefined();
    expect(
      resolvePath(USER_RESOURCE_SCHEMAS, { attr: 'emails', subAttr: 'shoeSize' }),
    ).toBeUndefined();
    expect(
      resolvePath(USER_RESOURCE_SCHEMAS, { attr: 'userName', subAttr: 'value' }),
    ).toBeUndefined();
    expect(resolvePath(GROUP_RESOURCE_SCHEMAS, { attr: 'userName' })).toBeUndefined();
  });
});
