/**
 * The BulkRequest message (RFC 7644 §3.7) checked as a whole before any operation runs: a request
 * that is malformed anywhere, or that has more operations than the published `maxOperations`,
 * changes nothing. What each operation's `data` means is left to the handler that runs it.
 */
import { BULK_ID_PATTERN, bulkIdOfPath } from './references.ts';
import type { ScimType } from '../errors.ts';
import type { Parsed } from '../request.ts';
import { findKey, isPlainObject, jsonType, type JsonObject } from '../resource/index.ts';
import { BULK_REQUEST_URN } from '../schema/index.ts';

export type BulkMethod = 'POST' | 'PUT' | 'PATCH' | 'DELETE';
export type BulkEndpoint = 'Users' | 'Groups';

/** The resource a PUT, PATCH or DELETE names: a stored id, or the POST of this request that creates it. */
export type BulkTarget = { readonly id: string } | { readonly bulkId: string };

export interface BulkOperation {
  /** Position in `Operations`; the response lists operations in this order. */
  readonly index: number;
  readonly method: BulkMethod;
  readonly endpoint: BulkEndpoint;
  /** Absent exactly for POST, which names the endpoint only. */
  readonly target?: BulkTarget;
  readonly bulkId?: string;
  /** The ETag the client last saw, sent on as If-Match. */
  readonly version?: string;
  /** The body of the single request, as sent; absent when the operation has none. */
  readonly data?: unknown;
}

export interface BulkRequest {
  readonly operations: readonly BulkOperation[];
  /** Errors after which the remaining operations are not performed; absent means never stop. */
  readonly failOnErrors?: number;
}

const METHODS: ReadonlySet<string> = new Set<BulkMethod>(['POST', 'PUT', 'PATCH', 'DELETE']);
const PATH = /^\/(Users|Groups)(?:\/([^/?#]+))?\/?$/;

class BulkFault extends Error {
  constructor(
    readonly status: 400 | 413,
    readonly scimType: ScimType | undefined,
    detail: string,
  ) {
    super(detail);
  }
}

function invalid(detail: string): never {
  throw new BulkFault(400, 'invalidValue', detail);
}

function malformed(detail: string): never {
  throw new BulkFault(400, 'invalidSyntax', detail);
}

/**
 * Validates a BulkRequest body. More than `maxOperations` operations is 413, as RFC 7644 §3.7.4
 * requires, with no scimType (the RFC's example has none); every other fault is 400.
 */
export function parseBulkRequest(body: unknown, maxOperations: number): Parsed<BulkRequest> {
  try {
    return { ok: true, value: parse(body, maxOperations) };
  } catch (error) {
    if (!(error instanceof BulkFault)) throw error;
    return { ok: false, error: { status: error.status, ...(error.scimType && { scimType: error.scimType }), detail: error.message } };
  }
}

function parse(body: unknown, maxOperations: number): BulkRequest {
  if (!isPlainObject(body)) return malformed(`a bulk request must be a JSON object, not ${jsonType(body)}`);
  const schemas = valueAt(body, 'schemas');
  const listed = Array.isArray(schemas) && schemas.some((urn) => typeof urn === 'string' && urn.toLowerCase() === BULK_REQUEST_URN.toLowerCase());
  if (!listed) malformed(`"schemas" must be ["${BULK_REQUEST_URN}"]`);

  const operations = valueAt(body, 'Operations');
  if (!Array.isArray(operations)) return malformed(`"Operations" must be a list of operations, not ${jsonType(operations)}`);
  if (operations.length > maxOperations) {
    throw new BulkFault(413, undefined, `the bulk request has ${operations.length} operations; at most ${maxOperations} are accepted (maxOperations)`);
  }

  const failOnErrors = valueAt(body, 'failOnErrors');
  if (failOnErrors !== undefined && failOnErrors !== null && !(Number.isSafeInteger(failOnErrors) && (failOnErrors as number) >= 1)) {
    invalid(`"failOnErrors" must be a whole number of at least 1, not ${describe(failOnErrors)}`);
  }

  const parsed = operations.map(parseOperation);
  const seen = new Map<string, number>();
  for (const op of parsed) {
    if (op.bulkId === undefined) continue;
    const earlier = seen.get(op.bulkId);
    if (earlier !== undefined) invalid(`Operations[${op.index}].bulkId "${op.bulkId}" is already the bulkId of Operations[${earlier}]; each must be unique`);
    seen.set(op.bulkId, op.index);
  }
  return { operations: parsed, ...(typeof failOnErrors === 'number' && { failOnErrors }) };
}

function parseOperation(raw: unknown, index: number): BulkOperation {
  const label = `Operations[${index}]`;
  if (!isPlainObject(raw)) return malformed(`${label} must be an object, not ${jsonType(raw)}`);

  const methodText = valueAt(raw, 'method');
  const method = typeof methodText === 'string' ? methodText.toUpperCase() : undefined;
  if (method === undefined || !METHODS.has(method)) {
    return invalid(`${label}.method must be "POST", "PUT", "PATCH" or "DELETE", not ${describe(methodText)}`);
  }

  const pathText = valueAt(raw, 'path');
  const match = typeof pathText === 'string' ? PATH.exec(pathText) : null;
  if (match === null) {
    return invalid(`${label}.path must be "/Users", "/Groups", "/Users/<id>" or "/Groups/<id>", not ${describe(pathText)}`);
  }
  const endpoint = match[1] as BulkEndpoint;
  const segment = match[2];
  if (method === 'POST' && segment !== undefined) invalid(`${label}: a POST creates a resource, so its path is "/${endpoint}", not ${describe(pathText)}`);
  if (method !== 'POST' && segment === undefined) invalid(`${label}: a ${method} names one resource, as "/${endpoint}/<id>"`);
  let target: BulkTarget | undefined;
  if (segment !== undefined) {
    const referenced = bulkIdOfPath(segment);
    target = referenced === undefined ? { id: segment } : { bulkId: referenced };
  }

  const bulkIdValue = valueAt(raw, 'bulkId');
  let bulkId: string | undefined;
  if (bulkIdValue !== undefined && bulkIdValue !== null) {
    if (typeof bulkIdValue !== 'string' || !BULK_ID_PATTERN.test(bulkIdValue)) {
      invalid(`${label}.bulkId must be a non-empty string without spaces, quotes, "/", "?", "#" or "]", not ${describe(bulkIdValue)}`);
    }
    bulkId = bulkIdValue as string;
  }
  if (method === 'POST' && bulkId === undefined) invalid(`${label}: a POST needs a "bulkId", so the response can name what it created`);

  const versionValue = valueAt(raw, 'version');
  if (versionValue !== undefined && versionValue !== null && (typeof versionValue !== 'string' || versionValue.trim() === '')) {
    invalid(`${label}.version must be an ETag such as "W/\\"3\\"", not ${describe(versionValue)}`);
  }
  const dataKey = findKey(raw, 'data');

  return {
    index,
    method: method as BulkMethod,
    endpoint,
    ...(target && { target }),
    ...(bulkId !== undefined && { bulkId }),
    ...(typeof versionValue === 'string' && { version: versionValue }),
    ...(dataKey !== undefined && method !== 'DELETE' && { data: raw[dataKey] }),
  };
}

function valueAt(object: JsonObject, name: string): unknown {
  const key = findKey(object, name);
  return key === undefined ? undefined : object[key];
}

function describe(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value.slice(0, 80)) : jsonType(value);
}
