/** Groups as the SCIM resource routes see them: the domain's verbs plus the Group schema rules. */
import {
  addUsersToGroupFast,
  createGroup,
  deleteGroup,
  getGroup,
  listGroups,
  loadMembers,
  modifyGroup,
  type MemberChange,
  type StoredGroup,
} from '../directory/index.ts';
import { ScimRequestError } from './errors.ts';
import { checkResourceSize, type ScimLimits } from './limits.ts';
import type { ResourceAdapter } from './resource-routes.ts';
import { matchesElement } from './resource/index.ts';
import { applyPatch, checkImmutable, wantsAttribute, type MemberOp, type MemberRef, type PatchResult, type ScimDocument } from './resource/index.ts';
import { groupRepresentation } from './representation.ts';
import { findAttribute, GROUP_RESOURCE_SCHEMAS, GROUP_SCHEMA } from './schema/index.ts';

const MEMBERS = findAttribute(GROUP_SCHEMA, 'members')!;

const toInputs = (refs: readonly MemberRef[]) => refs.map((r) => ({ id: r.value, type: r.type }));

/** PATCH member operations → the domain's set-based membership changes, in order. */
function toMemberChange(op: MemberOp, baseUrl: string): MemberChange {
  switch (op.kind) {
    case 'add':
      return { kind: 'add', members: toInputs(op.members) };
    case 'remove':
      return { kind: 'remove', ids: [...op.values] };
    case 'removeAll':
      return { kind: 'removeAll' };
    case 'replace':
      return { kind: 'replace', members: toInputs(op.members) };
    case 'removeWhere':
      return {
        kind: 'removeWhere',
        matches: (m) =>
          matchesElement(
            op.filter,
            { value: m.id, type: m.type, display: m.display, $ref: `${baseUrl}/${m.type === 'User' ? 'Users' : 'Groups'}/${m.id}` },
            MEMBERS,
          ),
      };
  }
}

/** The ids a PATCH adds, when adding members not typed as groups is all it does; else undefined. */
function onlyAddedUsers(planned: PatchResult, before: Record<string, unknown>): string[] | undefined {
  if (planned.memberOps.length === 0 || !planned.memberOps.every((op) => op.kind === 'add')) return undefined;
  if (JSON.stringify(planned.document) !== JSON.stringify(before)) return undefined;
  const members = planned.memberOps.flatMap((op) => (op.kind === 'add' ? op.members : []));
  return members.some((m) => m.type === 'Group') ? undefined : members.map((m) => m.value);
}

export function groupsAdapter(limits: ScimLimits, scimBaseUrl: (directoryId: string) => string): ResourceAdapter<StoredGroup> {
  return {
    kind: 'Group',
    schemas: GROUP_RESOURCE_SCHEMAS,
    patchAnswersNoContent: true,
    get: (ctx, id) => getGroup(ctx, id),
    list: (ctx, query) => listGroups(ctx, query),
    create: (ctx, input) => createGroup(ctx, { document: input.document, members: toInputs(input.members ?? []) }),
    replace: async (ctx, id, input, precondition) =>
      (
        await modifyGroup(
          ctx,
          id,
          (current) => {
            const kept = checkImmutable(current.document, input.document, GROUP_RESOURCE_SCHEMAS);
            if (!kept.ok) throw new ScimRequestError(kept.error.status, kept.error.scimType, kept.error.detail);
            // PUT replaces the whole resource: members it does not list are no longer members.
            return { document: input.document, members: [{ kind: 'replace', members: toInputs(input.members ?? []) }] };
          },
          precondition,
        )
      ).group,
    patch: async (ctx, id, operations, precondition) => {
      const baseUrl = scimBaseUrl(ctx.directory.id);
      const apply = (current: StoredGroup) => {
        const result = applyPatch(current.document as ScimDocument, operations, 'Group', GROUP_RESOURCE_SCHEMAS, {
          currentId: current.id,
          maxMembers: limits.maxMembersPerOperation,
        });
        if (!result.ok) throw new ScimRequestError(result.error.status, result.error.scimType, result.error.detail);
        checkResourceSize(result.value.document, limits);
        return result.value;
      };
      if (precondition.expectedVersions === undefined) {
        // Entra adds members one PATCH at a time, at a high rate: when a PATCH only adds users,
        // it is one statement, which rewrites nothing it read. Anything else (or a member that is not
        // a user) takes the general path, which reads the group under its lock.
        const current = await getGroup(ctx, id);
        const planned = apply(current);
        const userIds = onlyAddedUsers(planned, current.document);
        if (userIds !== undefined) {
          const applied = await addUsersToGroupFast(ctx, current, userIds);
          if (applied) return applied;
        }
      }
      const { group } = await modifyGroup(
        ctx,
        id,
        (current) => {
          const planned = apply(current);
          return { document: planned.document, members: planned.memberOps.map((op) => toMemberChange(op, baseUrl)) };
        },
        precondition,
      );
      return group;
    },
    remove: deleteGroup,
    async represent(ctx, baseUrl, items, projection) {
      const members = wantsAttribute(GROUP_RESOURCE_SCHEMAS, projection, 'members')
        ? await loadMembers(ctx.db, ctx, items.map((g) => g.id))
        : undefined;
      return items.map((g) => groupRepresentation(baseUrl, g, members?.get(g.id) ?? (members ? [] : undefined)));
    },
  };
}
