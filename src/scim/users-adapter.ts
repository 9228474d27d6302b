/** Users as the SCIM resource routes see them: the domain's verbs plus the User schema rules. */
import { createUser, deleteUser, getUser, groupsOfUsers, listUsers, modifyUser, type StoredUser } from '../directory/index.ts';
import { ScimRequestError } from './errors.ts';
import { checkResourceSize, type ScimLimits } from './limits.ts';
import type { ProjectionParams } from './request.ts';
import type { ResourceAdapter } from './resource-routes.ts';
import { applyPatch, checkImmutable, wantsAttribute, type ScimDocument } from './resource/index.ts';
import { userRepresentation } from './representation.ts';
import { USER_RESOURCE_SCHEMAS } from './schema/index.ts';

const wantsGroups = (projection: ProjectionParams) => wantsAttribute(USER_RESOURCE_SCHEMAS, projection, 'groups');

export function usersAdapter(limits: ScimLimits): ResourceAdapter<StoredUser> {
  return {
    kind: 'User',
    schemas: USER_RESOURCE_SCHEMAS,
    patchAnswersNoContent: false,
    get: (ctx, id, projection) => getUser(ctx, id, { withGroups: wantsGroups(projection) }),
    list: (ctx, query, projection) => listUsers(ctx, { ...query, withRelations: wantsGroups(projection) }),
    create: (ctx, input) => createUser(ctx, { document: input.document }),
    replace: (ctx, id, input, precondition) =>
      modifyUser(
        ctx,
        id,
        (current) => {
          const kept = checkImmutable(current.document, input.document, USER_RESOURCE_SCHEMAS);
          if (!kept.ok) throw new ScimRequestError(kept.error.status, kept.error.scimType, kept.error.detail);
          return { document: input.document };
        },
        precondition,
      ),
    patch: (ctx, id, operations, precondition) =>
      modifyUser(
        ctx,
        id,
        (current) => {
          const result = applyPatch(current.document as ScimDocument, operations, 'User', USER_RESOURCE_SCHEMAS, {
            currentId: current.id,
            maxMembers: limits.maxMembersPerOperation,
          });
          if (!result.ok) throw new ScimRequestError(result.error.status, result.error.scimType, result.error.detail);
          checkResourceSize(result.value.document, limits);
          return { document: result.value.document };
        },
        precondition,
      ),
    remove: deleteUser,
    async represent(ctx, baseUrl, items, projection) {
      if (!wantsGroups(projection)) return items.map((u) => userRepresentation(baseUrl, u, undefined));
      // Reads load groups with the user; after a write they are read here, in one query for all.
      const missing = items.filter((u) => u.groups === undefined).map((u) => u.id);
      const loaded = missing.length > 0 ? await groupsOfUsers(ctx, missing) : undefined;
      return items.map((u) => userRepresentation(baseUrl, u, u.groups ?? loaded?.get(u.id)));
    },
  };
}
