/**
 * Stores request-log entries off the request path: entries wait in a bounded in-memory queue and
 * are written as one multi-row INSERT per batch, when a batch is full or a short interval has
 * passed, whichever comes first. A slow or failing database costs log entries, never requests:
 * when the queue is full new entries are dropped and counted, and a failed batch is reported and
 * let go rather than retried into a growing backlog.
 */
import type { Database } from '../db/index.ts';
import { recordRequests, type RequestLogEntry } from '../directory/index.ts';
import type { Logger } from '../http/index.ts';
import { failureSummary } from '../http/index.ts';

export interface RequestLogWriterOptions {
  db: Database;
  logger: Logger;
  /** Longest an entry waits before it is written. */
  flushIntervalMs?: number;
  /** Entries per INSERT; a full batch is written at once. */
  batchSize?: number;
  /** Entries held in memory at most; beyond it new entries are dropped. */
  maxQueue?: number;
  /** Approximate memory the queued entries may hold; beyond it new entries are dropped. */
  maxQueueBytes?: number;
  /** How often repeated drops and failures are reported, so a database outage is not a log flood. */
  reportIntervalMs?: number;
}

/** What the writer has done since it started. */
export interface RequestLogWriterStats {
  /** Entries stored. */
  written: number;
  /** INSERT statements that stored them. */
  batches: number;
  /** Entries refused because the queue was full or the writer closed. */
  dropped: number;
  /** Entries lost with a batch the database refused. */
  failed: number;
}

/**
 * Batches request-log entries into the database; `close()` writes what is still queued. The SCIM
 * request log hands it entries through `enqueue` (its RequestLogSink), a shape this class meets
 * without importing the protocol.
 */
export class RequestLogWriter {
  readonly #db: Database;
  readonly #logger: Logger;
  readonly #flushIntervalMs: number;
  readonly #batchSize: number;
  readonly #maxQueue: number;
  readonly #maxQueueBytes: number;
  readonly #drops: Tally;
  readonly #failures: Tally;
  #queue: Queued[] = [];
  #queuedBytes = 0;
  #timer: NodeJS.Timeout | undefined;
  #flushing: Promise<void> | undefined;
  #closed = false;
  readonly #stats: RequestLogWriterStats = { written: 0, batches: 0, dropped: 0, failed: 0 };

  constructor(options: RequestLogWriterOptions) {
    this.#db = options.db;
    this.#logger = options.logger;
    this.#flushIntervalMs = positive('flushIntervalMs', options.flushIntervalMs ?? 250);
    this.#batchSize = positive('batchSize', options.batchSize ?? 200);
    this.#maxQueue = positive('maxQueue', options.maxQueue ?? 10_000);
    // Bodies are capped at 64 KiB each: without a byte bound, a full queue of them would be 640 MiB.
    this.#maxQueueBytes = positive('maxQueueBytes', options.maxQueueBytes ?? 64 * 1024 * 1024);
    const reportIntervalMs = options.reportIntervalMs ?? 10_000;
    this.#drops = new Tally(reportIntervalMs);
    this.#failures = new Tally(reportIntervalMs);
  }

  get stats(): Readonly<RequestLogWriterStats> {
    return { ...this.#stats };
  }

  /** Entries waiting to be written. */
  get pending(): number {
    return this.#queue.length;
  }

  enqueue(entry: RequestLogEntry): void {
    const bytes = sizeOf(entry);
    if (this.#closed || this.#queue.length >= this.#maxQueue || this.#queuedBytes + bytes > this.#maxQueueBytes) {
      this.#stats.dropped++;
      this.#reportDrops(this.#drops.add(1));
      return;
    }
    this.#queue.push({ entry, bytes });
    this.#queuedBytes += bytes;
    // Armed even when a full batch starts a flush now: an entry that arrives as a running flush
    // finishes would otherwise wait for the next one.
    this.#timer ??= setTimeout(() => void this.flush(), this.#flushIntervalMs).unref();
    if (this.#queue.length >= this.#batchSize) void this.flush();
  }

  /** Writes everything queued so far; resolves once it is stored or reported lost. Never rejects. */
  flush(): Promise<void> {
    this.#flushing ??= this.#drain().finally(() => {
      this.#flushing = undefined;
    });
    return this.#flushing;
  }

  /** Stops accepting entries and writes the ones still queued. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.flush();
    this.#reportDrops(this.#drops.takeAll());
    this.#reportFailure(undefined, this.#failures.takeAll());
  }

  async #drain(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    while (this.#queue.length > 0) {
      const queued = this.#queue.splice(0, this.#batchSize);
      const batch = queued.map((q) => q.entry);
      for (const q of queued) this.#queuedBytes -= q.bytes;
      try {
        this.#stats.written += await recordRequests(this.#db, batch);
        this.#stats.batches++;
      } catch (error) {
        this.#stats.failed += batch.length;
        this.#reportFailure(error, this.#failures.add(batch.length));
      }
    }
  }

  #reportDrops(count: number | undefined): void {
    if (count === undefined || count === 0) return;
    this.#logger.warn(
      { dropped: count, droppedTotal: this.#stats.dropped, maxQueue: this.#maxQueue, maxQueueBytes: this.#maxQueueBytes },
      this.#closed ? 'scim request log: entries dropped after close' : 'scim request log: queue full, entries dropped',
    );
  }

  // Only the error's kind and message: the failed statement's parameters are the request bodies.
  #reportFailure(error: unknown, count: number | undefined): void {
    if (count === undefined || count === 0) return;
    this.#logger.error(
      { ...(error === undefined ? {} : { err: failureSummary(error) }), lost: count, lostTotal: this.#stats.failed },
      'scim request log: writing entries failed, entries lost',
    );
  }
}

/**
 * Counts events and says when to report them: the first at once, then the sum at most once per
 * interval.
 */
class Tally {
  #unreported = 0;
  #lastReport = -Infinity;

  constructor(readonly intervalMs: number) {}

  /** Adds events; returns the count to report now, or undefined while within the interval. */
  add(count: number): number | undefined {
    this.#unreported += count;
    const now = performance.now();
    if (now - this.#lastReport < this.intervalMs) return undefined;
    this.#lastReport = now;
    return this.takeAll();
  }

  takeAll(): number {
    const count = this.#unreported;
    this.#unreported = 0;
    return count;
  }
}

interface Queued {
  entry: RequestLogEntry;
  bytes: number;
}

/** Roughly what an entry holds in memory; its body dominates when it has one. */
function sizeOf(entry: RequestLogEntry): number {
  const text = entry.path.length + (entry.filter?.length ?? 0) + (entry.userAgent?.length ?? 0) + entry.requestId.length;
  const body = entry.requestBody === null || entry.requestBody === undefined ? 0 : (JSON.stringify(entry.requestBody)?.length ?? 0);
  return 256 + 2 * (text + body);
}

function positive(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) throw new Error(`RequestLogWriter: ${name} must be a positive whole number (got ${value})`);
  return value;
}
