/**
 * Reading SCIM requests: the JSON body (either media type RFC 7644 §3.1 allows) and the query
 * parameters of list and search requests, each failure already a SCIM error.
 */
import type { Context } from 'hono';
import { parseAttrPathList, parseFilter, type AttrPath, type FilterNode } from './filter/index.ts';
import type { ScimLimits } from './limits.ts';
import type { ScimType } from './errors.ts';
import { excessiveNestingAt, MAX_JSON_DEPTH, unstorableTextIn } from './json-text.ts';

export interface ScimFailure {
  status: 400 | 413 | 415;
  scimType?: ScimType;
  detail: string;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: ScimFailure };

const JSON_TYPES = /^application\/(scim\+)?json\s*(;|$)/i;

/**
 * The JSON body. A missing Content-Type is tolerated (some IdP requests omit it); another type is
 * 415. The bytes are decoded strictly: invalid UTF-8 is refused, never replaced with U+FFFD, and
 * so are NUL and unpaired surrogates anywhere in the JSON, and nesting no SCIM message needs.
 */
export async function readJsonBody(c: Context): Promise<Parsed<unknown>> {
  const type = c.req.header('Content-Type');
  if (type !== undefined && type.trim() !== '' && !JSON_TYPES.test(type)) {
    return { ok: false, error: { status: 415, detail: `unsupported Content-Type "${type}": send application/scim+json` } };
  }
  let text: string;
  try {
    text = STRICT_UTF8.decode(await c.req.arrayBuffer());
  } catch {
    return syntaxError('the request body is not valid UTF-8');
  }
  if (text.trim() === '') return syntaxError('the request body is empty');
  const deepAt = excessiveNestingAt(text);
  if (deepAt !== undefined) {
    return syntaxError(`the request body nests arrays and objects more than ${MAX_JSON_DEPTH} levels deep (at position ${deepAt})`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text) as unknown;
  } catch (error) {
    return syntaxError(`the request body is not valid JSON: ${(error as Error).message}`);
  }
  const unstorable = unstorableTextIn(value);
  if (unstorable !== undefined) return invalid(unstorable);
  return { ok: true, value };
}

// Shared: `fatal` decoders keep no state between calls to decode() without `stream`.
const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true });

function syntaxError(detail: string): { ok: false; error: ScimFailure } {
  return { ok: false, error: { status: 400, scimType: 'invalidSyntax', detail } };
}

export interface ProjectionParams {
  attributes?: AttrPath[];
  excludedAttributes?: AttrPath[];
}

export interface ListParams extends ProjectionParams {
  filter?: FilterNode;
  sortBy?: AttrPath;
  sortOrder?: 'ascending' | 'descending';
  startIndex: number;
  count: number;
}

/** Raw parameter values, from a query string or a SearchRequest body. */
export interface RawListParams {
  attributes?: unknown;
  excludedAttributes?: unknown;
  filter?: unknown;
  sortBy?: unknown;
  sortOrder?: unknown;
  startIndex?: unknown;
  count?: unknown;
}

/**
 * A query parameter whose percent-encoding is malformed or is not UTF-8 (`%FF`, an encoded
 * surrogate). Kept as a value of its own so the parser of that parameter refuses it with the
 * parameter's scimType, instead of reading the undecoded text as if the client had meant it.
 */
export class UndecodableParam {
  constructor(readonly raw: string) {}
}

const PARAM_NAMES: Readonly<Record<string, keyof RawListParams>> = {
  attributes: 'attributes',
  excludedattributes: 'excludedAttributes',
  filter: 'filter',
  sortby: 'sortBy',
  sortorder: 'sortOrder',
  startindex: 'startIndex',
  count: 'count',
};

/**
 * The list and projection parameters of the query string, names matched case-insensitively (SCIM
 * clients spell them variously), the first of repeated names winning. Decoded strictly: a value
 * that is not valid percent-encoded UTF-8 becomes an {@link UndecodableParam}.
 */
export function readQueryParams(url: string): RawListParams {
  const out: RawListParams = {};
  const hash = url.indexOf('#');
  const query = url.slice(0, hash === -1 ? undefined : hash);
  const start = query.indexOf('?');
  if (start === -1) return out;
  for (const pair of query.slice(start + 1).split('&')) {
    const equals = pair.indexOf('=');
    const name = decodeParam(equals === -1 ? pair : pair.slice(0, equals));
    if (typeof name !== 'string') continue;
    const key = PARAM_NAMES[name.toLowerCase()];
    if (key === undefined || out[key] !== undefined) continue;
    out[key] = equals === -1 ? '' : decodeParam(pair.slice(equals + 1));
  }
  return out;
}

function decodeParam(text: string): string | UndecodableParam {
  const spaced = text.replaceAll('+', ' ');
  if (!spaced.includes('%')) return spaced;
  try {
    // decodeURIComponent throws on a stray "%", on bytes that are not UTF-8 and on encoded surrogates.
    return decodeURIComponent(spaced);
  } catch {
    return new UndecodableParam(text);
  }
}

function undecodable(name: string, value: UndecodableParam): string {
  const shown = value.raw.length > 60 ? `${value.raw.slice(0, 57)}...` : value.raw;
  return `${name} is not valid percent-encoded UTF-8: "${shown}"`;
}

export function parseProjection(raw: Pick<RawListParams, 'attributes' | 'excludedAttributes'>): Parsed<ProjectionParams> {
  const out: ProjectionParams = {};
  for (const name of ['attributes', 'excludedAttributes'] as const) {
    const value = raw[name];
    if (value === undefined || value === null || value === '') continue;
    if (value instanceof UndecodableParam) return invalid(undecodable(name, value));
    const text = Array.isArray(value) ? value.join(',') : value;
    if (typeof text !== 'string') return invalid(`${name} must be a comma-separated list of attribute names`);
    const parsed = parseAttrPathList(text);
    if (!parsed.ok) return { ok: false, error: { status: 400, scimType: 'invalidValue', detail: `${name}: ${parsed.error.detail}` } };
    out[name] = [...parsed.value];
  }
  return { ok: true, value: out };
}

export function parseListParams(raw: RawListParams, limits: ScimLimits): Parsed<ListParams> {
  const projection = parseProjection(raw);
  if (!projection.ok) return projection;
  const out: ListParams = { ...projection.value, startIndex: 1, count: limits.defaultCount };

  if (raw.filter instanceof UndecodableParam) return invalidFilter(undecodable('filter', raw.filter));
  if (raw.filter !== undefined && raw.filter !== '') {
    if (typeof raw.filter !== 'string') return invalidFilter('filter must be a string');
    const parsed = parseFilter(raw.filter, { maxLength: limits.maxFilterLength, maxDepth: limits.maxFilterDepth });
    if (!parsed.ok) return invalidFilter(parsed.error.detail);
    out.filter = parsed.value;
  }
  for (const name of ['sortBy', 'sortOrder', 'startIndex', 'count'] as const) {
    const value = raw[name];
    if (value instanceof UndecodableParam) return invalid(undecodable(name, value));
  }
  if (raw.sortBy !== undefined && raw.sortBy !== '') {
    if (typeof raw.sortBy !== 'string') return invalid('sortBy must be an attribute name');
    const parsed = parseAttrPathList(raw.sortBy);
    if (!parsed.ok || parsed.value.length !== 1) return invalid(`sortBy "${raw.sortBy}" is not one attribute name`);
    out.sortBy = parsed.value[0]!;
  }
  if (raw.sortOrder !== undefined && raw.sortOrder !== '') {
    const order = typeof raw.sortOrder === 'string' ? raw.sortOrder.toLowerCase() : undefined;
    if (order !== 'ascending' && order !== 'descending') return invalid('sortOrder must be "ascending" or "descending"');
    out.sortOrder = order;
  }
  const startIndex = integerParam(raw.startIndex, 'startIndex');
  if (!startIndex.ok) return startIndex;
  // RFC 7644 §3.4.2.4: a startIndex below 1 is read as 1, a negative count as 0.
  if (startIndex.value !== undefined) out.startIndex = Math.max(1, startIndex.value);
  const count = integerParam(raw.count, 'count');
  if (!count.ok) return count;
  if (count.value !== undefined) out.count = Math.min(limits.maxResults, Math.max(0, count.value));
  return { ok: true, value: out };
}

function integerParam(value: unknown, name: string): Parsed<number | undefined> {
  if (value === undefined || value === '') return { ok: true, value: undefined };
  const number = typeof value === 'number' ? value : typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value) : NaN;
  if (!Number.isSafeInteger(number)) return invalid(`${name} must be an integer (got ${JSON.stringify(value)})`);
  return { ok: true, value: number };
}

function invalid(detail: string): { ok: false; error: ScimFailure } {
  return { ok: false, error: { status: 400, scimType: 'invalidValue', detail } };
}

function invalidFilter(detail: string): { ok: false; error: ScimFailure } {
  return { ok: false, error: { status: 400, scimType: 'invalidFilter', detail } };
}

/** If-Match / If-None-Match: the versions they name (weak or strong), or '*'. */
export function parseEtagList(header: string | undefined): '*' | string[] | undefined {
  if (header === undefined || header.trim() === '') return undefined;
  if (header.trim() === '*') return '*';
  return header.split(',').map((tag) => tag.trim().replace(/^W\//, '').replace(/^"|"$/g, ''));
}
