/** Who may do what: the permission catalogue, built-in roles, and the checks every verb makes. */
export * from './permissions.ts';
export * from './authorize.ts';
export * from './principal.ts';
