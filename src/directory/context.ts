/**
 * What every verb receives: the database (or the transaction it joins), who is acting, and, for
 * organization-scoped verbs, the organization every query is filtered by.
 */
import type { Database } from '../db/index.ts';
import type { OrganizationId } from '../ids.ts';

export type Actor =
  | { readonly type: 'operator'; readonly id: string }
  | { readonly type: 'api_key'; readonly id: string }
  | { readonly type: 'scim'; readonly id: string }
  | { readonly type: 'system'; readonly id: string }
  /** An SSO connection acting for the IdP, e.g. creating a member just in time at a sign-in. */
  | { readonly type: 'connection'; readonly id: string }
  /** A member acting through the admin API or console: only in their organization, with their role's permissions. */
  | MemberActor
  /** The app, with an access token from Roster's OP (client credentials): read-only, by scope. */
  | { readonly type: 'app'; readonly id: string; readonly scopes: ReadonlySet<string> };

/** A signed-in member and what they may do, loaded once per request (see access/principal.ts). */
export interface MemberActor {
  readonly type: 'member';
  readonly id: string;
  readonly organizationId: OrganizationId;
  readonly email: string;
  readonly role: string;
  /** Permissions of a custom role; built-in roles' come from code (access/permissions.ts). */
  readonly permissions: ReadonlySet<string>;
  /** Teams the member administers (team role `admin`): they manage those teams only. */
  readonly teamAdminOf: ReadonlySet<string>;
}

export interface Context {
  readonly db: Database;
  readonly actor: Actor;
  /** The time verbs read (invitation and code expiry); absent, the system clock. Tests set it. */
  readonly clock?: (() => Date) | undefined;
}

/** The current time as ctx tells it. */
export function nowOf(ctx: Context): Date {
  return ctx.clock?.() ?? new Date();
}

export interface OrganizationRef {
  readonly id: OrganizationId;
  readonly slug: string;
}

export interface OrgContext extends Context {
  readonly organization: OrganizationRef;
}

export function inOrganization(ctx: Context, organization: OrganizationRef): OrgContext {
  return { ...ctx, organization };
}
