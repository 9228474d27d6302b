// A resource type with one attribute of each kind the built-in schemas do not let a client write
// (integer, decimal, dateTime, immutable, returned: request), for the rules that depend on them.
import { attribute, schema } from '../../../src/scim/schema/define.ts';
import type { ResourceSchemas } from '../../../src/scim/schema/index.ts';

export const DEVICE_URN = 'urn:example:params:scim:schemas:core:2.0:Device';
export const DEVICE_EXTENSION_URN = 'urn:example:params:scim:schemas:extension:fleet:2.0:Device';

export const DEVICE_SCHEMAS: ResourceSchemas = Object.freeze({
  core: schema(DEVICE_URN, 'Device', 'A test resource', [
    attribute({ name: 'displayName', type: 'string', description: 'Name.', required: true }),
    attribute({ name: 'slots', type: 'integer', description: 'An integer.' }),
    attribute({ name: 'weight', type: 'decimal', description: 'A decimal.' }),
    attribute({ name: 'purchasedAt', type: 'dateTime', description: 'A dateTime.' }),
    attribute({ name: 'serial', type: 'string', description: 'Set once.', mutability: 'immutable' }),
    attribute({ name: 'secretNote', type: 'string', description: 'Only on request.', returned: 'request' }),
    attribute({ name: 'tags', type: 'string', multiValued: true, description: 'Simple multi-valued.' }),
    attribute({
      name: 'owner',
      type: 'complex',
      description: 'Complex with an immutable part.',
      subAttributes: [
        attribute({ name: 'value', type: 'string', description: 'Owner id.' }),
        attribute({ name: 'since', type: 'dateTime', description: 'Set once.', mutability: 'immutable' }),
      ],
    }),
  ]),
  extensions: Object.freeze([
    schema(DEVICE_EXTENSION_URN, 'Fleet', 'Fleet extension', [
      attribute({ name: 'fleetId', type: 'string', description: 'Required when the extension is present.', required: true }),
      attribute({ name: 'depot', type: 'string', description: 'Where it lives.' }),
    ]),
  ]),
});
