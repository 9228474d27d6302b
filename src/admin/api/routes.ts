/** Every area of the admin API registers its routes here, each from its own file. */
import { adminApiRoutes } from '../api-routes.ts';
import type { AdminApi, AdminApiDeps } from './env.ts';
import { registerOrganizationRoutes } from './organization-routes.ts';

export function registerRoutes(api: AdminApi, deps: AdminApiDeps): void {
  registerOrganizationRoutes(api);
  api.route('/', adminApiRoutes(deps));
}
