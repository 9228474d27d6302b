/**
 * One transaction per change. A verb called from inside another verb's transaction joins it instead
 * of opening its own, so verbs compose and a test can wrap them all.
 */
import { isTransactionConflict } from '../errors.ts';
import type { Database } from './client.ts';

const IN_TRANSACTION = Symbol('roster.inTransaction');
type TransactionDb = Database & { [IN_TRANSACTION]?: true };

/**
 * How many times an outermost transaction runs when PostgreSQL breaks a deadlock or a
 * serialisation conflict by ending it. Writes lock rows in the order their verbs reach them (a
 * user's change touches its groups; a group's change touches its members), so two of them can
 * meet in opposite orders; the one PostgreSQL ends has done nothing and simply runs again.
 */
const ATTEMPTS = 3;

export async function withTransaction<T>(db: Database, fn: (tx: Database) => Promise<T>): Promise<T> {
  // Inside a transaction, a conflict ends the outer one: only the outermost call runs it again.
  if ((db as TransactionDb)[IN_TRANSACTION]) return fn(db);
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.transaction(async (tx) => {
        const marked = tx as unknown as TransactionDb;
        marked[IN_TRANSACTION] = true;
        return fn(marked);
      });
    } catch (error) {
      if (attempt >= ATTEMPTS || !isTransactionConflict(error)) throw error;
    }
  }
}
