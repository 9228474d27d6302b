/** Background work on timers, outside any request: count folding, request-log writing and pruning. */
export * from './periodic-task.ts';
export * from './count-folder.ts';
export * from './request-log-pruner.ts';
export * from './request-log-writer.ts';
export * from './mail-delivery.ts';
