/**
 * Records every authenticated SCIM request in the directory's request log, so an operator can see
 * what an identity provider sent and why it failed. Mounted around authentication, it logs only
 * the requests authentication named a principal for (those the rate limit refused included): a
 * request that failed it names no directory that can be trusted, and is left to the process log.
 *
 * The entry is built once the handler has answered and handed to a writer that stores it later,
 * in a batch: the request never waits for the database on its account.
 */
import type { MiddlewareHandler } from 'hono';
import type { RequestLogEntry, ScimPrincipal } from '../../directory/index.ts';
import type { ScimVariables } from '../auth.ts';
import { BODY_MARKER_KEY, clean, DEFAULT_LOGGED_BODY_BYTES, loggableBody } from './body.ts';
import { loggableFilter } from './filter.ts';
import { readQueryParams, UndecodableParam } from '../request.ts';

/** Where entries go; the batching writer in production, anything with `enqueue` in tests. */
export interface RequestLogSink {
  enqueue(entry: RequestLogEntry): void;
}

export interface ScimRequestLogOptions {
  writer: RequestLogSink;
  /** Largest request body stored, in bytes of JSON text; longer ones are cut and marked. */
  maxBodyBytes?: number;
}

const RESOURCE_TYPES: Record<string, string> = { Users: 'User', Groups: 'Group' };
const BODYLESS_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The request-log middleware for `/scim/v2/:directoryId/*`, to be mounted before (around) authentication. */
export function scimRequestLog(options: ScimRequestLogOptions): MiddlewareHandler<{ Variables: ScimVariables }> {
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_LOGGED_BODY_BYTES;
  if (!Number.isInteger(maxBodyBytes) || maxBodyBytes < 256) {
    throw new Error(`scimRequestLog: maxBodyBytes must be a whole number of at least 256 (got ${maxBodyBytes})`);
  }
  const { writer } = options;

  return async function logScimRequest(c, next) {
    const time = new Date();
    const started = performance.now();
    // Read now: once the handler has run, params are those of its route, which may not name it.
    const directorySegment = c.req.param('directoryId');
    await next();
    const durationMs = Math.round(performance.now() - started);

    const principal = c.get('principal') as ScimPrincipal | undefined;
    if (principal === undefined) return;
    const path = relativePath(c.req.path, directorySegment);
    const status = c.res.status;
    // A body refused before any handler read it (too large, over the rate limit) was never
    // bounded by the body limit: reading it here would read whatever the client sends.
    const requestBody = BODYLESS_METHODS.has(c.req.method) || status === 413 || status === 429
      ? undefined
      : await readBody(() => c.req.text(), c.req.header('Content-Type'), maxBodyBytes);
    const resource = resourceOf(path) ?? (status === 201 ? resourceOfLocation(c.res.headers.get('Location')) : undefined);

    writer.enqueue({
      organizationId: principal.organizationId,
      directoryId: principal.directoryId,
      time,
      method: c.req.method,
      path: clean(path),
      filter: filterOf(queryFilter(c.req.url), path, requestBody),
      status,
      scimType: status >= 400 ? await scimTypeOf(c.res) : null,
      durationMs,
      resourceType: resource?.type ?? null,
      resourceId: resource?.id ?? null,
      requestBody: requestBody ?? null,
      userAgent: nullable(c.req.header('User-Agent')),
      requestId: clean(String(c.get('requestId') ?? '')),
    });
  };
}

/** The path below the directory's base URL: `/scim/v2/<id>/Users/42` becomes `/Users/42`. */
function relativePath(path: string, directorySegment: string | undefined): string {
  if (directorySegment === undefined) return path;
  const marker = `/${directorySegment}`;
  const at = path.indexOf(marker);
  if (at === -1) return path;
  return path.slice(at + marker.length) || '/';
}

function resourceOf(path: string): { type: string; id: string } | undefined {
  const match = /^\/(Users|Groups)\/([^/]+)$/.exec(path);
  if (!match || match[2] === '.search') return undefined;
  const id = decodeSegment(match[2]!);
  return id === undefined ? undefined : { type: RESOURCE_TYPES[match[1]!]!, id: clean(id) };
}

/** A created resource is named only by the Location of the 201 (RFC 7644 §3.3). */
function resourceOfLocation(location: string | null): { type: string; id: string } | undefined {
  if (location === null) return undefined;
  let pathname: string;
  try {
    pathname = new URL(location, 'http://relative.invalid').pathname;
  } catch {
    return undefined;
  }
  const match = /\/(Users|Groups)\/[^/]+$/.exec(pathname);
  return match ? resourceOf(match[0]) : undefined;
}

function decodeSegment(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

/**
 * The `filter` query parameter as the handler read it (name in any case). One whose encoding the
 * handler refused is decoded leniently here, for the log only, so that the password check below
 * sees the text a client meant rather than its percent-encoding.
 */
function queryFilter(url: string): string | undefined {
  const filter = readQueryParams(url).filter;
  if (filter instanceof UndecodableParam) return lenientlyDecoded(filter.raw);
  return typeof filter === 'string' ? filter : undefined;
}

function lenientlyDecoded(text: string): string {
  const source = Buffer.from(text.replaceAll('+', ' '), 'utf8');
  const bytes: number[] = [];
  for (let i = 0; i < source.length; i++) {
    const hex = source[i] === 0x25 ? source.subarray(i + 1, i + 3).toString('latin1') : '';
    if (/^[0-9A-Fa-f]{2}$/.test(hex)) {
      bytes.push(Number.parseInt(hex, 16));
      i += 2;
    } else {
      bytes.push(source[i]!);
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

/**
 * The filter of a list request, or of a `.search` request, whose filter travels in the body (the
 * body as the log keeps it, its filter already redacted), with any value compared with a password
 * redacted, whether the filter was accepted or refused.
 */
function filterOf(query: string | undefined, path: string, body: unknown): string | null {
  if (query !== undefined && query !== '') return loggableFilter(clean(query));
  if (path.endsWith('/.search') && body && typeof body === 'object' && !Array.isArray(body)) {
    const entry = Object.entries(body as Record<string, unknown>).find(([key]) => key.toLowerCase() === 'filter');
    const filter = entry?.[1];
    if (typeof filter === 'string' && filter !== '') return loggableFilter(clean(filter));
  }
  return null;
}

async function readBody(read: () => Promise<string>, contentType: string | undefined, maxBytes: number): Promise<unknown> {
  let text: string;
  try {
    // The handler's read is cached by Hono: this costs nothing unless the handler never read it.
    text = await read();
  } catch {
    return { [BODY_MARKER_KEY]: 'unreadable' };
  }
  return loggableBody(text, contentType ?? null, maxBytes);
}

/** The scimType of a SCIM error body, read from a copy so the client still gets the original. */
async function scimTypeOf(response: Response): Promise<string | null> {
  if (!/json/i.test(response.headers.get('Content-Type') ?? '')) return null;
  try {
    const body = (await response.clone().json()) as { scimType?: unknown } | null;
    return body && typeof body.scimType === 'string' ? clean(body.scimType) : null;
  } catch {
    return null;
  }
}

/** Longest User-Agent kept; real ones are far shorter, and the header is the client's to fill. */
const MAX_USER_AGENT = 1024;

function nullable(value: string | undefined): string | null {
  return value === undefined || value === '' ? null : clean(value.slice(0, MAX_USER_AGENT));
}
