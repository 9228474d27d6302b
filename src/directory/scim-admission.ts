/**
 * Admitting a SCIM request: the bearer token is checked against the directory's live tokens and,
 * with a budget, the request is counted against the token's rate limit (rate-limits.ts), in one
 * statement. Every SCIM request pays for it before doing its own work, so in the common case it
 * only reads: the request's number comes from the token's sequence, which writes no row version.
 * It writes only when it must, in data-modifying parts of the same statement: to open a new
 * rate-limit window (once a window per token), and to refresh the token's last use (at most once
 * a minute).
 */
import { sql, type SQL } from 'drizzle-orm';
import { queryPrepared, type Database } from '../db/index.ts';
import { parseDirectoryId, type DirectoryId, type OrganizationId, type ScimTokenId } from '../ids.ts';
import { rateLimitVerdict, windowStartOf, type RateLimitVerdict, type RequestBudget } from './rate-limits.ts';
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

/** What admitting one request needs. */
export interface ScimAdmissionRequest {
  /** The directory id as the URL spells it; one that is not an id admits nothing. */
  directoryId: string;
  /** SHA-256 of the presented token (scimTokenDigest): the token itself never goes to the database. */
  digest: string;
  /** The budget to count the request against; absent, the request is not counted. */
  budget?: RequestBudget | undefined;
  now: Date;
}

/** How stale last_used_at may get before a request refreshes it: a write per request would not scale. */
const LAST_USED_GRANULARITY_MS = 60_000;

/** The digest a presented token is looked up by. */
export function scimTokenDigest(presented: string): string {
  return hashSecret(presented);
}

interface AdmissionRow {
  token_id: string;
  organization_id: string;
  slug: string;
  /** With a budget: the window that counts the request, and the request's number. */
  window_start_ms?: string | number;
  base?: string | number;
  number?: string | number;
}

/**
 * The live token, found by its digest through the unique index and scoped to the directory of the
 * URL. Comparing digests in the database leaks nothing through timing: what a client controls is
 * the token, not its digest. When counted, the token's number is taken here, so only a token that
 * matched takes one: a refused token counts against no one. A token CTE referenced more than once
 * is evaluated once, and with it its nextval.
 */
function tokenClause(request: ScimAdmissionRequest, counted: boolean): SQL {
  const due = new Date(request.now.getTime() - LAST_USED_GRANULARITY_MS).toISOString();
  return sql`token as (
      select t.id, t.organization_id, o.slug,
        (t.last_used_at is null or t.last_used_at <= ${due}::timestamptz) as last_use_due
        ${counted ? sql`, t.request_counter, nextval(t.request_counter) as number, w.window_start, w.base` : sql``}
      from scim_tokens t join organizations o on o.id = t.organization_id
        ${counted ? sql`left join scim_rate_limits w on w.token_id = t.id` : sql``}
      where t.token_hash = ${request.digest} and t.directory_id = ${request.directoryId} and t.revoked_at is null
    ), used as (
      update scim_tokens s set last_used_at = ${request.now.toISOString()}::timestamptz
      from token
      where token.last_use_due and s.id = token.id and (s.last_used_at is null or s.last_used_at <= ${due}::timestamptz)
      returning s.id
    )`;
}

/**
 * Opens the current window when the token's stored one is older (or absent), and counts the
 * request in the window that holds it. The opener's base is its own number less one. Requests
 * racing to open the same window all reach the upsert; the first writes the window, and each
 * later one rewrites the row unchanged (a row version per request in flight at that instant,
 * once a window) to read the window back, so its count stays exact: a racer whose number was
 * taken before the opener's takes a new one, above the base, so every number above the base is
 * counted once. A newer window than ours (another instance's clock runs ahead) is kept and counts
 * the request.
 */
function countedSelect(request: ScimAdmissionRequest, budget: RequestBudget): SQL {
  const windowStart = new Date(windowStartOf(budget, request.now)).toISOString();
  return sql`, opened as (
      insert into scim_rate_limits as r (token_id, window_start, base)
      select id, ${windowStart}::timestamptz, number - 1 from token
      where window_start is null or window_start < ${windowStart}::timestamptz
      on conflict (token_id) do update set
        window_start = greatest(r.window_start, excluded.window_start),
        base = case when excluded.window_start > r.window_start then excluded.base else r.base end
      returning window_start, base
    )
    select token.id as token_id, token.organization_id, token.slug,
      extract(epoch from coalesce(o.window_start, token.window_start)) * 1000 as window_start_ms,
      coalesce(o.base, token.base) as base,
      case when o.base is null or token.number > o.base then token.number else nextval(token.request_counter) end as number
    from token left join opened o on true`;
}

/**
 * Admits a SCIM request in one statement: the principal its token stands for and, with a budget,
 * the rate limit's verdict. Undefined for any failure (an id that is not one, an unknown, revoked
 * or another directory's token), so callers cannot tell the cases apart; a refused request is not
 * counted.
 */
export async function admitScimRequest(db: Database, request: ScimAdmissionRequest): Promise<ScimAdmission | undefined> {
  const directoryId = parseDirectoryId(request.directoryId);
  if (directoryId === undefined) return undefined;
  const { budget, now } = request;
  const statement =
    budget === undefined
      ? sql`with ${tokenClause(request, false)} select token.id as token_id, token.organization_id, token.slug from token`
      : sql`with ${tokenClause(request, true)}${countedSelect(request, budget)}`;
  const [row] = await queryPrepared<AdmissionRow>(db, statement);
  if (row === undefined) return undefined;
  const principal: ScimPrincipal = {
    organizationId: row.organization_id as OrganizationId,
    organizationSlug: row.slug,
    directoryId,
    tokenId: row.token_id as ScimTokenId,
  };
  if (budget === undefined) return { principal };
  const count = Number(row.number) - Number(row.base);
  return { principal, rateLimit: rateLimitVerdict(budget, count, Number(row.window_start_ms), now) };
}
