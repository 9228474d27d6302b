/**
 * Reading SCIM requests: the JSON body (either media type RFC 7644 §3.1 allows) and the query
 * parameters of list and search requests, each failure already a SCIM error.
 */
import type { Context } from 'hono';
import { parseAttrPathList, parseFilter, type AttrPath, type FilterNode } from './filter/index.ts';
import type { ScimLimits } from './limits.ts';
import type { ScimType } from './errors.ts';

export interface ScimFailure {
  status: 400 | 413 | 415;
  scimType?: ScimType;
  detail: string;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: ScimFailure };

const JSON_TYPES = /^application\/(scim\+)?json\s*(;|$)/i;

/** The JSON body. A missing Content-Type is tolerated (some IdP requests omit it); another type is 415. */
export async function readJsonBody(c: Context): Promise<Parsed<unknown>> {
  const type = c.req.header('Content-Type');
  if (type !== undefined && type.trim() !== '' && !JSON_TYPES.test(type)) {
    return { ok: false, error: { status: 415, detail: `unsupported Content-Type "${type}": send application/scim+json` } };
  }
  const text = await c.req.text();
  if (text.trim() === '') return { ok: false, error: { status: 400, scimType: 'invalidSyntax', detail: 'the request body is empty' } };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (error) {
    return { ok: false, error: { status: 400, scimType: 'invalidSyntax', detail: `the request body is not valid JSON: ${(error as Error).message}` } };
  }
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

export function parseProjection(raw: Pick<RawListParams, 'attributes' | 'excludedAttributes'>): Parsed<ProjectionParams> {
  const out: ProjectionParams = {};
  for (const name of ['attributes', 'excludedAttributes'] as const) {
    const value = raw[name];
    if (value === undefined || value === null || value === '') continue;
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

  if (raw.filter !== undefined && raw.filter !== '') {
    if (typeof raw.filter !== 'string') return invalidFilter('filter must be a string');
    const parsed = parseFilter(raw.filter, { maxLength: limits.maxFilterLength, maxDepth: limits.maxFilterDepth });
    if (!parsed.ok) return invalidFilter(parsed.error.detail);
    out.filter = parsed.value;
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
