/**
 * Keeps the SCIM request log within its retention period: prunes once at start and then every
 * hour. Its timer does not keep the process alive; `stop()` waits for a running prune so the
 * database can be closed after it.
 *
 * The same hourly pass folds the directories' count deltas (src/directory/resource-counts.ts),
 * which a directory that is never listed would otherwise keep adding up.
 */
import type { Database } from '../db/index.ts';
import { foldResourceCounts, pruneRequests } from '../directory/index.ts';
import type { Logger } from '../http/logger.ts';
import { failureSummary } from '../http/failure-summary.ts';

export interface RequestLogPrunerOptions {
  db: Database;
  logger: Logger;
  retentionDays: number;
  intervalMs?: number;
  now?: () => Date;
}

export interface RequestLogPruner {
  /** Prunes now (joining a prune already running); resolves to the entries deleted, 0 on failure. */
  runOnce(): Promise<number>;
  stop(): Promise<void>;
}

const DAY_MS = 24 * 60 * 60 * 1000;

export function startRequestLogPruner(options: RequestLogPrunerOptions): RequestLogPruner {
  const { db, logger, retentionDays } = options;
  if (!Number.isInteger(retentionDays) || retentionDays < 1) {
    throw new Error(`startRequestLogPruner: retentionDays must be a positive whole number (got ${retentionDays})`);
  }
  const now = options.now ?? (() => new Date());
  let running: Promise<number> | undefined;
  let stopped = false;

  const foldCounts = async (): Promise<void> => {
    try {
      await foldResourceCounts(db);
    } catch (error) {
      logger.warn({ err: failureSummary(error) }, 'directory counts: folding failed; retrying at the next interval');
    }
  };
  const prune = async (): Promise<number> => {
    await foldCounts();
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
  const runOnce = (): Promise<number> => {
    if (stopped) return Promise.resolve(0);
    running ??= prune().finally(() => {
      running = undefined;
    });
    return running;
  };

  const timer = setInterval(() => void runOnce(), options.intervalMs ?? 60 * 60 * 1000).unref();
  void runOnce();

  return {
    runOnce,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
