/** Email: the outbox every email goes through. */
export * from './outbox.ts';
