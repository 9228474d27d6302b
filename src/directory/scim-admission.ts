/**
 * Admitting a SCIM request: the bearer token is checked against the directory's live tokens, the
 * request is counted against the token's rate limit, and the token's last use is refreshed — all
 * in one statement, because every SCIM request pays for it before doing its own work, and a round
 * trip to the database is most of what a small read costs.
 */
import { sql } from 'drizzle-orm';
import { queryPrepared, type Database } from '../db/index.ts';
import { parseDirectoryId, type DirectoryId, type OrganizationId, type ScimTokenId } from '../ids.ts';
import { countRequestOfToken, rateLimitVerdict, type RateLimitVerdict, type RequestBudget } from './rate-limits.ts';
import { hashSecret } from './secret-tokens.ts';

export interface ScimPrincipal {
  organizationId: OrganizationId;
  organizationSlug: string;
  directoryId: DirectoryId;
  tokenId: ScimTokenId;
}

export interface ScimAdmission {
  principal: ScimPrincipal;
  /** The rate limit's decision, when a budget was given. */
  rateLimit?: RateLimitVerdict;
}

/** How stale last_used_at may get before a request refreshes it: a write per request would not scale. */
const LAST_USED_GRANULARITY_SECONDS = 60;

interface AdmissionRow {
  id: string;
  organization_id: string;
  slug: string;
  requests: number | null;
  window_start_ms: number | null;
}

/**
 * Checks a presented bearer token against the live tokens of one directory and, with a budget,
 * counts the request. Returns undefined for any failure (unknown, revoked, another directory's
 * token, a directory id that is not one), so callers cannot tell the cases apart; a request that
 * fails is not counted.
 *
 * The token is found by its SHA-256 digest through the unique index. Comparing digests in the
 * database leaks nothing through timing: what a client controls is the token, not its digest, and
 * learning how many leading digest characters matched tells it nothing about any token.
 */
export async function admitScimRequest(
  db: Database,
  rawDirectoryId: string,
  presented: string,
  budget: RequestBudget | undefined,
  now: Date = new Date(),
): Promise<ScimAdmission | undefined> {
  const directoryId = parseDirectoryId(rawDirectoryId);
  if (directoryId === undefined) return undefined;
  const [row] = await queryPrepared<AdmissionRow>(
    db,
    sql`with token as (
      select t.id, t.organization_id, o.slug
      from scim_tokens t join organizations o on o.id = t.organization_id
      where t.token_hash = ${hashSecret(presented)} and t.directory_id = ${directoryId} and t.revoked_at is null
    ), counted as (${budget === undefined ? sql`select null::int as requests, null::float8 as window_start_ms` : countRequestOfToken(budget, now)}
    ), used as (
      update scim_tokens set last_used_at = ${now.toISOString()}::timestamptz
      where id = (select id from token)
        and (last_used_at is null or last_used_at <= ${now.toISOString()}::timestamptz - make_interval(secs => ${LAST_USED_GRANULARITY_SECONDS}))
    )
    select token.id, token.organization_id, token.slug, counted.requests, counted.window_start_ms
    from token left join counted on true`,
  );
  if (!row) return undefined;
  const principal: ScimPrincipal = {
    organizationId: row.organization_id as OrganizationId,
    organizationSlug: row.slug,
    directoryId,
    tokenId: row.id as ScimTokenId,
  };
  if (budget === undefined) return { principal };
  if (row.requests === null || row.window_start_ms === null) throw new Error('the rate-limit count returned no row');
  return { principal, rateLimit: rateLimitVerdict(budget, Number(row.requests), Number(row.window_start_ms), now) };
}
