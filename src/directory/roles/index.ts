/** Roles and the permission catalogue they are made from. */
export {
  effectivePermissions,
  listPermissions,
  registerAppPermission,
  unregisterAppPermission,
  type Permission,
  type PermissionSource,
} from './catalogue.ts';
export { createRole, deleteRole, listRoles, updateRole, type Role, type RoleChanges, type RoleInput } from './roles.ts';
