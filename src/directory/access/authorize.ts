/**
 * Authorization, in the domain so that every surface (admin API, console, CLI) enforces the same
 * rules. Operators (API keys, the CLI) and Roster's own protocol actors (SCIM, SSO connections,
 * jobs) may do everything; a member what their role grants, in their own organization only; the
 * app reads what its token's scopes allow and writes nothing.
 */
import { DomainError } from '../../errors.ts';
import type { Actor, OrgContext } from '../context.ts';
import { roleGrants } from './permissions.ts';

/** What an app's client-credentials token may read, by scope. */
export const APP_READ_SCOPES = {
  members: 'members:read',
  teams: 'teams:read',
  roles: 'roles:read',
  directory: 'directory:read',
  audit: 'audit:read',
} as const;
export type Readable = keyof typeof APP_READ_SCOPES;

/** Whether the actor may act on this organization at all (a member only in their own). */
function inScope(ctx: OrgContext): boolean {
  return ctx.actor.type !== 'member' || ctx.actor.organizationId === ctx.organization.id;
}

/** Whether the actor holds a permission in ctx's organization. */
export function can(ctx: OrgContext, permission: string): boolean {
  const actor = ctx.actor;
  switch (actor.type) {
    case 'member':
      return inScope(ctx) && roleGrants(actor.role, actor.permissions, permission);
    case 'app':
      return false;
    default:
      return true;
  }
}

/** Throws `forbidden` unless the actor holds the permission; the message names what was missing. */
export function requirePermission(ctx: OrgContext, permission: string, doing: string): void {
  if (!inScope(ctx)) throw outsideOrganization();
  if (can(ctx, permission)) return;
  if (ctx.actor.type === 'app') throw new DomainError('forbidden', `an app token may only read; it cannot ${doing}`);
  throw new DomainError('forbidden', `${doing} needs the "${permission}" permission, which role "${roleOf(ctx.actor)}" does not grant`, {
    details: { permission },
  });
}

/**
 * Reading: any member of the organization reads its members, teams and roles (viewers included);
 * the audit log and the raw directory need their permission; an app needs the read scope.
 */
export function requireRead(ctx: OrgContext, what: Readable): void {
  if (!inScope(ctx)) throw outsideOrganization();
  const actor = ctx.actor;
  if (actor.type === 'app') {
    if (actor.scopes.has(APP_READ_SCOPES[what])) return;
    throw new DomainError('forbidden', `reading ${what} needs the "${APP_READ_SCOPES[what]}" scope on the app's token`, {
      details: { scope: APP_READ_SCOPES[what] },
    });
  }
  if (actor.type !== 'member') return;
  if (what === 'audit') return requirePermission(ctx, 'audit.view', 'reading the audit log');
  if (what === 'directory') return requirePermission(ctx, 'sso.manage', 'reading the SCIM directory');
}

/** Whether this actor is the member `memberId` (for the rules about one's own account). */
export function isSelf(actor: Actor, memberId: string): boolean {
  return actor.type === 'member' && actor.id === memberId;
}

/** A team's admins manage that team; so do holders of `teams.manage`. */
export function canManageTeam(ctx: OrgContext, teamId: string): boolean {
  return can(ctx, 'teams.manage') || (ctx.actor.type === 'member' && inScope(ctx) && ctx.actor.teamAdminOf.has(teamId));
}

// The same answer as an unknown organization: a member of one cannot learn which others exist.
function outsideOrganization(): DomainError {
  return new DomainError('not_found', 'no such organization');
}

function roleOf(actor: Actor): string {
  return actor.type === 'member' ? actor.role : actor.type;
}

/** What only operators do (apps, the permission catalogue, anything across organizations). */
export function requireOperator(actor: Actor, doing: string): void {
  if (actor.type === 'operator' || actor.type === 'api_key' || actor.type === 'system') return;
  throw new DomainError('forbidden', `${doing} needs an operator API key`);
}
