/**
 * Admitting a SCIM request: the bearer token is checked against the directory's live tokens and
 * the request takes its number from the token's request counter (its rate-limit count), in one
 * statement that only reads, because every SCIM request pays for it before doing its own work,
 * and a round trip to the database is most of what a small read costs. For the reads identity
 * providers make most, that statement makes the read too (admitWithRead). The writes admission
 * needs happen about once a minute per token, in statements of their own: opening a rate-limit
 * window and refreshing the token's last use.
 */
import { sql, type SQL } from 'drizzle-orm';
import { queryPrepared, queryTemplate, statementTemplate, type Database, type StatementTemplate } from '../db/index.ts';
import { parseDirectoryId, type DirectoryId, type OrganizationId, type ScimTokenId } from '../ids.ts';
import {
  REQUEST_NUMBER_COLUMNS,
  REQUEST_WINDOW_JOIN,
  requestVerdict,
  windowStartOf,
  type RateLimitVerdict,
  type RequestBudget,
} from './rate-limits.ts';
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
const LAST_USED_GRANULARITY_MS = 60_000;

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
  admission_last_used_ms: string | number | null;
  /** With a budget: the request's number and the token's stored window (rate-limits.ts). */
  admission_request_number: string | number | null;
  admission_window_start_ms: string | number | null;
  admission_window_base: string | number | null;
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

const NOT_COUNTED = sql.raw('null::bigint as request_number, null::float8 as window_start_ms, null::bigint as window_base');

/** The values an admission statement's slots are filled from (see statementTemplate). */
type AdmissionSlot = 'digest' | 'directoryId';

/**
 * The admission as a `with` clause named `token`: the live token (at most one row) and, when the
 * request is counted, its number. The token is found by its SHA-256 digest through the unique
 * index. Comparing digests in the database leaks nothing through timing: what a client controls
 * is the token, not its digest, and learning how many leading digest characters matched tells it
 * nothing about any token. The number is taken only when the token matched: a refused token
 * counts against no one.
 */
function admissionClause(slot: (name: AdmissionSlot) => string, counted: boolean): SQL {
  return sql`token as (
      select t.id, t.organization_id, o.slug, extract(epoch from t.last_used_at) * 1000 as last_used_ms,
        ${counted ? REQUEST_NUMBER_COLUMNS : NOT_COUNTED}
      from scim_tokens t join organizations o on o.id = t.organization_id ${counted ? REQUEST_WINDOW_JOIN : sql``}
      where t.token_hash = ${slot('digest')} and t.directory_id = ${slot('directoryId')} and t.revoked_at is null
    )`;
}

const ADMISSION_COLUMNS = sql.raw(
  'token.id as admission_token_id, token.organization_id as admission_organization_id, token.slug as admission_slug, ' +
    'token.last_used_ms as admission_last_used_ms, token.request_number as admission_request_number, ' +
    'token.window_start_ms as admission_window_start_ms, token.window_base as admission_window_base',
);

/** Records the token's use, at most once a minute; concurrent refreshes after the first find nothing to do. */
async function refreshLastUse(db: Database, tokenId: string, now: Date): Promise<void> {
  const due = new Date(now.getTime() - LAST_USED_GRANULARITY_MS).toISOString();
  await queryPrepared(
    db,
    sql`update scim_tokens set last_used_at = ${now.toISOString()}::timestamptz
      where id = ${tokenId} and (last_used_at is null or last_used_at <= ${due}::timestamptz)`,
  );
}

const numberOrNull = (value: string | number | null): number | null => (value === null ? null : Number(value));

async function admissionOf(db: Database, request: AdmissionRequest, row: AdmissionRow): Promise<ScimAdmission> {
  const principal: ScimPrincipal = {
    organizationId: row.admission_organization_id as OrganizationId,
    organizationSlug: row.admission_slug,
    directoryId: request.directoryId,
    tokenId: row.admission_token_id as ScimTokenId,
  };
  const { budget, now } = request;
  const lastUsedMs = numberOrNull(row.admission_last_used_ms);
  if (lastUsedMs === null || lastUsedMs <= now.getTime() - LAST_USED_GRANULARITY_MS) await refreshLastUse(db, principal.tokenId, now);
  if (budget === undefined) return { principal };
  const number = numberOrNull(row.admission_request_number);
  if (number === null) throw new Error('the admission took no request number');
  const rateLimit = await requestVerdict(db, principal.tokenId, budget, now, {
    number,
    windowStartMs: numberOrNull(row.admission_window_start_ms),
    base: numberOrNull(row.admission_window_base),
  });
  return { principal, rateLimit };
}

/** Statements built once per shape: whether the request is counted, and which read it makes. */
const templates = new Map<string, StatementTemplate<string>>();

function templateFor<K extends string>(key: string, build: (slot: (name: K) => string) => SQL): StatementTemplate<K> {
  let template = templates.get(key) as StatementTemplate<K> | undefined;
  if (template === undefined) {
    template = statementTemplate(build);
    templates.set(key, template);
  }
  return template;
}

const admissionValues = (request: AdmissionRequest): Record<AdmissionSlot, unknown> => ({
  digest: request.digest,
  directoryId: request.directoryId,
});

/**
 * Admits a request in a statement of its own. Returns undefined for any failure (unknown, revoked,
 * another directory's token), so callers cannot tell the cases apart; a request that fails is not
 * counted.
 */
export async function admitRequest(db: Database, request: AdmissionRequest): Promise<ScimAdmission | undefined> {
  const counted = request.budget !== undefined;
  const template = templateFor<AdmissionSlot>(
    `admit:${counted}`,
    (slot) => sql`with ${admissionClause(slot, counted)} select ${ADMISSION_COLUMNS} from token`,
  );
  const [row] = await queryTemplate<AdmissionRow, AdmissionSlot>(db, template, admissionValues(request));
  return row ? admissionOf(db, request, row) : undefined;
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
 * A read to make in the admission's statement, as a template (see statementTemplate): `build`
 * makes the read's SELECT with slots for its values; every read with the same `key` must build
 * the same statement.
 */
export interface AdmittedReadShape<K extends string> {
  key: string;
  build(slot: (name: K) => string): SQL;
}

/**
 * Admits a request and makes a read in the same statement: for the reads identity providers make
 * before every write (a lookup by userName, a user by id), the round trip of a separate admission
 * was a third of what the request cost the server. The read must be a plain SELECT scoped to the
 * request's directory; it is joined laterally to the token's row, so its rows come back only with
 * a valid token, and with its columns beside the admission's. The caller must act on the
 * admission (refuse, count, name the principal) before it uses the rows.
 */
export async function admitWithRead<T extends object, K extends string>(
  db: Database,
  request: AdmissionRequest,
  read: AdmittedReadShape<K>,
  values: Readonly<Record<K, unknown>>,
): Promise<{ admission: ScimAdmission | undefined; rows: T[] }> {
  const counted = request.budget !== undefined;
  const template = templateFor<K | AdmissionSlot>(
    `admit:${counted}:${read.key}`,
    (slot) => sql`with ${admissionClause(slot, counted)}
    select ${ADMISSION_COLUMNS}, r.*
    from token left join lateral (select true as admission_found, x.* from (${read.build(slot)}) x) r on true`,
  );
  const rows = await queryTemplate<AdmissionRow & { admission_found: boolean | null } & T, K | AdmissionSlot>(db, template, {
    ...values,
    ...admissionValues(request),
  });
  const [first] = rows;
  if (!first) return { admission: undefined, rows: [] };
  return { admission: await admissionOf(db, request, first), rows: rows.filter((row) => row.admission_found === true) };
}

/**
 * One resource by id, read in the admission's statement (admitWithRead). `read` is undefined for
 * an id that cannot name a resource (malformed): the request is then admitted alone, and its read
 * finds nothing. The result's `read` throws `missing()` when nothing was found.
 */
export async function admitWithReadOne<R extends object, K extends string, T>(
  db: Database,
  request: AdmissionRequest,
  read: { shape: AdmittedReadShape<K>; values: Readonly<Record<K, unknown>> } | undefined,
  toResult: (row: R) => T,
  missing: () => Error,
): Promise<AdmittedRead<T>> {
  const found = read === undefined ? { admission: await admitRequest(db, request), rows: [] } : await admitWithRead<R, K>(db, request, read.shape, read.values);
  return {
    admission: found.admission,
    read: () => {
      const [row] = found.rows;
      if (!row) throw missing();
      return toResult(row);
    },
  };
}

/**
 * A write to make in the admission's statement, as a template (see statementTemplate): `build`
 * makes the write's `with` clauses, which follow the admission's. They must take their rows from
 * `admitted` (its one column: `organization_id`), which holds the token's row only when the request
 * is admitted and within its budget, so that nothing is written otherwise, and must name what the
 * write returns `written`. Every write with the same `key` must build the same statement.
 */
export interface AdmittedWriteShape<K extends string> {
  key: string;
  build(slot: (name: K) => string): SQL;
}

/**
 * The slots of the admission's guard: the current window's start and the budget's limit. The
 * guard holds exactly when the verdict admissionOf reaches needs no statement of its own (the
 * token's stored window is the current one) and allows the request.
 */
type GuardSlot = 'windowStartMs' | 'limit';

/**
 * A write made in the statement that admitted its request: `admission` as admitRequest gives it;
 * `written` says whether the write ran, and `rows` are what it returned. It runs only when the
 * request is admitted and its count needs no window opened first (once a minute per token); when
 * it did not, the caller acts on the admission and, if allowed, makes the write on its own.
 */
export interface AdmittedWrite<T> {
  admission: ScimAdmission | undefined;
  written: boolean;
  rows: T[];
}

/**
 * Admits a request and makes its write in the same statement: for a create, whose write is a single
 * statement, the separate admission was half of the database round trips. See AdmittedWriteShape
 * for how the write is kept from running for a request that is not admitted.
 */
export async function admitWithWrite<T extends object, K extends string>(
  db: Database,
  request: AdmissionRequest,
  write: AdmittedWriteShape<K>,
  values: Readonly<Record<K, unknown>>,
): Promise<AdmittedWrite<T>> {
  const { budget } = request;
  const counted = budget !== undefined;
  const template = templateFor<K | AdmissionSlot | GuardSlot>(`admit-write:${counted}:${write.key}`, (slot) => {
    const guard = counted
      ? sql`token.window_start_ms >= ${slot('windowStartMs')}::float8 and token.request_number - token.window_base <= ${slot('limit')}::bigint`
      : sql`true`;
    // token is referenced twice below, so PostgreSQL evaluates it (and its nextval) once.
    return sql`with ${admissionClause(slot, counted)},
    admitted as (select token.organization_id from token where ${guard}),
    ${write.build(slot)}
    select ${ADMISSION_COLUMNS}, exists (select 1 from admitted) as admission_passed, w.*
    from token left join (select true as admission_found, x.* from written x) w on true`;
  });
  const guardValues: Record<GuardSlot, unknown> = {
    windowStartMs: budget === undefined ? null : windowStartOf(budget, request.now),
    limit: budget?.limit ?? null,
  };
  const rows = await queryTemplate<AdmissionRow & { admission_passed: boolean; admission_found: boolean | null } & T, K | AdmissionSlot | GuardSlot>(
    db,
    template,
    { ...values, ...admissionValues(request), ...guardValues },
  );
  const [first] = rows;
  if (!first) return { admission: undefined, written: false, rows: [] };
  return {
    admission: await admissionOf(db, request, first),
    written: first.admission_passed,
    rows: rows.filter((row) => row.admission_found === true),
  };
}
