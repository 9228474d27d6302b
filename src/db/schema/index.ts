/** The whole schema, one file per aggregate. drizzle-kit reads this file to generate migrations. */
export * from './organizations.ts';
export * from './directories.ts';
export * from './api-keys.ts';
export * from './audit-log.ts';
export * from './directory-resources.ts';
export * from './scim-request-log.ts';
export * from './sso.ts';
export * from './roles.ts';
export * from './members.ts';
export * from './invitations.ts';
export * from './oidc-provider.ts';
