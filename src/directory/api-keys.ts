/** Operator API keys for the admin API: not tied to an organization, they administer all of them. */
import { and, asc, eq, isNull, sql } from 'drizzle-orm';
import { schema, withTransaction, type Database } from '../db/index.ts';
import { DomainError } from '../errors.ts';
import { newId, parseApiKeyId, type ApiKeyId } from '../ids.ts';
import { recordAudit } from './audit.ts';
import type { Context } from './context.ts';
import { hashSecret, hashesEqual, issueSecret } from './secret-tokens.ts';

export interface ApiKeyInfo {
  id: ApiKeyId;
  name: string;
  prefix: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

export async function createApiKey(ctx: Context, input: { name?: string | undefined }): Promise<ApiKeyInfo & { key: string }> {
  const name = (input.name ?? 'operator').trim();
  if (name.length === 0 || name.length > 200) {
    throw new DomainError('invalid_input', 'name must be 1 to 200 characters', { details: { field: 'name' } });
  }
  const issued = issueSecret('key');
  return withTransaction(ctx.db, async (tx) => {
    const id = newId<ApiKeyId>();
    const [row] = await tx.insert(schema.apiKeys).values({ id, name, prefix: issued.prefix, keyHash: issued.hash }).returning();
    await recordAudit(tx, ctx.actor, {
      organizationId: null,
      action: 'api_key.created',
      target: { type: 'api_key', id },
      details: { name, prefix: issued.prefix },
    });
    return { ...toInfo(row!), key: issued.secret };
  });
}

export async function listApiKeys(ctx: Context): Promise<ApiKeyInfo[]> {
  const rows = await ctx.db.select().from(schema.apiKeys).orderBy(asc(schema.apiKeys.createdAt), asc(schema.apiKeys.id));
  return rows.map(toInfo);
}

export async function revokeApiKey(ctx: Context, input: { id: string }): Promise<ApiKeyInfo> {
  const id = parseApiKeyId(input.id);
  if (id === undefined) throw new DomainError('not_found', `no API key "${input.id}"`);
  return withTransaction(ctx.db, async (tx) => {
    const k = schema.apiKeys;
    const [revoked] = await tx
      .update(k)
      .set({ revokedAt: sql`now()` })
      .where(and(eq(k.id, id), isNull(k.revokedAt)))
      .returning();
    if (revoked) {
      await recordAudit(tx, ctx.actor, {
        organizationId: null,
        action: 'api_key.revoked',
        target: { type: 'api_key', id },
        details: { prefix: revoked.prefix },
      });
      return toInfo(revoked);
    }
    const [existing] = await tx.select().from(k).where(eq(k.id, id)).limit(1);
    if (!existing) throw new DomainError('not_found', `no API key "${input.id}"`);
    return toInfo(existing);
  });
}

/** Finds the live key whose hash matches, comparing digests in constant time. */
export async function authenticateApiKey(db: Database, presented: string): Promise<ApiKeyInfo | undefined> {
  const digest = hashSecret(presented);
  const k = schema.apiKeys;
  const [row] = await db.select().from(k).where(and(eq(k.keyHash, digest), isNull(k.revokedAt))).limit(1);
  if (!row || !hashesEqual(row.keyHash, digest)) return undefined;
  return toInfo(row);
}

function toInfo(row: typeof schema.apiKeys.$inferSelect): ApiKeyInfo {
  return {
    id: row.id as ApiKeyId,
    name: row.name,
    prefix: row.prefix,
    createdAt: row.createdAt,
    lastUsedAt: row.lastUsedAt,
    revokedAt: row.revokedAt,
  };
}
