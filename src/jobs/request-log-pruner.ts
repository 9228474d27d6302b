/**
 * Keeps the SCIM request log within its retention period: prunes once at start and then every
 * hour. Its timer does not keep the process alive; `stop()` waits for a running prune so the
 * database can be closed after it.
 */
import type { Database } from '../db/index.ts';
import { pruneRequests } from '../directory/index.ts';
import type { Logger } from '../http/index.ts';
import { failureSummary } from '../http/index.ts';
import { startPeriodicTask, type PeriodicTask } from './periodic-task.ts';

export interface RequestLogPrunerOptions {
  db: Database;
  logger: Logger;
  retentionDays: number;
  intervalMs?: number;
  now?: () => Date;
}

/** runOnce prunes now (joining a prune already running) and resolves to the entries deleted, 0 on failure. */
export type RequestLogPruner = PeriodicTask<number>;

const DAY_MS = 24 * 60 * 60 * 1000;

export function startRequestLogPruner(options: RequestLogPrunerOptions): RequestLogPruner {
  const { db, logger, retentionDays } = options;
  if (!Number.isInteger(retentionDays) || retentionDays < 1) {
    throw new Error(`startRequestLogPruner: retentionDays must be a positive whole number (got ${retentionDays})`);
  }
  const now = options.now ?? (() => new Date());
  const prune = async (): Promise<number> => {
    const olderThan = new Date(now().getTime() - retentionDays * DAY_MS);
    try {
      const deleted = await pruneRequests(db, olderThan);
      if (deleted > 0) logger.info({ deleted, olderThan: olderThan.toISOString() }, 'scim request log pruned');
      return deleted;
    } catch (error) {
      logger.warn({ err: failureSummary(error) }, 'scim request log: pruning failed; retrying at the next interval');
      return 0;
    }
  };
  return startPeriodicTask(prune, 0, options.intervalMs ?? 60 * 60 * 1000);
}
