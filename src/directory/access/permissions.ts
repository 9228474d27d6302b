/**
 * The permission catalogue: Roster's own permissions, fixed here, and the app's, registered at
 * run time (app_permissions). Built-in roles are defined here; custom roles list their permissions.
 */

/** Roster's own permissions. App permissions may not reuse these keys. */
export const ROSTER_PERMISSIONS = {
  'members.manage': 'Invite, edit, deactivate, reactivate and remove members',
  'roles.assign': "Change members' roles and edit custom roles",
  'teams.manage': 'Create, edit and delete teams and choose their members',
  'sso.manage': 'Manage SSO connections, domains and SCIM directories',
  'audit.view': 'Read the audit log and login history',
  'billing.manage': 'Change seats and billing, and transfer ownership',
  'profile.edit': 'Edit their own profile',
} as const;

export type RosterPermission = keyof typeof ROSTER_PERMISSIONS;

export const BUILTIN_ROLES = ['owner', 'admin', 'member', 'viewer'] as const;
export type BuiltinRole = (typeof BUILTIN_ROLES)[number];

export function isBuiltinRole(role: string): role is BuiltinRole {
  return (BUILTIN_ROLES as readonly string[]).includes(role);
}

export function isRosterPermission(key: string): key is RosterPermission {
  return Object.hasOwn(ROSTER_PERMISSIONS, key);
}

/**
 * Whether a role grants a permission. Owners hold every permission, the app's included; admins
 * every one but billing; members edit their own profile; viewers only read. Custom roles hold what
 * they list, never billing (only owners change seats and billing).
 */
export function roleGrants(role: string, customPermissions: ReadonlySet<string>, permission: string): boolean {
  switch (role) {
    case 'owner':
      return true;
    case 'admin':
      return permission !== 'billing.manage';
    case 'member':
      return permission === 'profile.edit';
    case 'viewer':
      return false;
    default:
      return permission !== 'billing.manage' && customPermissions.has(permission);
  }
}
