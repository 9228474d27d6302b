/**
 * The operator surface: the command table (what the CLI loads), the local control endpoint and the
 * console. The admin API is its own folder (./api), which the CLI never loads.
 */
export { consoleRoutes } from './console.ts';
export { controlRoutes } from './control-routes.ts';
export { operations, runOperation, isOperationName, type OperationName, type OperationEnv } from './operations.ts';
export type { LoggedRequestJson } from './request-log-json.ts';
