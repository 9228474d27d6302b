/**
 * The run's own PostgreSQL database: created fresh so that no earlier run's rows, bloat or cache
 * state colour the figures, and dropped at the end unless the operator wants to look inside.
 */
import postgres from 'postgres';

export type Sql = postgres.Sql;

/** A client with the settings every bench connection wants (NOTICEs from migrations are noise). */
export function connect(url: string, max = 4): Sql {
  return postgres(url, { max, onnotice: () => {}, idle_timeout: 30, connect_timeout: 10 });
}

/** The same server and credentials, another database. */
export function databaseUrl(adminUrl: string, database: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  return url.href;
}

export function runDatabaseName(now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:T]/g, '').replace(/\..*$/, '');
  return `roster_bench_${stamp}_${process.pid}`;
}

export async function createDatabase(adminUrl: string, name: string): Promise<void> {
  const admin = connect(adminUrl, 1);
  try {
    await admin.unsafe(`create database ${quoteIdent(name)}`);
  } finally {
    await admin.end({ timeout: 5 });
  }
}

/** Drops the run's database, disconnecting whoever is still attached (a server that did not stop). */
export async function dropDatabase(adminUrl: string, name: string): Promise<void> {
  const admin = connect(adminUrl, 1);
  try {
    await admin.unsafe(`drop database if exists ${quoteIdent(name)} with (force)`);
  } finally {
    await admin.end({ timeout: 5 });
  }
}

function quoteIdent(name: string): string {
  if (!/^[a-z0-9_]+$/.test(name)) throw new Error(`unexpected database name "${name}"`);
  return `"${name}"`;
}

/** Database-wide counters, to tell per request how many transactions and row writes a scenario cost. */
export interface DbCounters {
  commits: number;
  inserted: number;
  updated: number;
  deleted: number;
  /** Rows handed back to clients by index and sequential scans. */
  fetched: number;
}

/**
 * Reads pg_stat_database and the WAL position. Backends report their counters at most once a
 * second, so a delta over a phase of ten seconds or more is right to within a few percent;
 * waiting a moment before reading lets idle backends flush theirs.
 */
export async function readCounters(sql: Sql, settleMs = 1200): Promise<DbCounters> {
  await new Promise((resolve) => setTimeout(resolve, settleMs));
  const [row] = await sql<{ commits: string; inserted: string; updated: string; deleted: string; fetched: string }[]>`
    select xact_commit::text as commits, tup_inserted::text as inserted, tup_updated::text as updated,
           tup_deleted::text as deleted, tup_fetched::text as fetched
    from pg_stat_database where datname = current_database()`;
  if (!row) throw new Error('pg_stat_database has no row for the bench database');
  return {
    commits: Number(row.commits),
    inserted: Number(row.inserted),
    updated: Number(row.updated),
    deleted: Number(row.deleted),
    fetched: Number(row.fetched),
  };
}

export function counterDelta(before: DbCounters, after: DbCounters): DbCounters {
  return {
    commits: after.commits - before.commits,
    inserted: after.inserted - before.inserted,
    updated: after.updated - before.updated,
    deleted: after.deleted - before.deleted,
    fetched: after.fetched - before.fetched,
  };
}
