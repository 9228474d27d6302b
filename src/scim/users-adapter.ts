/** Users as the SCIM resource routes see them: the domain's verbs plus the User schema rules. */
import {
  createUser,
  createUserAdmitted,
  deleteUser,
  getUser,
  getUserAdmitted,
  groupsOfUsers,
  listUsers,
  listUsersAdmitted,
  modifyUser,
  type StoredUser,
} from '../directory/index.ts';
import { ScimRequestError } from './errors.ts';
import type { ProjectionParams } from './request.ts';
import type { ResourceAdapter } from './resource-routes.ts';
import { applyPatch, checkImmutable, wantsAttribute, type ScimDocument } from './resource/index.ts';
import { userRepresentation } from './representation.ts';
import { USER_RESOURCE_SCHEMAS } from './schema/index.ts';

const wantsGroups = (projection: ProjectionParams) => wantsAttribute(USER_RESOURCE_SCHEMAS, projection, 'groups');

export function usersAdapter(maxMembers: number): ResourceAdapter<StoredUser> {
  return {
    kind: 'User',
    schemas: USER_RESOURCE_SCHEMAS,
    patchAnswersNoContent: false,
    get: (ctx, id, projection) => getUser(ctx, id, { withGroups: wantsGroups(projection) }),
    list: (ctx, query, projection) => listUsers(ctx, { ...query, withRelations: wantsGroups(projection) }),
    create: (ctx, input) => createUser(ctx, { document: input.document, password: input.password }),
    replace: (ctx, id, input, precondition, current) =>
      modifyUser(
        ctx,
        id,
        (current) => {
          const kept = checkImmutable(current.document, input.document, USER_RESOURCE_SCHEMAS);
          if (!kept.ok) throw new ScimRequestError(kept.error.status, kept.error.scimType, kept.error.detail);
          // A PUT without a password keeps the stored one: IdPs never echo a password back.
          return { document: input.document, password: input.password };
        },
        precondition,
        current,
      ),
    patch: (ctx, id, operations, precondition, current) =>
      modifyUser(
        ctx,
        id,
        (current) => {
          const result = applyPatch(current.document as ScimDocument, operations, 'User', USER_RESOURCE_SCHEMAS, {
            currentId: current.id,
            maxMembers,
          });
          if (!result.ok) throw new ScimRequestError(result.error.status, result.error.scimType, result.error.detail);
          return { document: result.value.document, password: result.value.password };
        },
        precondition,
        current,
      ),
    remove: deleteUser,
    admitted: {
      get: (db, request, id, projection) => getUserAdmitted(db, request, id, { withGroups: wantsGroups(projection) }),
      list: (db, request, query, projection) => listUsersAdmitted(db, request, { ...query, withRelations: wantsGroups(projection) }),
      current: (db, request, id) => getUserAdmitted(db, request, id, { withGroups: false }),
      create: (db, request, input) => createUserAdmitted(db, request, { document: input.document, password: input.password }),
    },
    async represent(ctx, baseUrl, items, projection) {
      if (!wantsGroups(projection)) return items.map((u) => userRepresentation(baseUrl, u, undefined));
      // Reads load groups with the user; after a write they are read here, in one query for all.
      const missing = items.filter((u) => u.groups === undefined).map((u) => u.id);
      const loaded = missing.length > 0 ? await groupsOfUsers(ctx, missing) : undefined;
      return items.map((u) => userRepresentation(baseUrl, u, u.groups ?? loaded?.get(u.id)));
    },
  };
}
