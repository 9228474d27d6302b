/**
 * The context of everything an identity provider does through one directory: the organization
 * and the directory every query is scoped by, and the actor (the directory's token).
 */
import type { DirectoryId, ScimTokenId } from '../ids.ts';
import type { Context, OrgContext } from './context.ts';
import type { ScimPrincipal } from './scim-admission.ts';

export interface DirectoryContext extends OrgContext {
  readonly directory: { readonly id: DirectoryId };
}

/** The context of a request authenticated with a directory's token (which names both ids). */
export function directoryContext(db: Context['db'], principal: ScimPrincipal): DirectoryContext {
  return {
    db,
    actor: { type: 'scim', id: principal.tokenId satisfies ScimTokenId },
    organization: { id: principal.organizationId, slug: principal.organizationSlug },
    directory: { id: principal.directoryId },
  };
}
