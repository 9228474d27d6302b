/**
 * Folds the directories' count deltas (src/directory/resource-counts.ts) every few seconds, so
 * that the table the triggers append to stays small: a count reads a few rows whatever the
 * planner thinks of that table, and a directory that is never listed (Entra never pages through
 * all users) does not pile deltas up. The folded rows' dead versions are PostgreSQL's autovacuum's
 * to remove (migration 0011 sets the table's thresholds). Every instance may run it: concurrent
 * folds add each delta once.
 */
import type { Database } from '../db/index.ts';
import { foldResourceCounts } from '../directory/index.ts';
import type { Logger } from '../http/index.ts';
import { failureSummary } from '../http/index.ts';
import { startPeriodicTask, type PeriodicTask } from './periodic-task.ts';

export interface CountFolderOptions {
  db: Database;
  logger: Logger;
  intervalMs?: number;
}

/** Resolves each run to how many directory counts it changed, 0 on failure. */
export function startCountFolder(options: CountFolderOptions): PeriodicTask<number> {
  const { db, logger } = options;
  const fold = async (): Promise<number> => {
    try {
      return await foldResourceCounts(db);
    } catch (error) {
      logger.warn({ err: failureSummary(error) }, 'directory counts: folding failed; retrying at the next interval');
      return 0;
    }
  };
  return startPeriodicTask(fold, 0, options.intervalMs ?? 10_000);
}
