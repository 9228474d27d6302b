/** Every area of the admin API registers its routes here, each from its own file. */
import { registerAppClientRoutes } from './app-client-routes.ts';
import { registerAuditRoutes } from './audit-routes.ts';
import { registerDirectoryRoutes } from './directory-routes.ts';
import type { AdminApi, AdminApiDeps } from './env.ts';
import { registerInvitationRoutes } from './invitation-routes.ts';
import { registerMembersRoutes } from './members-routes.ts';
import { registerOrganizationRoutes } from './organization-routes.ts';
import { registerOrganizationSettingsRoutes } from './organization-settings-routes.ts';
import { registerPermissionRoutes } from './permission-routes.ts';
import { registerRoleRoutes } from './role-routes.ts';
import { registerSsoRoutes } from './sso-routes.ts';
import { registerTeamRoutes } from './team-routes.ts';

export function registerRoutes(api: AdminApi, deps: AdminApiDeps): void {
  registerOrganizationRoutes(api);
  registerOrganizationSettingsRoutes(api);
  registerMembersRoutes(api);
  registerInvitationRoutes(api, deps);
  registerDirectoryRoutes(api, deps);
  registerSsoRoutes(api, deps);
  registerAppClientRoutes(api, deps);
  registerAuditRoutes(api);
  registerPermissionRoutes(api);
  registerRoleRoutes(api);
  registerTeamRoutes(api);
}
