/**
 * The load generator: a fixed number of workers, each sending one request at a time over its own
 * keep-alive connection, so the concurrency the server sees is exactly the configured one. Every
 * request comes from a factory called with a running index, which lets a scenario hand out fresh
 * userNames or walk through membership batches without any shared mutable state of its own.
 *
 * Latencies go into a log-linear histogram (about 1.5 % resolution): memory stays bounded however
 * long a soak runs, and p50/p99 need no sort of millions of samples.
 */
import http, { type IncomingHttpHeaders } from 'node:http';

export interface HttpRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  headers?: Record<string, string>;
  body?: string;
  /** Statuses that count as success; anything else is an error. */
  expect: readonly number[];
  /** A mixed load's name for this kind of request: each sample then reports each kind's latency. */
  kind?: string;
}

export interface HttpResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export interface LatencySummary {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

/** Milliseconds, recorded with microsecond input and ~1.5 % relative precision. */
export class Histogram {
  // 64 sub-buckets per power of two of microseconds, up to 2^27 µs (over two minutes).
  static readonly #SUB = 64;
  static readonly #MAX_EXP = 27;
  readonly #counts = new Float64Array((Histogram.#MAX_EXP + 1) * Histogram.#SUB);
  #count = 0;
  #sum = 0;
  #max = 0;

  record(ms: number): void {
    const us = Math.max(1, Math.round(ms * 1000));
    this.#counts[Histogram.#index(us)]! += 1;
    this.#count += 1;
    this.#sum += ms;
    if (ms > this.#max) this.#max = ms;
  }

  static #index(us: number): number {
    const exp = Math.min(Histogram.#MAX_EXP, Math.floor(Math.log2(us)));
    const base = 2 ** exp;
    const sub = Math.min(Histogram.#SUB - 1, Math.floor(((us - base) / base) * Histogram.#SUB));
    return exp * Histogram.#SUB + sub;
  }

  /** The upper edge of a bucket, so a reported percentile never flatters the server. */
  static #upperMs(index: number): number {
    const exp = Math.floor(index / Histogram.#SUB);
    const sub = index % Histogram.#SUB;
    const base = 2 ** exp;
    return (base + ((sub + 1) * base) / Histogram.#SUB) / 1000;
  }

  quantile(q: number): number {
    if (this.#count === 0) return 0;
    const rank = Math.ceil(q * this.#count);
    let seen = 0;
    for (let i = 0; i < this.#counts.length; i++) {
      seen += this.#counts[i]!;
      if (seen >= rank) return Math.min(Histogram.#upperMs(i), this.#max);
    }
    return this.#max;
  }

  /** Adds another histogram's samples to this one (phases measured in slices). */
  merge(other: Histogram): this {
    for (let i = 0; i < this.#counts.length; i++) this.#counts[i]! += other.#counts[i]!;
    this.#count += other.#count;
    this.#sum += other.#sum;
    this.#max = Math.max(this.#max, other.#max);
    return this;
  }

  summary(): LatencySummary {
    return {
      count: this.#count,
      p50: this.quantile(0.5),
      p90: this.quantile(0.9),
      p99: this.quantile(0.99),
      max: this.#max,
      mean: this.#count === 0 ? 0 : this.#sum / this.#count,
    };
  }
}

/** What happened in one sampling interval (soak: one line per minute). */
export interface LoadSample {
  /** Since the measured phase started. */
  elapsedMs: number;
  intervalMs: number;
  requests: number;
  errors: number;
  latency: LatencySummary;
  /** The same, per `kind` of request, when the requests name one. */
  byKind: Record<string, LatencySummary>;
}

export interface LoadOptions {
  origin: string;
  concurrency: number;
  /** Length of the measured phase. */
  durationMs: number;
  /** Load sent before measuring, discarded from the figures (connections, JIT, caches, pools). */
  warmupMs?: number;
  /** Most requests the measured phase sends; the run also ends when the factory runs out. */
  maxRequests?: number;
  /** The request with running index `i` (warm-up included), or undefined when there is no more work. */
  request: (i: number) => HttpRequest | undefined;
  /**
   * Sees every successful response, warm-up included, and may reject it by returning a message
   * (a wrong totalResults, a missing Location). `measured` says whether it counts in the figures.
   */
  check?: (i: number, response: HttpResponse, measured: boolean) => string | undefined;
  /** Per-request timeout; a timed-out request is an error, never a hang. */
  timeoutMs?: number;
  sampleEveryMs?: number;
  onSample?: (sample: LoadSample) => void;
}

export interface LoadResult {
  /** Successful requests in the measured phase. */
  requests: number;
  /** Every request that got an answer or failed, warm-up included: what the database saw. */
  sent: number;
  errors: number;
  /** The first few error messages, to tell a broken scenario from a slow server. */
  errorSamples: string[];
  statuses: Record<string, number>;
  /** The measured phase: from its first request to the end of its last. */
  elapsedMs: number;
  /** The whole run, warm-up included: the wall time the CPU figures cover. */
  totalMs: number;
  rps: number;
  latency: LatencySummary;
  /** The measured latencies, for merging slices of one phase (mergeLoads). */
  histogram: Histogram;
}

const MAX_ERROR_SAMPLES = 5;

/** One phase's figures from the slices it was measured in: throughput over their measured time together. */
export function mergeLoads(slices: readonly LoadResult[]): LoadResult {
  const histogram = new Histogram();
  const statuses: Record<string, number> = {};
  let sent = 0;
  let errors = 0;
  let elapsedMs = 0;
  let totalMs = 0;
  const errorSamples: string[] = [];
  for (const slice of slices) {
    histogram.merge(slice.histogram);
    for (const [status, n] of Object.entries(slice.statuses)) statuses[status] = (statuses[status] ?? 0) + n;
    sent += slice.sent;
    errors += slice.errors;
    elapsedMs += slice.elapsedMs;
    totalMs += slice.totalMs;
    errorSamples.push(...slice.errorSamples.slice(0, MAX_ERROR_SAMPLES - errorSamples.length));
  }
  return loadResult(histogram, { sent, totalMs, errors, errorSamples, statuses, elapsedMs });
}

/** A phase's figures from its latencies and what was counted beside them. */
function loadResult(histogram: Histogram, counted: Omit<LoadResult, 'requests' | 'rps' | 'latency' | 'histogram'>): LoadResult {
  const latency = histogram.summary();
  const { elapsedMs } = counted;
  return {
    ...counted,
    requests: latency.count,
    rps: elapsedMs === 0 ? 0 : (latency.count * 1000) / elapsedMs,
    latency,
    histogram,
  };
}

/**
 * Runs one load phase and resolves when every worker has stopped: at the deadline, after
 * maxRequests, or when the factory returns undefined, whichever comes first.
 */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const origin = new URL(options.origin);
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.concurrency, maxFreeSockets: options.concurrency });
  const timeoutMs = options.timeoutMs ?? 30_000;
  const warmupMs = options.warmupMs ?? 0;
  const maxRequests = options.maxRequests ?? Number.POSITIVE_INFINITY;

  const histogram = new Histogram();
  const statuses: Record<string, number> = {};
  const errorSamples: string[] = [];
  let errors = 0;
  let issued = 0;
  let measuredIssued = 0;
  let measuredStart = Number.POSITIVE_INFINITY;
  let lastMeasuredEnd = 0;
  let exhausted = false;
  let completed = 0;

  let interval = new Histogram();
  let intervalByKind = new Map<string, Histogram>();
  let intervalErrors = 0;
  let intervalStart = 0;

  const started = performance.now();
  const measureFrom = started + warmupMs;
  const deadline = measureFrom + options.durationMs;

  const fail = (message: string, measured: boolean) => {
    if (!measured) return;
    errors += 1;
    intervalErrors += 1;
    if (errorSamples.length < MAX_ERROR_SAMPLES) errorSamples.push(message);
  };

  const worker = async () => {
    for (;;) {
      const now = performance.now();
      if (exhausted || now >= deadline) return;
      const measured = now >= measureFrom;
      if (measured && measuredIssued >= maxRequests) return;
      const index = issued++;
      const spec = options.request(index);
      if (spec === undefined) {
        exhausted = true;
        return;
      }
      if (measured) {
        measuredIssued += 1;
        if (measuredStart === Number.POSITIVE_INFINITY) measuredStart = now;
      }
      const t0 = performance.now();
      let response: HttpResponse;
      try {
        response = await send(agent, origin, spec, timeoutMs);
      } catch (error) {
        completed += 1;
        fail(`${spec.method} ${spec.path.slice(0, 120)}: ${(error as Error).message}`, measured);
        continue;
      }
      const ms = performance.now() - t0;
      completed += 1;
      if (measured) {
        lastMeasuredEnd = Math.max(lastMeasuredEnd, performance.now());
        statuses[response.status] = (statuses[response.status] ?? 0) + 1;
      }
      if (!spec.expect.includes(response.status)) {
        fail(`${spec.method} ${spec.path.slice(0, 120)} → ${response.status} ${response.body.toString('utf8', 0, 300)}`, measured);
        continue;
      }
      const problem = options.check?.(index, response, measured);
      if (problem !== undefined) {
        fail(`${spec.method} ${spec.path.slice(0, 120)}: ${problem}`, measured);
        continue;
      }
      if (measured) {
        histogram.record(ms);
        interval.record(ms);
        if (spec.kind !== undefined) {
          let ofKind = intervalByKind.get(spec.kind);
          if (ofKind === undefined) intervalByKind.set(spec.kind, (ofKind = new Histogram()));
          ofKind.record(ms);
        }
      }
    }
  };

  let sampler: NodeJS.Timeout | undefined;
  let sampleStarter: NodeJS.Timeout | undefined;
  if (options.sampleEveryMs !== undefined && options.onSample !== undefined) {
    const every = options.sampleEveryMs;
    const onSample = options.onSample;
    const emit = () => {
      const now = performance.now();
      const latency = interval.summary();
      const byKind = Object.fromEntries([...intervalByKind].map(([kind, h]) => [kind, h.summary()]));
      onSample({ elapsedMs: now - measureFrom, intervalMs: now - intervalStart, requests: latency.count, errors: intervalErrors, latency, byKind });
      interval = new Histogram();
      intervalByKind = new Map();
      intervalErrors = 0;
      intervalStart = now;
    };
    sampleStarter = setTimeout(() => {
      interval = new Histogram();
      intervalByKind = new Map();
      intervalErrors = 0;
      intervalStart = performance.now();
      sampler = setInterval(emit, every);
    }, warmupMs);
  }

  try {
    await Promise.all(Array.from({ length: options.concurrency }, worker));
  } finally {
    clearTimeout(sampleStarter);
    clearInterval(sampler);
    agent.destroy();
  }

  const elapsedMs = measuredStart === Number.POSITIVE_INFINITY ? 0 : Math.max(1, lastMeasuredEnd - measuredStart);
  return loadResult(histogram, { sent: completed, totalMs: performance.now() - started, errors, errorSamples, statuses, elapsedMs });
}

/** One request on the shared agent; the body is always read to the end so the socket is reused. */
export function send(agent: http.Agent, origin: URL, spec: HttpRequest, timeoutMs: number): Promise<HttpResponse> {
  return new Promise((resolve, reject) => {
    const body = spec.body === undefined ? undefined : Buffer.from(spec.body);
    const request = http.request(
      {
        agent,
        host: origin.hostname,
        port: origin.port,
        method: spec.method,
        path: spec.path,
        headers: { ...spec.headers, ...(body === undefined ? {} : { 'Content-Length': String(body.length) }) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      },
    );
    request.setTimeout(timeoutMs, () => request.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    request.on('error', reject);
    request.end(body);
  });
}

/** A single request outside a load phase (setup, verification), on a connection of its own. */
export async function sendOnce(origin: string, spec: HttpRequest, timeoutMs = 60_000): Promise<HttpResponse> {
  const agent = new http.Agent({ keepAlive: false });
  try {
    return await send(agent, new URL(origin), spec, timeoutMs);
  } finally {
    agent.destroy();
  }
}
