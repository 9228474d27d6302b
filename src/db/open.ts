import type { Config } from '../config.ts';
import { openPglite, openPostgres, type DatabaseHandle } from './client.ts';

/** Opens the database the configuration names. The caller holds the data-dir lock for PGlite. */
export async function openDatabase(config: Config): Promise<DatabaseHandle> {
  if (config.database.kind === 'postgres') return openPostgres({ url: config.database.url });
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
