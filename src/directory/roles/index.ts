/** Roles and the permission catalogue they are made from. */
export * from './catalogue.ts';
export * from './roles.ts';
