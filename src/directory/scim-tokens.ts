/**
 * SCIM bearer tokens. A directory may hold several live tokens at once, so an IdP can be moved to
 * a new token before the old one is revoked.
 */
import { and, asc, eq, isNull, sql } from 'drizzle-orm';
import { schema, withTransaction } from '../db/index.ts';
import { DomainError } from '../errors.ts';
import { newId, parseScimTokenId, type DirectoryId, type ScimTokenId } from '../ids.ts';
import { recordAudit } from './audit.ts';
import type { OrgContext } from './context.ts';
import { getDirectory } from './directories.ts';
import { issueSecret } from './secret-tokens.ts';
import { requirePermission } from './access/index.ts';

export interface ScimTokenInfo {
  id: ScimTokenId;
  directoryId: DirectoryId;
  prefix: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

export interface IssuedScimToken extends ScimTokenInfo {
  /** The bearer token in clear: returned once, never stored. */
  token: string;
}

/** Issues a token for a directory the caller has already resolved inside its organization. */
export async function issueScimToken(ctx: OrgContext, directoryId: DirectoryId): Promise<IssuedScimToken> {
  const issued = issueSecret('scim');
  const id = newId<ScimTokenId>();
  const [row] = await ctx.db
    .insert(schema.scimTokens)
    .values({ id, organizationId: ctx.organization.id, directoryId, prefix: issued.prefix, tokenHash: issued.hash })
    .returning();
  await recordAudit(ctx.db, ctx.actor, {
    organizationId: ctx.organization.id,
    action: 'scim_token.created',
    target: { type: 'scim_token', id },
    details: { directoryId, prefix: issued.prefix },
  });
  return { ...toInfo(row!), token: issued.secret };
}

export async function createScimToken(ctx: OrgContext, input: { directoryId: string }): Promise<IssuedScimToken> {
  requirePermission(ctx, 'sso.manage', 'creating a SCIM token');
  return withTransaction(ctx.db, async (tx) => {
    const scoped = { ...ctx, db: tx };
    const directory = await getDirectory(scoped, input.directoryId);
    return issueScimToken(scoped, directory.id);
  });
}

export async function listScimTokens(ctx: OrgContext, input: { directoryId: string }): Promise<ScimTokenInfo[]> {
  const directory = await getDirectory(ctx, input.directoryId);
  const t = schema.scimTokens;
  const rows = await ctx.db
    .select()
    .from(t)
    .where(and(eq(t.organizationId, ctx.organization.id), eq(t.directoryId, directory.id)))
    .orderBy(asc(t.createdAt), asc(t.id));
  return rows.map(toInfo);
}

/** Revokes a token at once; revoking an already revoked token is a no-op that reports the first time. */
export async function revokeScimToken(
  ctx: OrgContext,
  input: { directoryId: string; tokenId: string },
): Promise<ScimTokenInfo> {
  requirePermission(ctx, 'sso.manage', 'revoking a SCIM token');
  return withTransaction(ctx.db, async (tx) => {
    const directory = await getDirectory({ ...ctx, db: tx }, input.directoryId);
    const tokenId = parseScimTokenId(input.tokenId);
    const t = schema.scimTokens;
    const scope = and(
      eq(t.organizationId, ctx.organization.id),
      eq(t.directoryId, directory.id),
      eq(t.id, tokenId ?? '00000000-0000-0000-0000-000000000000'),
    );
    const [revoked] = await tx
      .update(t)
      .set({ revokedAt: sql`now()` })
      .where(and(scope, isNull(t.revokedAt)))
      .returning();
    if (revoked) {
      await recordAudit(tx, ctx.actor, {
        organizationId: ctx.organization.id,
        action: 'scim_token.revoked',
        target: { type: 'scim_token', id: revoked.id },
        details: { directoryId: directory.id, prefix: revoked.prefix },
      });
      return toInfo(revoked);
    }
    const [existing] = await tx.select().from(t).where(scope).limit(1);
    if (!existing) throw new DomainError('not_found', `no token "${input.tokenId}" in directory "${directory.id}"`);
    return toInfo(existing);
  });
}

function toInfo(row: typeof schema.scimTokens.$inferSelect): ScimTokenInfo {
  return {
    id: row.id as ScimTokenId,
    directoryId: row.directoryId as DirectoryId,
    prefix: row.prefix,
    createdAt: row.createdAt,
    lastUsedAt: row.lastUsedAt,
    revokedAt: row.revokedAt,
  };
}
