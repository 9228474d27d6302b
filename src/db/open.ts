import type { Config } from '../config.ts';
import { openPglite, openPostgres, type DatabaseHandle } from './client.ts';

/** Opens the database the configuration names. The caller holds the data-dir lock for PGlite. */
export async function openDatabase(config: Config): Promise<DatabaseHandle> {
  if (config.database.kind === 'postgres') return openPostgres({ url: config.database.url });
  return openPglite({ dataDir: config.database.dataDir });
}
