/**
 * The floor of the work Roster must do for every SCIM request, added to the baseline server for
 * `--floor`: the bare statement of bench/baseline-server.ts plus a bearer token checked by its
 * SHA-256 digest, the request counted against the token (a sequence, as Roster counts), and a
 * row in a request log written in batches off the request path. Each is done the cheapest way
 * Roster's stack allows (the token check and the count in the statement that reads or writes; a
 * log table with one index besides its key, no foreign key), so that Roster ÷ floor shows what
 * Roster's own SCIM layer costs beyond that work.
 */
import { createHash } from 'node:crypto';
import type { Context, Hono } from 'hono';
import type postgres from 'postgres';
import { v7 as uuidv7 } from 'uuid';

/** Tables and the token the floor routes need; created with the baseline's users (seed.ts). */
export const FLOOR_SCHEMA = `
  create table baseline_tokens (id uuid primary key, directory_id uuid not null, token_hash text not null unique);
  create sequence baseline_request_counter;
  create table baseline_request_log (
    id uuid primary key, directory_id uuid not null, created_at timestamptz not null, method text not null, path text not null,
    filter text, status int not null, scim_type text, duration_ms int not null, resource_id text, request_body jsonb
  );
  create index baseline_request_log_directory_idx on baseline_request_log (directory_id, created_at, id);`;

/** Requests a token may make; higher than any run sends. */
const REQUEST_BUDGET = Number.MAX_SAFE_INTEGER;

export const digestOf = (token: string) => createHash('sha256').update(token).digest('hex');

interface LogRow {
  id: string;
  directory_id: string;
  created_at: string;
  method: string;
  path: string;
  filter: string | null;
  status: number;
  scim_type: string | null;
  duration_ms: number;
  resource_id: string | null;
  request_body: unknown;
}

/** Entries queue here and are stored by one INSERT per batch: every 250 ms, or at 200 entries. */
class LogBatcher {
  #queue: LogRow[] = [];
  #timer: NodeJS.Timeout | undefined;
  readonly #sql: postgres.Sql;

  constructor(sql: postgres.Sql) {
    this.#sql = sql;
  }

  add(row: LogRow): void {
    this.#queue.push(row);
    if (this.#queue.length >= 200) this.#flush();
    else this.#timer ??= setTimeout(() => this.#flush(), 250);
  }

  #flush(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const rows = this.#queue;
    this.#queue = [];
    if (rows.length === 0) return;
    this.#sql`
      insert into baseline_request_log (id, directory_id, created_at, method, path, filter, status, scim_type, duration_ms, resource_id, request_body)
      select * from jsonb_to_recordset(${this.#sql.json(rows as unknown as postgres.JSONValue)}) as entry(id uuid, directory_id uuid,
        created_at timestamptz, method text, path text, filter text, status int, scim_type text, duration_ms int, resource_id text, request_body jsonb)`.catch(
      (error: Error) => process.stderr.write(`baseline-floor: a log batch failed: ${error.message}\n`),
    );
  }
}

/** Mounts /floor/pk/:id, /floor/by-name and /floor/insert, each the baseline's route plus the required work. */
export function mountFloor(app: Hono, sql: postgres.Sql, directoryId: string): void {
  const log = new LogBatcher(sql);
  const JSON_TYPE = { 'Content-Type': 'application/json' };
  const digest = (c: Context) => {
    const header = c.req.header('authorization') ?? '';
    return header.startsWith('Bearer ') ? digestOf(header.slice(7)) : '';
  };
  const record = (c: Context, started: number, status: number, resourceId: string | null, body: unknown = null) => {
    const url = c.req.url;
    const query = url.indexOf('?');
    log.add({
      id: uuidv7(),
      directory_id: directoryId,
      created_at: new Date(started).toISOString(),
      method: c.req.method,
      path: c.req.path,
      filter: query < 0 ? null : url.slice(query + 1),
      status,
      scim_type: null,
      duration_ms: Date.now() - started,
      resource_id: resourceId,
      request_body: body,
    });
  };
  // The token's row and the request's number come back with the read; no row means no valid token.
  // The budget is never reached, as Roster's in the bench, but every request is held against it.
  const refused = (c: Context, rows: readonly postgres.Row[]) =>
    rows.length === 0 ? c.body(null, 401) : Number(rows[0]!.n) > REQUEST_BUDGET ? c.body(null, 429) : undefined;

  app.get('/floor/pk/:id', async (c) => {
    const started = Date.now();
    const id = c.req.param('id');
    if (!/^[0-9a-f-]{36}$/i.test(id)) return c.body(null, 404);
    const rows = await sql`
      with token as (
        select t.id, nextval('baseline_request_counter') as n from baseline_tokens t where t.token_hash = ${digest(c)} and t.directory_id = ${directoryId}
      )
      select token.n, u.id, u.directory_id, u.user_name, u.document from token
      left join lateral (select * from baseline_users where id = ${id}) u on true`;
    const refusal = refused(c, rows);
    if (refusal) return refusal;
    const { n: _n, ...user } = rows[0]!;
    const status = user.id === null ? 404 : 200;
    record(c, started, status, id);
    return status === 404 ? c.body(null, 404) : c.body(JSON.stringify(user), 200, JSON_TYPE);
  });

  app.get('/floor/by-name', async (c) => {
    const started = Date.now();
    const userName = c.req.query('userName') ?? '';
    const rows = await sql`
      with token as (
        select t.id, nextval('baseline_request_counter') as n from baseline_tokens t where t.token_hash = ${digest(c)} and t.directory_id = ${directoryId}
      )
      select token.n, u.id, u.directory_id, u.user_name, u.document from token
      left join lateral (
        select * from baseline_users where directory_id = ${directoryId} and lower(user_name) = lower(${userName})
      ) u on true`;
    const refusal = refused(c, rows);
    if (refusal) return refusal;
    const found = rows.filter((r) => r.id !== null).map(({ n: _n, ...user }) => user);
    record(c, started, 200, null);
    return c.body(JSON.stringify({ totalResults: found.length, Resources: found }), 200, JSON_TYPE);
  });

  app.post('/floor/insert', async (c) => {
    const started = Date.now();
    const body = (await c.req.json()) as { userName?: unknown; document?: unknown };
    if (typeof body.userName !== 'string' || typeof body.document !== 'object' || body.document === null) return c.body(null, 400);
    const id = uuidv7();
    const rows = await sql`
      with token as (
        select t.id, nextval('baseline_request_counter') as n from baseline_tokens t where t.token_hash = ${digest(c)} and t.directory_id = ${directoryId}
      ), inserted as (
        insert into baseline_users (id, directory_id, user_name, document)
        select ${id}, ${directoryId}, ${body.userName}, ${sql.json(body.document as postgres.JSONValue)} from token
        where token.n <= ${String(REQUEST_BUDGET)}::bigint
        returning id
      )
      select token.n, inserted.id from token left join inserted on true`;
    const refusal = refused(c, rows);
    if (refusal) return refusal;
    record(c, started, 201, id, body);
    return c.body(JSON.stringify({ id }), 201, JSON_TYPE);
  });
}
