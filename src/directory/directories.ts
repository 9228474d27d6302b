/** Directories: an organization's SCIM connections, one per identity provider it provisions from. */
import { and, asc, eq, max, sql } from 'drizzle-orm';
import { schema, withTransaction } from '../db/index.ts';
import { DIRECTORY_PROVIDERS, type DirectoryProvider } from '../db/schema/index.ts';
import { DomainError } from '../errors.ts';
import { newId, parseDirectoryId, type DirectoryId } from '../ids.ts';
import { recordAudit } from './audit.ts';
import type { OrgContext } from './context.ts';
import { issueScimToken, type IssuedScimToken } from './scim-tokens.ts';
import { requirePermission, requireRead } from './access/index.ts';

export { DIRECTORY_PROVIDERS, type DirectoryProvider };

export interface Directory {
  id: DirectoryId;
  organizationId: string;
  name: string;
  provider: DirectoryProvider;
  createdAt: Date;
}

const PROVIDER_NAMES: Record<DirectoryProvider, string> = {
  okta: 'Okta',
  entra: 'Microsoft Entra ID',
  google: 'Google Workspace',
  generic: 'SCIM directory',
};

function parseProvider(value: string): DirectoryProvider {
  const provider = DIRECTORY_PROVIDERS.find((p) => p === value.toLowerCase());
  if (!provider) {
    throw new DomainError('invalid_input', `provider must be one of ${DIRECTORY_PROVIDERS.join(', ')} (got "${value}")`, {
      details: { field: 'provider' },
    });
  }
  return provider;
}

/** Creates a directory with its first SCIM token, which is returned in clear this once. */
export async function createDirectory(
  ctx: OrgContext,
  input: { provider: string; name?: string | undefined },
): Promise<{ directory: Directory; token: IssuedScimToken }> {
  requirePermission(ctx, 'sso.manage', 'creating a directory');
  const provider = parseProvider(input.provider);
  const name = (input.name ?? PROVIDER_NAMES[provider]).trim();
  if (name.length === 0 || name.length > 200) {
    throw new DomainError('invalid_input', 'name must be 1 to 200 characters', { details: { field: 'name' } });
  }
  return withTransaction(ctx.db, async (tx) => {
    const id = newId<DirectoryId>();
    const [row] = await tx
      .insert(schema.directories)
      .values({ id, organizationId: ctx.organization.id, name, provider })
      .returning();
    await recordAudit(tx, ctx.actor, {
      organizationId: ctx.organization.id,
      action: 'directory.created',
      target: { type: 'directory', id },
      details: { provider, name },
    });
    const token = await issueScimToken({ ...ctx, db: tx }, id);
    return { directory: toDirectory(row!), token };
  });
}

export interface DirectorySummary extends Directory {
  liveTokens: number;
  /**
   * When the directory last received an authenticated SCIM request, to the minute; null if never.
   * It is the latest last_used_at of its tokens, revoked ones included: the admission of every
   * authenticated request keeps that up to date (at most a minute stale) in the database, so it
   * costs a read of the directory's few token rows and outlives the request log, which is written
   * after the response, may drop entries under load and forgets them after its retention period.
   */
  lastRequestAt: Date | null;
}

export async function listDirectories(ctx: OrgContext): Promise<DirectorySummary[]> {
  requireRead(ctx, 'directory');
  const d = schema.directories;
  const t = schema.scimTokens;
  const rows = await ctx.db
    .select({
      directory: d,
      liveTokens: sql<number>`count(${t.id}) filter (where ${t.revokedAt} is null)`.mapWith(Number),
      lastRequestAt: max(t.lastUsedAt),
    })
    .from(d)
    .leftJoin(t, and(eq(t.organizationId, d.organizationId), eq(t.directoryId, d.id)))
    .where(eq(d.organizationId, ctx.organization.id))
    .groupBy(d.id)
    .orderBy(asc(d.createdAt), asc(d.id));
  return rows.map((r) => ({ ...toDirectory(r.directory), liveTokens: Number(r.liveTokens), lastRequestAt: r.lastRequestAt }));
}

/** Looks a directory up inside the context's organization; another organization's id is "not found". */
export async function getDirectory(ctx: OrgContext, rawId: string): Promise<Directory> {
  requireRead(ctx, 'directory');
  const id = parseDirectoryId(rawId);
  if (id === undefined) throw new DomainError('not_found', `no directory "${rawId}" in organization "${ctx.organization.slug}"`);
  const [row] = await ctx.db
    .select()
    .from(schema.directories)
    .where(and(eq(schema.directories.organizationId, ctx.organization.id), eq(schema.directories.id, id)))
    .limit(1);
  if (!row) throw new DomainError('not_found', `no directory "${rawId}" in organization "${ctx.organization.slug}"`);
  return toDirectory(row);
}

function toDirectory(row: typeof schema.directories.$inferSelect): Directory {
  return {
    id: row.id as DirectoryId,
    organizationId: row.organizationId,
    name: row.name,
    provider: row.provider,
    createdAt: row.createdAt,
  };
}
