/** Members: the people of an organization as the app sees them. */
export * from './members.ts';
export * from './console-sessions.ts';
export * from './member-events.ts';
export * from './token-claims.ts';
export * from './seats.ts';
export * from './member-event-feed.ts';
export * from './email-codes.ts';
export * from './member-list.ts';
export * from './member-changes.ts';
export * from './member-status.ts';
export * from './member-bulk.ts';
export * from './ownership.ts';
export * from './login-history.ts';
export * from './last-seen.ts';
export type { MemberRow } from './member-locks.ts';
export type { EndedSessions } from './member-sessions.ts';
