/**
 * The PatchOp message (RFC 7644 §3.5.2) checked and parsed, before any resource is touched:
 * a malformed request fails whole, whatever its first operations would have done.
 */
import { parsePatchPath, type FilterParseOptions, type PatchPath } from '../filter/index.ts';
import { PATCH_OP_URN } from '../schema/index.ts';
import { findKey, isPlainObject, jsonType, type JsonObject } from './json.ts';
import { fault, guard, type ResourceResult } from './result.ts';

export type PatchOpName = 'add' | 'replace' | 'remove';

export interface PatchOperation {
  readonly op: PatchOpName;
  /** Absent when the operation targets the resource itself. */
  readonly path?: PatchPath;
  /** The path as sent, for messages. */
  readonly pathText?: string;
  /**
   * Always present (possibly `null`) for add and replace. On remove, only Microsoft Entra ID's
   * `{"op":"Remove","path":"members","value":[{"value":"<id>"}]}` gives one.
   */
  readonly value?: unknown;
  /** Position in `Operations`, for messages. */
  readonly index: number;
}

export interface PatchRequestOptions {
  /**
   * Most operations one request may carry. Default 1000. More is a 400 `tooMany`: the request
   * was small enough in bytes to arrive, so 413 would misdescribe it.
   */
  readonly maxOperations?: number;
  /** Limits for parsing each `path`. */
  readonly path?: FilterParseOptions;
}

export const DEFAULT_MAX_PATCH_OPERATIONS = 1000;

const OP_NAMES: ReadonlySet<string> = new Set<PatchOpName>(['add', 'replace', 'remove']);

/**
 * Validates a PATCH body: `schemas` naming the PatchOp URN, a non-empty `Operations` list, each
 * with a known `op` (any case: Entra sends `Replace`), a parseable `path`, a `path` on every
 * remove and a `value` on every add and replace. An unknown op fails the request; it is never
 * skipped.
 */
export function parsePatchRequest(
  body: unknown,
  options?: PatchRequestOptions,
): ResourceResult<readonly PatchOperation[]> {
  return guard(() => {
    if (!isPlainObject(body)) fault('invalidSyntax', `a PATCH body must be a JSON object, not ${jsonType(body)}`);
    checkSchemas(body);
    const operations = valueAt(body, 'Operations');
    if (!Array.isArray(operations) || operations.length === 0) {
      fault('invalidSyntax', '"Operations" must be a non-empty list of operations');
    }
    const max = options?.maxOperations ?? DEFAULT_MAX_PATCH_OPERATIONS;
    if (operations.length > max) {
      fault('tooMany', `the request has ${operations.length} operations; at most ${max} are accepted`);
    }
    return operations.map((operation, index) => parseOperation(operation, index, options));
  });
}

function checkSchemas(body: JsonObject): void {
  const schemas = valueAt(body, 'schemas');
  const listed =
    Array.isArray(schemas) &&
    schemas.some((urn) => typeof urn === 'string' && urn.toLowerCase() === PATCH_OP_URN.toLowerCase());
  if (!listed) fault('invalidSyntax', `"schemas" must be ["${PATCH_OP_URN}"]`);
}

function parseOperation(raw: unknown, index: number, options: PatchRequestOptions | undefined): PatchOperation {
  const label = `Operations[${index}]`;
  if (!isPlainObject(raw)) fault('invalidSyntax', `${label} must be an object, not ${jsonType(raw)}`);
  const opText = valueAt(raw, 'op');
  if (typeof opText !== 'string' || !OP_NAMES.has(opText.toLowerCase())) {
    fault('invalidSyntax', `${label}.op must be "add", "replace" or "remove", not ${describe(opText)}`);
  }
  const op = opText.toLowerCase() as PatchOpName;

  const pathText = valueAt(raw, 'path');
  let path: PatchPath | undefined;
  if (pathText !== undefined && pathText !== null) {
    if (typeof pathText !== 'string') fault('invalidPath', `${label}.path must be a string, not ${jsonType(pathText)}`);
    const parsed = parsePatchPath(pathText, options?.path);
    if (!parsed.ok) fault('invalidPath', `${label}.path: ${parsed.error.detail}`);
    path = parsed.value;
  }

  const valueKey = findKey(raw, 'value');
  if (op === 'remove' && path === undefined) fault('noTarget', `${label}: "remove" needs a "path"`);
  if (op !== 'remove' && valueKey === undefined) fault('invalidValue', `${label}: "${op}" needs a "value"`);
  return {
    op,
    ...(path !== undefined && { path, pathText: pathText as string }),
    ...(valueKey !== undefined && { value: raw[valueKey] }),
    index,
  };
}

function valueAt(object: JsonObject, name: string): unknown {
  const key = findKey(object, name);
  return key === undefined ? undefined : object[key];
}

function describe(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value.slice(0, 40)) : jsonType(value);
}
