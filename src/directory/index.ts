/** The domain: organizations, directories, their tokens, operator keys and the audit log. */
export * from './context.ts';
export * from './organizations.ts';
export * from './directories.ts';
export { deleteDirectory, type DeletedDirectory } from './directory-delete.ts';
export * from './scim-tokens.ts';
export * from './scim-admission.ts';
export * from './api-keys.ts';
export { recordAudit, type AuditEntry } from './audit.ts';
export * from './directory-context.ts';
export * from './directory-users.ts';
export * from './directory-groups.ts';
export { loadMembers, type GroupMember, type MemberChange, type MemberInput, type MemberType, type MembershipDelta } from './group-members.ts';
export type * from './resource-query/index.ts';
export * from './request-log.ts';
export * from './rate-limits.ts';
export { foldResourceCounts } from './resource-counts.ts';
export { userNameKey, userNameProblem } from './user-names.ts';
