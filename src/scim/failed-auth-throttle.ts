/**
 * Throttles failed SCIM authentication per client address, in memory and before the database, so
 * that a flood of wrong tokens costs the server a map lookup per request instead of a query, and
 * cannot slow the tenants whose tokens are good. It protects; it does not account: each instance
 * keeps its own counts, and every map is bounded (the oldest entry is forgotten first).
 *
 * Okta and Entra send from shared address ranges, so an address is never refused as a whole:
 * - a token that keeps failing from an address (a misconfigured tenant, a replayed old token) is
 *   refused there without a query once it failed `perTokenFailures` times in a minute, until the
 *   minute ends; its other attempts are not counted against the address;
 * - an address from which `perAddressFailures` attempts failed in a minute (many different tokens:
 *   guessing) has its tokens refused until the minute ends, except those admitted recently, so
 *   the tenants already working from that address go on working.
 * A token is the directory in the URL together with the token's digest: a token used at another
 * directory's URL fails there without being refused at its own.
 */
import type { Context } from 'hono';

export interface FailedAuthThrottleOptions {
  /** Failures of one token from one address within a minute before it is refused there. */
  perTokenFailures?: number;
  /** Failures from one address within a minute before its tokens not admitted recently are refused. */
  perAddressFailures?: number;
  /** How long after its last admission a token is still let through a refused address. */
  recentlyAdmittedMs?: number;
  /** Most entries each map keeps (pairs, addresses, admitted tokens). */
  maxEntries?: number;
}

const WINDOW_MS = 60_000;

interface Window {
  startMs: number;
  failures: number;
}

/** A map that forgets its oldest entry once it holds `max` (a Map iterates in insertion order). */
class Bounded<V> {
  readonly #entries = new Map<string, V>();
  readonly #max: number;
  constructor(max: number) {
    this.#max = max;
  }
  get(key: string): V | undefined {
    return this.#entries.get(key);
  }
  /** Sets the entry as the newest. */
  set(key: string, value: V): void {
    this.#entries.delete(key);
    if (this.#entries.size >= this.#max) this.#entries.delete(this.#entries.keys().next().value as string);
    this.#entries.set(key, value);
  }
  get size(): number {
    return this.#entries.size;
  }
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 1) throw new RangeError(`failedAuthThrottle: ${name} must be a whole number of at least 1 (got ${value})`);
  return value;
}

export class FailedAuthThrottle {
  readonly #perToken: number;
  readonly #perAddress: number;
  readonly #recentMs: number;
  readonly #pairs: Bounded<Window>;
  readonly #addresses: Bounded<Window>;
  readonly #admitted: Bounded<number>;

  constructor(options: FailedAuthThrottleOptions = {}) {
    this.#perToken = positiveInteger('perTokenFailures', options.perTokenFailures ?? 20);
    this.#perAddress = positiveInteger('perAddressFailures', options.perAddressFailures ?? 600);
    this.#recentMs = positiveInteger('recentlyAdmittedMs', options.recentlyAdmittedMs ?? 15 * 60_000);
    const max = positiveInteger('maxEntries', options.maxEntries ?? 10_000);
    this.#pairs = new Bounded(max);
    this.#addresses = new Bounded(max);
    this.#admitted = new Bounded(max);
  }

  /** Seconds until `token` may be tried again from `address`, or undefined when it may be now. */
  refusal(address: string, token: string, nowMs: number): number | undefined {
    const pair = this.#pairs.get(`${address} ${token}`);
    if (pair !== undefined && pair.failures >= this.#perToken && nowMs < pair.startMs + WINDOW_MS) return secondsLeft(pair, nowMs);
    const place = this.#addresses.get(address);
    if (place === undefined || place.failures < this.#perAddress || nowMs >= place.startMs + WINDOW_MS) return undefined;
    const admitted = this.#admitted.get(token);
    return admitted !== undefined && nowMs - admitted < this.#recentMs ? undefined : secondsLeft(place, nowMs);
  }

  /** Records a token the database refused. */
  failed(address: string, token: string, nowMs: number): void {
    count(this.#pairs, `${address} ${token}`, nowMs);
    count(this.#addresses, address, nowMs);
  }

  /** Records a token the database admitted; refreshed at most once a minute, as that is all it needs. */
  admitted(token: string, nowMs: number): void {
    const last = this.#admitted.get(token);
    if (last === undefined || nowMs - last >= WINDOW_MS) this.#admitted.set(token, nowMs);
  }

  /** How many entries are kept, for tests of the bounds. */
  get sizes(): { pairs: number; addresses: number; admitted: number } {
    return { pairs: this.#pairs.size, addresses: this.#addresses.size, admitted: this.#admitted.size };
  }
}

function count(windows: Bounded<Window>, key: string, nowMs: number): void {
  const current = windows.get(key);
  if (current === undefined || nowMs >= current.startMs + WINDOW_MS) windows.set(key, { startMs: nowMs, failures: 1 });
  else current.failures++;
}

function secondsLeft(window: Window, nowMs: number): number {
  return Math.max(1, Math.ceil((window.startMs + WINDOW_MS - nowMs) / 1000));
}

/** Requests made in process (`app.request`) have no socket: they all share this address. */
const IN_PROCESS = 'in-process';

/** The address of the socket the request came on. */
export function clientAddress(c: Context): string {
  const env = c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined;
  return env?.incoming?.socket?.remoteAddress ?? IN_PROCESS;
}
