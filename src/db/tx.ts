/**
 * One transaction per change. A verb called from inside another verb's transaction joins it instead
 * of opening its own, so verbs compose and a test can wrap them all.
 */
import type { Database } from './client.ts';

const IN_TRANSACTION = Symbol('roster.inTransaction');
type TransactionDb = Database & { [IN_TRANSACTION]?: true };

export async function withTransaction<T>(db: Database, fn: (tx: Database) => Promise<T>): Promise<T> {
  if ((db as TransactionDb)[IN_TRANSACTION]) return fn(db);
  return db.transaction(async (tx) => {
    const marked = tx as unknown as TransactionDb;
    marked[IN_TRANSACTION] = true;
    return fn(marked);
  });
}
