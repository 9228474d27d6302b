/** Email: the outbox every email goes through, and what its delivery and operators read of it. */
export * from './outbox.ts';
export * from './delivery.ts';
