/**
 * The bare baseline Roster is compared with: the same Node, Hono, @hono/node-server, postgres.js
 * and PostgreSQL, with none of Roster's work (no authentication, rate limit, request log, parsing of
 * SCIM, transactions or change feed). Each endpoint is the one statement a request would need at
 * the very least, as a prepared statement on a pool of 10 connections, as the baseline is specified.
 *
 * Runs as its own process, like Roster, so that neither shares an event loop with the load
 * generator. Prints `{"port":…}` on stdout once it listens; stops on SIGTERM.
 *
 * Environment: BASELINE_DATABASE_URL, BASELINE_DIRECTORY_ID, PORT (0 for any free port),
 * BASELINE_MAX_PIPELINE (0).
 */
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import postgres from 'postgres';
import { v7 as uuidv7 } from 'uuid';

const url = process.env.BASELINE_DATABASE_URL;
const directoryId = process.env.BASELINE_DIRECTORY_ID;
if (!url || !directoryId) {
  process.stderr.write('baseline-server: BASELINE_DATABASE_URL and BASELINE_DIRECTORY_ID are required\n');
  process.exit(2);
}

// postgres.js prepares each distinct statement once per connection (prepare: true is its default,
// stated here because the comparison depends on it). max_pipeline defaults to 0 here: with more
// callers than connections, postgres.js otherwise pipelines onto busy connections, and the array
// it keeps them in grows without bound under sustained load (Queue.remove scans it on every
// query), so throughput decays within seconds (porsager/postgres#747). The baseline should not
// carry a defect one option avoids; BASELINE_MAX_PIPELINE=100 restores the library default. The
// option suits this server only because it never opens a transaction: in postgres.js 3.4, max_pipeline 0
// also stops sql.begin() from reserving its connection (UNSAFE_TRANSACTION on BEGIN).
// (max_pipeline is read by postgres.js but missing from its type declarations.)
const options = { max: 10, prepare: true, max_pipeline: Number(process.env.BASELINE_MAX_PIPELINE ?? 0), onnotice: () => {}, idle_timeout: 60 };
const sql = postgres(url, options);

const JSON_TYPE = { 'Content-Type': 'application/json' };
const app = new Hono();

app.get('/pk/:id', async (c) => {
  const id = c.req.param('id');
  if (!/^[0-9a-f-]{36}$/i.test(id)) return c.body(null, 404);
  const rows = await sql`select id, directory_id, user_name, document from baseline_users where id = ${id}`;
  return rows.length === 0 ? c.body(null, 404) : c.body(JSON.stringify(rows[0]), 200, JSON_TYPE);
});

app.get('/by-name', async (c) => {
  const userName = c.req.query('userName') ?? '';
  const rows = await sql`
    select id, directory_id, user_name, document from baseline_users
    where directory_id = ${directoryId} and lower(user_name) = lower(${userName})`;
  return c.body(JSON.stringify({ totalResults: rows.length, Resources: rows }), 200, JSON_TYPE);
});

// Time-ordered ids, as Roster's: both primary-key indexes grow at their right edge alike.
app.post('/insert', async (c) => {
  const body = (await c.req.json()) as { userName?: unknown; document?: unknown };
  if (typeof body.userName !== 'string' || typeof body.document !== 'object' || body.document === null) return c.body(null, 400);
  const rows = await sql`
    insert into baseline_users (id, directory_id, user_name, document)
    values (${uuidv7()}, ${directoryId}, ${body.userName}, ${sql.json(body.document as postgres.JSONValue)})
    returning id`;
  return c.body(JSON.stringify({ id: rows[0]!.id }), 201, JSON_TYPE);
});

const server = serve({ fetch: app.fetch, port: Number(process.env.PORT ?? 0), hostname: '127.0.0.1' }, (info: AddressInfo) => {
  process.stdout.write(`${JSON.stringify({ port: info.port })}\n`);
});

process.once('SIGTERM', () => {
  server.close();
  void sql.end({ timeout: 5 }).then(() => process.exit(0));
});
