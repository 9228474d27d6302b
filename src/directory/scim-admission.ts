/**
 * Admitting a SCIM request: the bearer token is checked against the directory's live tokens, the
 * request is counted against the token's rate limit, and the token's last use is refreshed — all
 * in one statement, because every SCIM request pays for it before doing its own work, and a round
 * trip to the database is most of what a small read costs. For the reads identity providers make
 * most, that statement makes the read too (admitWithRead).
 */
import { sql, type SQL } from 'drizzle-orm';
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

/** What admitting one request needs: which directory, which token, and the budget to count it against. */
export interface AdmissionRequest {
  readonly directoryId: DirectoryId;
  /** SHA-256 of the presented token: the token itself is never sent to the database. */
  readonly digest: string;
  readonly budget: RequestBudget | undefined;
  readonly now: Date;
}

/** The columns the admission adds to a statement's rows; prefixed so no read's column can clash. */
interface AdmissionRow {
  admission_token_id: string;
  admission_organization_id: string;
  admission_slug: string;
  admission_requests: number | null;
  admission_window_start_ms: number | null;
}

/**
 * A request to admit, or undefined when the directory id in the URL is not one (so callers cannot
 * tell it apart from any other failure).
 */
export function admissionRequest(
  rawDirectoryId: string,
  presented: string,
  budget: RequestBudget | undefined,
  now: Date = new Date(),
): AdmissionRequest | undefined {
  const directoryId = parseDirectoryId(rawDirectoryId);
  return directoryId === undefined ? undefined : { directoryId, digest: hashSecret(presented), budget, now };
}

/**
 * The admission as `with` clauses: `token` (the live token, at most one row), `counted` (the
 * rate-limit count, when there is a budget) and `used` (the last-use refresh). The token is found
 * by its SHA-256 digest through the unique index. Comparing digests in the database leaks nothing
 * through timing: what a client controls is the token, not its digest, and learning how many
 * leading digest characters matched tells it nothing about any token.
 */
function admissionClauses(request: AdmissionRequest): SQL {
  const { directoryId, digest, budget, now } = request;
  return sql`token as (
      select t.id, t.organization_id, o.slug
      from scim_tokens t join organizations o on o.id = t.organization_id
      where t.token_hash = ${digest} and t.directory_id = ${directoryId} and t.revoked_at is null
    ), counted as (${budget === undefined ? sql`select null::int as requests, null::float8 as window_start_ms` : countRequestOfToken(budget, now)}
    ), used as (
      update scim_tokens set last_used_at = ${now.toISOString()}::timestamptz
      where id = (select id from token)
        and (last_used_at is null or last_used_at <= ${now.toISOString()}::timestamptz - make_interval(secs => ${LAST_USED_GRANULARITY_SECONDS}))
    )`;
}

const ADMISSION_COLUMNS = sql.raw(
  'token.id as admission_token_id, token.organization_id as admission_organization_id, token.slug as admission_slug, ' +
    'counted.requests as admission_requests, counted.window_start_ms as admission_window_start_ms',
);

function admissionOf(request: AdmissionRequest, row: AdmissionRow): ScimAdmission {
  const principal: ScimPrincipal = {
    organizationId: row.admission_organization_id as OrganizationId,
    organizationSlug: row.admission_slug,
    directoryId: request.directoryId,
    tokenId: row.admission_token_id as ScimTokenId,
  };
  const { budget, now } = request;
  if (budget === undefined) return { principal };
  if (row.admission_requests === null || row.admission_window_start_ms === null) throw new Error('the rate-limit count returned no row');
  return {
    principal,
    rateLimit: rateLimitVerdict(budget, Number(row.admission_requests), Number(row.admission_window_start_ms), now),
  };
}

/**
 * Admits a request in a statement of its own. Returns undefined for any failure (unknown, revoked,
 * another directory's token), so callers cannot tell the cases apart; a request that fails is not
 * counted.
 */
export async function admitRequest(db: Database, request: AdmissionRequest): Promise<ScimAdmission | undefined> {
  const [row] = await queryPrepared<AdmissionRow>(
    db,
    sql`with ${admissionClauses(request)} select ${ADMISSION_COLUMNS} from token left join counted on true`,
  );
  return row ? admissionOf(request, row) : undefined;
}

/** Checks a presented bearer token against one directory and, with a budget, counts the request (see admitRequest). */
export async function admitScimRequest(
  db: Database,
  rawDirectoryId: string,
  presented: string,
  budget: RequestBudget | undefined,
  now: Date = new Date(),
): Promise<ScimAdmission | undefined> {
  const request = admissionRequest(rawDirectoryId, presented, budget, now);
  return request === undefined ? undefined : admitRequest(db, request);
}

/**
 * A read made in the statement that admitted the request. `admission` is undefined when the token
 * was refused; `read()` gives what the plain read would have (or throws what it would have thrown,
 * such as not found), and is to be called only once the admission has been acted on.
 */
export interface AdmittedRead<T> {
  admission: ScimAdmission | undefined;
  read(): T;
}

/**
 * Admits a request and makes a read in the same statement: for the reads identity providers make
 * before every write (a lookup by userName, a user by id), the round trip of a separate admission
 * was a third of what the request cost the server. `read` must be a plain SELECT scoped to the
 * request's directory; it is joined laterally to the token's row, so its rows come back only with
 * a valid token, and with its columns beside the admission's. The caller must act on the
 * admission (refuse, count, name the principal) before it uses the rows.
 */
export async function admitWithRead<T extends object>(
  db: Database,
  request: AdmissionRequest,
  read: SQL,
): Promise<{ admission: ScimAdmission | undefined; rows: T[] }> {
  const rows = await queryPrepared<AdmissionRow & { admission_found: boolean | null } & T>(
    db,
    sql`with ${admissionClauses(request)}
    select ${ADMISSION_COLUMNS}, r.*
    from token left join counted on true
      left join lateral (select true as admission_found, x.* from (${read}) x) r on true`,
  );
  const [first] = rows;
  if (!first) return { admission: undefined, rows: [] };
  return { admission: admissionOf(request, first), rows: rows.filter((row) => row.admission_found === true) };
}
