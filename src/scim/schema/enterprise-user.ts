import { attribute, schema } from './define.ts';
import { ENTERPRISE_USER_SCHEMA_URN } from './urns.ts';

/** The enterprise User extension, RFC 7643 §4.3 and §8.7.1. */
export const ENTERPRISE_USER_SCHEMA = schema(
  ENTERPRISE_USER_SCHEMA_URN,
  'EnterpriseUser',
  'Enterprise User',
  [
    attribute({
      name: 'employeeNumber',
      type: 'string',
      description: 'A numeric or alphanumeric identifier assigned by the organization.',
    }),
    attribute({ name: 'costCenter', type: 'string', description: 'The name of a cost center.' }),
    attribute({
      name: 'organization',
      type: 'string',
      description: 'The name of an organization.',
    }),
    attribute({ name: 'division', type: 'string', description: 'The name of a division.' }),
    attribute({ name: 'department', type: 'string', description: 'The name of a department.' }),
    // §8.7.1 marks value and $ref as not required although their descriptions say REQUIRED;
    // keeping them optional lets a manager given by id alone (as Microsoft Entra ID sends it) in.
    attribute({
      name: 'manager',
      type: 'complex',
      description: "The User's manager, referring to the id of another User.",
      subAttributes: [
        attribute({
          name: 'value',
          type: 'string',
          description: "The id of the manager's User resource.",
        }),
        attribute({
          name: '$ref',
          type: 'reference',
          referenceTypes: ['User'],
          description: "The URI of the manager's User resource.",
        }),
        attribute({
          name: 'displayName',
          type: 'string',
          description: "The manager's displayName, filled in by the service provider.",
          mutability: 'readOnly',
        }),
      ],
    }),
  ],
);
