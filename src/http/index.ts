/** Shared HTTP pieces: bearer parsing, error bodies and statuses, logging. */
export * from './bearer.ts';
export * from './error-status.ts';
export * from './failure-summary.ts';
export * from './json-errors.ts';
export * from './logger.ts';
export * from './request-logging.ts';
export * from './console-session.ts';
