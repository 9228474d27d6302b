import type { Config } from '../config.ts';
import { openPglite, openPostgres, type DatabaseHandle } from './client.ts';

/** Opens the database the configuration names. The caller holds the data-dir lock for PGlite. */
export async function openDatabase(config: Config): Promise<DatabaseHandle> {
  if (config.database.kind === 'postgres') return openPostgres({ url: config.database.url, max: config.database.poolSize });
  return openPglite({ dataDir: config.database.dataDir });
}

const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'CONNECT_TIMEOUT', 'ECONNRESET']);

/**
 * A one-line explanation when `error` means the database could not be reached, naming where it
 * was looked for (never the credentials in DATABASE_URL); undefined for any other error.
 */
export function describeUnreachable(error: unknown, config: Config): string | undefined {
  const code = (error as { code?: unknown } | undefined)?.code;
  if (typeof code !== 'string' || !CONNECTION_CODES.has(code)) return undefined;
  const where = config.database.kind === 'postgres' ? new URL(config.database.url).host : config.dataDir;
  return `cannot reach the database at ${where} (${code})`;
}

/** Socket and postgres.js errors that mean the connection itself failed, not the statement. */
const UNAVAILABLE_CODES = new Set([
  ...CONNECTION_CODES,
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'CONNECTION_CLOSED',
  'CONNECTION_ENDED',
  'CONNECTION_DESTROYED',
]);

/**
 * SQLSTATEs of a server that is going away or not taking connections: admin_shutdown,
 * crash_shutdown, cannot_connect_now (starting up, shutting down, in recovery), and
 * too_many_connections, which clears as soon as another client disconnects.
 */
const UNAVAILABLE_SQLSTATES = new Set(['57P01', '57P02', '57P03', '53300']);

/**
 * Whether `error` means the database cannot be reached right now (refused, dropped or timed-out
 * connections, SQLSTATE class 08 connection exceptions, a server shutting down or starting up),
 * as opposed to a statement that failed: such a request deserves 503 and a retry, not 500. Looks
 * through drizzle's `cause` wrapping and the AggregateError Node raises when every address of a
 * host refuses.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  const pending: unknown[] = [error];
  for (let seen = 0; pending.length > 0 && seen < 10; seen++) {
    const current = pending.shift();
    if (!current || typeof current !== 'object') continue;
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && (UNAVAILABLE_CODES.has(code) || UNAVAILABLE_SQLSTATES.has(code) || /^08[0-9A-Z]{3}$/.test(code))) {
      return true;
    }
    pending.push((current as { cause?: unknown }).cause);
    if (current instanceof AggregateError) pending.push(...(current.errors as unknown[]));
  }
  return false;
}
