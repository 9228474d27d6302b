/** Members: the people of an organization as the app sees them. */
export * from './members.ts';
export * from './console-sessions.ts';
export * from './member-events.ts';
export * from './token-claims.ts';
export * from './seats.ts';
export * from './email-codes.ts';
