/**
 * Stored users and groups → their SCIM representation (RFC 7643 §3.1 common attributes, `meta`
 * with an absolute location and the version), before `attributes`/`excludedAttributes` apply.
 */
import type { GroupMember, StoredGroup, StoredUser, UserGroupRef } from '../directory/index.ts';
import { etagOf } from './respond.ts';

export function userRepresentation(baseUrl: string, user: StoredUser, groups: UserGroupRef[] | undefined) {
  return {
    ...withSchemasFirst(user.document),
    id: user.id,
    ...(groups !== undefined && groups.length > 0
      ? { groups: groups.map((g) => ({ value: g.id, $ref: `${baseUrl}/Groups/${g.id}`, display: g.displayName, type: 'direct' })) }
      : {}),
    meta: meta(baseUrl, 'User', user),
  };
}

export function groupRepresentation(baseUrl: string, group: StoredGroup, members: GroupMember[] | undefined) {
  return {
    ...withSchemasFirst(group.document),
    id: group.id,
    ...(members !== undefined
      ? {
          members: members.map((m) => ({
            value: m.id,
            $ref: `${baseUrl}/${m.type === 'User' ? 'Users' : 'Groups'}/${m.id}`,
            ...(m.display === null ? {} : { display: m.display }),
            type: m.type,
          })),
        }
      : {}),
    meta: meta(baseUrl, 'Group', group),
  };
}

function meta(baseUrl: string, resourceType: 'User' | 'Group', r: { id: string; version: number; createdAt: Date; updatedAt: Date }) {
  return {
    resourceType,
    created: r.createdAt.toISOString(),
    lastModified: r.updatedAt.toISOString(),
    location: `${baseUrl}/${resourceType === 'User' ? 'Users' : 'Groups'}/${r.id}`,
    version: etagOf(r.version),
  };
}

function withSchemasFirst(document: Record<string, unknown>): Record<string, unknown> {
  const { schemas, ...rest } = document;
  return { schemas, ...rest };
}
