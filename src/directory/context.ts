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
  | { readonly type: 'connection'; readonly id: string };

export interface Context {
  readonly db: Database;
  readonly actor: Actor;
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
