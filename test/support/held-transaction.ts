/**
 * A transaction left open on a connection of its own, for tests of what other requests do while
 * its locks are held and its changes are not yet committed (PostgreSQL only).
 */
import { openPostgres, type Database } from '../../src/db/index.ts';

export interface HeldTransaction {
  /** Commits the transaction and closes its connection; calling it again does nothing. */
  commit(): Promise<void>;
}

/** Runs `work` in a transaction and resolves once it has run, with the transaction still open. */
export async function holdTransaction(url: string, work: (tx: Database) => Promise<void>): Promise<HeldTransaction> {
  const other = openPostgres({ url, max: 2 });
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  let ready!: () => void;
  const worked = new Promise<void>((resolve) => (ready = resolve));
  const open = other.db.transaction(async (tx) => {
    await work(tx as unknown as Database);
    ready();
    await held;
  });
  try {
    await Promise.race([worked, open]);
  } catch (error) {
    await other.close();
    throw error;
  }
  let committed: Promise<void> | undefined;
  return {
    commit() {
      committed ??= (async () => {
        release();
        try {
          await open;
        } finally {
          await other.close();
        }
      })();
      return committed;
    },
  };
}
