/** The admin API: routes, the OpenAPI document, authentication and problem details. */
export { createAdminApi, API_VERSION } from './app.ts';
export type { AdminApi, AdminApiDeps, AdminEnv, AppToken } from './env.ts';
