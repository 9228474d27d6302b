/**
 * postgres.js, loaded with a connection queue that stays small under a busy pipelining pool.
 *
 * postgres.js 3.x keeps its connections in queues (open, busy, full, …) whose shift() leaves a
 * slot behind that is only reclaimed once the queue empties, and whose remove() scans from the
 * array's start, slots included (porsager/postgres#747). With every connection busy, which is how
 * Roster's small pipelining pool spends a busy minute, each statement shifts a connection off the
 * busy queue and puts it back: the busy queue never empties, so it grows by one slot per
 * statement and each statement scans all of them. 20,000 statements end with scans of ~19,000
 * slots; at a few thousand statements a second, throughput falls within a minute.
 *
 * Roster used to patch the installed driver at install time, which an install without scripts
 * skips without a word. Instead, the driver's CommonJS build is loaded here with Roster's queue
 * already in the module cache under the path of the driver's own queue, so the driver picks it
 * up whatever installed it. test/db/postgres-queue.test.ts runs a busy pool and checks that no
 * queue scan grows with the number of statements, so a driver whose layout no longer matches fails
 * the suite instead of slowing down unseen.
 */
import Module, { createRequire } from 'node:module';
import path from 'node:path';
import type postgresType from 'postgres';

interface Queue<T> {
  readonly length: number;
  remove(x: T): T | null;
  push(x: T): T;
  shift(): T | undefined;
}

/** The driver's queue (same interface), with remove() scanning only live entries and shift() compacting. */
function Queue<T>(initial: T[] = []): Queue<T> {
  let xs: (T | undefined)[] = initial.slice();
  let index = 0;
  return {
    get length() {
      return xs.length - index;
    },
    remove: (x) => {
      const i = xs.indexOf(x, index);
      return i === -1 ? null : (xs.splice(i, 1), x);
    },
    push: (x) => (xs.push(x), x),
    shift: () => {
      const out = xs[index++];
      if (index === xs.length) {
        index = 0;
        xs = [];
      } else {
        xs[index - 1] = undefined;
        // Drop the spent slots once they are half the array: amortised O(1) per shift.
        if (index >= 32 && index * 2 >= xs.length) {
          xs = xs.slice(index);
          index = 0;
        }
      }
      return out;
    },
  };
}

const require = createRequire(import.meta.url);
const queuePath = path.join(path.dirname(require.resolve('postgres')), 'queue.js');
if (require.cache[queuePath] === undefined) {
  const queueModule = new Module(queuePath);
  queueModule.filename = queuePath;
  queueModule.loaded = true;
  queueModule.exports = Queue;
  require.cache[queuePath] = queueModule;
}

/** The postgres.js factory, with Roster's queue. */
export const postgres = require('postgres') as typeof postgresType;
