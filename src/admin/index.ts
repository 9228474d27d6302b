/** The operator surface: the admin API, the local control endpoint and the command table behind both. */
export { createAdminApi, type AdminApiDeps, type AppToken } from './api/index.ts';
export { consoleRoutes } from './console.ts';
export { controlRoutes } from './control-routes.ts';
export { operations, runOperation, isOperationName, type OperationName, type OperationEnv } from './operations.ts';
export type { LoggedRequestJson } from './request-log-json.ts';
