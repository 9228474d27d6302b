/** The domain: organizations, directories, their tokens, operator keys and the audit log. */
export * from './context.ts';
export * from './organizations.ts';
export * from './directories.ts';
export * from './scim-tokens.ts';
export * from './api-keys.ts';
export { recordAudit, type AuditEntry } from './audit.ts';
