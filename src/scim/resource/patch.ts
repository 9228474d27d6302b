/**
 * RFC 7644 §3.5.2 PATCH on a canonical document: operations apply in order to a copy, and the
 * result is checked as a PUT body would be, so either every operation takes effect or none does.
 * Group membership is not document data: it comes back separately. A User `password` is
 * accepted and dropped, since Roster holds no passwords.
 */
import type { ResourceSchemas } from '../schema/index.ts';
import { buildResource } from './build-resource.ts';
import type { ResourceKind, ScimDocument } from './document.ts';
import { assertImmutableKept } from './immutable.ts';
import { cloneJson, deleteKey, findKey, getOwn, isPlainObject, jsonType, setOwn, type JsonObject } from './json.ts';
import { resolveLimits, type ResolvedLimits, type ResourceLimits } from './limits.ts';
import { applyAttributeOp } from './patch-attribute.ts';
import { applyToForeign } from './patch-foreign.ts';
import { memberOperation, type MemberOp } from './patch-members.ts';
import type { PatchOperation, PatchOpName } from './patch-request.ts';
import {
  expandExtension,
  expandPathless,
  resolvePathTarget,
  type AttributeTarget,
  type PatchTarget,
  type TargetContext,
} from './patch-target.ts';
import { fault, guard, type ResourceResult } from './result.ts';

export { parsePatchRequest } from './patch-request.ts';

export interface PatchOptions extends ResourceLimits {
  /**
   * The resource's own id. Okta's pathless rename sends `{"id": …, "displayName": …}`; an `id`
   * equal to this is ignored, any other `id` (or any `id` when this is not given) is a 400
   * `mutability`.
   */
  readonly currentId?: string;
}

export interface PatchResult {
  readonly document: ScimDocument;
  /** Membership changes of a Group, in request order; empty for Users. */
  readonly memberOps: readonly MemberOp[];
}

interface PatchState {
  readonly document: JsonObject;
  readonly memberOps: MemberOp[];
}

interface PatchContext {
  readonly kind: ResourceKind;
  readonly resourceSchemas: ResourceSchemas;
  readonly limits: ResolvedLimits;
  readonly currentId: string | undefined;
}

/**
 * Applies parsed operations (see `parsePatchRequest`) to `document`, which is left untouched.
 * Fails with the first error met, and then nothing is applied.
 */
export function applyPatch(
  document: ScimDocument,
  operations: readonly PatchOperation[],
  kind: ResourceKind,
  resourceSchemas: ResourceSchemas,
  options?: PatchOptions,
): ResourceResult<PatchResult> {
  const context: PatchContext = {
    kind,
    resourceSchemas,
    limits: resolveLimits(options),
    currentId: options?.currentId,
  };
  return guard(() => {
    if (!isPlainObject(document)) fault('invalidSyntax', `the stored ${kind} is not an object`);
    const state: PatchState = { document: cloneJson(document) as JsonObject, memberOps: [] };
    for (const operation of operations) applyOperation(state, operation, context);

    const patched = { ...state.document, schemas: schemasOf(state.document, resourceSchemas) };
    const built = buildResource(patched, kind, resourceSchemas, context.limits);
    assertImmutableKept(document, built.document, resourceSchemas);
    return {
      document: built.document,
      memberOps: state.memberOps,
    };
  });
}

function applyOperation(state: PatchState, operation: PatchOperation, context: PatchContext): void {
  const shownPath = operation.pathText === undefined ? '' : ` ("${operation.pathText}")`;
  const label = `Operations[${operation.index}]${shownPath}`;
  const targets: TargetContext = {
    kind: context.kind,
    resourceSchemas: context.resourceSchemas,
    document: state.document,
  };
  if (operation.path !== undefined) {
    const target = resolvePathTarget(operation.path, label, targets);
    applyToTarget(state, operation.op, target, operation.value, context);
    return;
  }
  if (operation.op === 'remove') fault('noTarget', `${label}: "remove" needs a "path"`);
  for (const entry of expandPathless(operation.value, label, targets)) {
    applyToTarget(state, operation.op, entry.target, entry.value, context);
  }
}

function applyToTarget(
  state: PatchState,
  op: PatchOpName,
  target: PatchTarget,
  value: unknown,
  context: PatchContext,
): void {
  switch (target.kind) {
    case 'extension':
      if (op === 'remove' || value === null) {
        // Adding nothing changes nothing; replacing or removing the whole extension clears it.
        if (op !== 'add') deleteKey(state.document, target.extension.id);
        return;
      }
      if (!isPlainObject(value)) {
        fault('invalidValue', `${target.label}: the value must be an object, not ${jsonType(value)}`);
      }
      for (const entry of expandExtension(target.extension, value, target.label)) {
        applyToTarget(state, op, entry.target, entry.value, context);
      }
      return;
    case 'foreign':
      applyToForeign(state.document, op, target, value);
      return;
    case 'attribute':
      applyToAttribute(state, op, target, value, context);
  }
}

function applyToAttribute(
  state: PatchState,
  op: PatchOpName,
  target: AttributeTarget,
  value: unknown,
  context: PatchContext,
): void {
  const { attribute, extension, subAttribute, label } = target;
  const core = extension === undefined;
  if (core && context.kind === 'Group' && attribute.name === 'members') {
    const memberOp = memberOperation(op, target, value, context.limits);
    if (memberOp !== undefined) state.memberOps.push(memberOp);
    return;
  }
  // Okta's password sync pushes `password` (with or without a path, any op): accepted, dropped.
  if (core && context.kind === 'User' && attribute.name === 'password') return;
  if (attribute.mutability === 'readOnly' || subAttribute?.mutability === 'readOnly') {
    if (core && attribute.name === 'id' && op !== 'remove' && isOwnId(value, context)) return;
    const name = subAttribute === undefined ? attribute.name : `${attribute.name}.${subAttribute.name}`;
    fault('mutability', `${label}: "${name}" is readOnly`);
  }
  if (core) {
    applyAttributeOp(state.document, op, target, value, context.limits);
    return;
  }
  const holder = extensionObject(state.document, extension.id, op);
  if (holder === undefined) return;
  applyAttributeOp(holder, op, target, value, context.limits);
  if (Object.keys(holder).length === 0) deleteKey(state.document, extension.id);
}

function isOwnId(value: unknown, context: PatchContext): boolean {
  return context.currentId !== undefined && value === context.currentId;
}

/** The object holding an extension's attributes under its canonical URN, created for add and replace. */
function extensionObject(document: JsonObject, urn: string, op: PatchOpName): JsonObject | undefined {
  const key = findKey(document, urn);
  const current = key === undefined ? undefined : getOwn(document, key);
  if (isPlainObject(current)) {
    if (key !== urn) deleteKey(document, urn);
    setOwn(document, urn, current);
    return current;
  }
  if (op === 'remove') return undefined;
  const created: JsonObject = {};
  setOwn(document, urn, created);
  return created;
}

/** `schemas` for re-checking the patched document: the core URN and every URN key it holds. */
function schemasOf(document: JsonObject, resourceSchemas: ResourceSchemas): string[] {
  return [resourceSchemas.core.id, ...Object.keys(document).filter((key) => key.includes(':'))];
}
