/**
 * Runs the operations of a checked BulkRequest one at a time and reports each as RFC 7644 §3.7.3
 * describes. Running one operation is `dispatch`'s job (the same handler a single request
 * reaches); here are the rules that belong to Bulk alone:
 *
 * - Operations run in request order, except that a POST whose bulkId another operation refers to
 *   runs first when it has not yet run (§3.7.1), so references resolve whatever order the client
 *   listed the operations in.
 * - A reference to a bulkId no POST of the request declares, or whose POST created nothing, fails
 *   its operation with 409 `invalidValue`, as the example of §3.7.3 shows, without running it.
 * - Circular references among POSTs (A refers to B and B to A, or a POST to itself) are resolved
 *   as §3.7.1 describes: the POST reached last on the cycle is created without the attributes
 *   that refer back, and those are added by a PATCH once the rest of the cycle exists. Its entry
 *   reports the create and the version after that PATCH. If what it refers to was not created, or
 *   the PATCH fails, the operation failed as a whole: the resource it created is deleted again
 *   (a group whose member could not be added is not left behind without it), and its entry
 *   reports the failure without a `location`.
 * - After `failOnErrors` failures nothing more starts; operations not performed are not listed.
 *   A 503 stops the run the same way: the database is unreachable, and every further operation
 *   would wait out a connection attempt only to fail alike.
 * - A failed operation leaves nothing of itself behind, but the operations that succeeded stay:
 *   "the service provider MUST continue performing as many changes as possible and disregard
 *   partial failures" (§3.7). Each single operation is atomic already; the split create of a
 *   cycle is the one made of two requests, and is undone when its second half fails.
 */
import { holdBack, referencesIn, replaceReferences, type HeldBack } from './references.ts';
import type { BulkMethod, BulkOperation, BulkRequest } from './request.ts';
import { scimErrorBody } from '../errors.ts';
import { isPlainObject } from '../resource/index.ts';
import { PATCH_OP_URN } from '../schema/index.ts';

/** One single-resource request, run with the Bulk request's principal; answers what the endpoint would. */
export type BulkDispatch = (request: { method: BulkMethod; path: string; body?: unknown; ifMatch?: string }) => Promise<Response>;

/** One entry of the BulkResponse's `Operations`. */
export interface BulkOperationResult {
  method: BulkMethod;
  bulkId?: string;
  location?: string;
  version?: string;
  /** The HTTP status of the operation, as a string like every SCIM status. */
  status: string;
  /** The SCIM error body, for a failed operation only. */
  response?: unknown;
}

/** The results of the operations performed, in request order. */
export async function runBulk(request: BulkRequest, dispatch: BulkDispatch, baseUrl: string): Promise<BulkOperationResult[]> {
  return new BulkRun(request, dispatch, baseUrl).run();
}

type State = 'pending' | 'running' | 'done';

/** A POST created without its circular references, waiting for them to exist. */
interface Completion {
  readonly op: BulkOperation;
  readonly id: string;
  readonly later: readonly HeldBack[];
}

class BulkRun {
  private readonly operations: readonly BulkOperation[];
  private readonly failOnErrors: number;
  /** The POST that declares each bulkId. */
  private readonly creators = new Map<string, BulkOperation>();
  private readonly references: string[][];
  private readonly state: State[];
  private readonly results: (BulkOperationResult | undefined)[];
  /** The id of the resource each successful POST created, by bulkId. */
  private readonly created = new Map<string, string>();
  private readonly completions: Completion[] = [];
  private errors = 0;
  private stopped = false;

  constructor(
    request: BulkRequest,
    private readonly dispatch: BulkDispatch,
    private readonly baseUrl: string,
  ) {
    this.operations = request.operations;
    this.failOnErrors = request.failOnErrors ?? Number.POSITIVE_INFINITY;
    for (const op of this.operations) {
      if (op.method === 'POST' && op.bulkId !== undefined) this.creators.set(op.bulkId, op);
    }
    this.references = this.operations.map((op) => {
      const inData = referencesIn(op.data);
      const inPath = op.target && 'bulkId' in op.target ? [op.target.bulkId] : [];
      return [...new Set([...inPath, ...inData])];
    });
    this.state = this.operations.map(() => 'pending');
    this.results = this.operations.map(() => undefined);
  }

  async run(): Promise<BulkOperationResult[]> {
    for (const op of this.operations) {
      if (this.stopped) break;
      if (this.state[op.index] === 'pending') await this.perform(op);
      // Every POST this one led to has run: what cycles held back can now be added. This runs
      // even once stopped, as it finishes operations already performed.
      for (const completion of this.completions.splice(0)) await this.complete(completion);
    }
    return this.results.filter((result): result is BulkOperationResult => result !== undefined);
  }

  private async perform(op: BulkOperation): Promise<void> {
    this.state[op.index] = 'running';
    const references = this.references[op.index]!;
    for (const bulkId of references) {
      const creator = this.creators.get(bulkId);
      if (creator !== undefined && this.state[creator.index] === 'pending') await this.perform(creator);
      if (this.stopped) {
        this.state[op.index] = 'pending';
        return;
      }
    }

    // A creator still running is further up this chain of dependencies: the reference is circular.
    const circular = references.filter((bulkId) => !this.created.has(bulkId) && this.isRunning(bulkId));
    const unresolved = references.find((bulkId) => !this.created.has(bulkId) && !this.isRunning(bulkId));
    if (unresolved !== undefined) {
      this.finish(op, this.refused(op, this.whyUnresolved(unresolved)));
      return;
    }
    if (circular.length === 0) {
      const data = op.data === undefined ? undefined : replaceReferences(op.data, (bulkId) => this.created.get(bulkId)!);
      this.finish(op, await this.send(op, this.targetId(op), data));
      return;
    }

    // Only a POST can be on a cycle (nothing refers to another method), and its body is an object
    // when it creates anything; anything else cannot be split and so cannot be resolved.
    if (op.method !== 'POST' || !isPlainObject(op.data)) {
      this.finish(op, this.refused(op, `the references to bulkId "${circular[0]}" are circular and cannot be resolved`));
      return;
    }
    const pending = new Set(circular);
    const { data, later } = holdBack(op.data, (bulkId) => pending.has(bulkId));
    const result = await this.send(op, undefined, replaceReferences(data, (bulkId) => this.created.get(bulkId)!));
    this.finish(op, result);
    const id = op.bulkId === undefined ? undefined : this.created.get(op.bulkId);
    if (id !== undefined) this.completions.push({ op, id, later });
  }

  /** Adds what a cycle held back from a create, now that the resources it names exist. */
  private async complete({ op, id, later }: Completion): Promise<void> {
    const created = this.results[op.index]!;
    const missing = referencesIn(later).find((bulkId) => !this.created.has(bulkId));
    if (missing !== undefined) {
      await this.undo(op, id, this.refused(op, `its attributes that refer to bulkId "${missing}" cannot be added: ${this.whyUnresolved(missing)}`));
      return;
    }
    const body = { schemas: [PATCH_OP_URN], Operations: replaceReferences(later, (bulkId) => this.created.get(bulkId)!) };
    const response = await this.dispatch({ method: 'PATCH', path: this.pathOf(op, id), body });
    if (response.status < 400) {
      await response.body?.cancel();
      const version = response.headers.get('ETag');
      this.results[op.index] = { ...created, ...(version !== null && { version }) };
      return;
    }
    await this.undo(op, id, { method: op.method, ...bulkIdOf(op), status: String(response.status), response: await errorBody(response) });
  }

  /**
   * Deletes what the first half of a split create made, once its second half failed, so that the
   * failed operation leaves nothing behind, and reports `result`. Operations that referred to the
   * resource meanwhile keep their own outcome; later ones find its bulkId created nothing. Should
   * the delete fail too, the entry keeps the `location` of what is left.
   */
  private async undo(op: BulkOperation, id: string, result: BulkOperationResult): Promise<void> {
    if (op.bulkId !== undefined) this.created.delete(op.bulkId);
    const response = await this.dispatch({ method: 'DELETE', path: this.pathOf(op, id) });
    await response.body?.cancel();
    const left = response.status >= 400 && response.status !== 404;
    this.fail(op, left ? { ...result, location: `${this.baseUrl}${this.pathOf(op, id)}` } : result);
  }

  /** Runs one operation through the dispatcher and describes its outcome. */
  private async send(op: BulkOperation, id: string | undefined, data: unknown): Promise<BulkOperationResult> {
    const response = await this.dispatch({
      method: op.method,
      path: this.pathOf(op, id),
      ...(data !== undefined && { body: data }),
      ...(op.version !== undefined && { ifMatch: op.version }),
    });
    const location = id === undefined ? (response.headers.get('Location') ?? undefined) : `${this.baseUrl}${this.pathOf(op, id)}`;
    if (response.status >= 400) {
      return { method: op.method, ...bulkIdOf(op), ...(id !== undefined && { location }), status: String(response.status), response: await errorBody(response) };
    }
    await response.body?.cancel();
    if (op.method === 'POST' && op.bulkId !== undefined && location !== undefined) {
      this.created.set(op.bulkId, decodeURIComponent(location.slice(location.lastIndexOf('/') + 1)));
    }
    const version = response.headers.get('ETag');
    return {
      method: op.method,
      ...bulkIdOf(op),
      ...(location !== undefined && { location }),
      ...(version !== null && { version }),
      status: String(response.status),
    };
  }

  private finish(op: BulkOperation, result: BulkOperationResult): void {
    this.state[op.index] = 'done';
    if (Number(result.status) >= 400) this.fail(op, result);
    else this.results[op.index] = result;
  }

  private fail(op: BulkOperation, result: BulkOperationResult): void {
    this.results[op.index] = result;
    this.errors += 1;
    if (this.errors >= this.failOnErrors || result.status === '503') this.stopped = true;
  }

  /** A failure decided here, before or instead of running the operation. */
  private refused(op: BulkOperation, detail: string): BulkOperationResult {
    const id = op.target && 'id' in op.target ? op.target.id : undefined;
    return {
      method: op.method,
      ...bulkIdOf(op),
      ...(id !== undefined && { location: `${this.baseUrl}${this.pathOf(op, id)}` }),
      status: '409',
      response: scimErrorBody(409, detail, 'invalidValue'),
    };
  }

  private whyUnresolved(bulkId: string): string {
    const creator = this.creators.get(bulkId);
    return creator === undefined
      ? `bulkId "${bulkId}" is not the bulkId of any POST in this bulk request`
      : `bulkId "${bulkId}" refers to the POST of Operations[${creator.index}], which created nothing`;
  }

  private isRunning(bulkId: string): boolean {
    const creator = this.creators.get(bulkId);
    return creator !== undefined && this.state[creator.index] === 'running';
  }

  /** The id a PUT, PATCH or DELETE targets; every bulkId it names is resolved by now. */
  private targetId(op: BulkOperation): string | undefined {
    if (op.target === undefined) return undefined;
    return 'id' in op.target ? op.target.id : this.created.get(op.target.bulkId)!;
  }

  private pathOf(op: BulkOperation, id: string | undefined): string {
    return id === undefined ? `/${op.endpoint}` : `/${op.endpoint}/${encodeURIComponent(id)}`;
  }
}

function bulkIdOf(op: BulkOperation): { bulkId?: string } {
  return op.bulkId === undefined ? {} : { bulkId: op.bulkId };
}

/** The SCIM error body the handler answered; anything else is wrapped in one. */
async function errorBody(response: Response): Promise<unknown> {
  const text = await response.text();
  try {
    const body = JSON.parse(text) as unknown;
    if (isPlainObject(body)) return body;
  } catch {
    // Not JSON: described below.
  }
  return scimErrorBody(response.status, text.trim() === '' ? `the operation failed with status ${response.status}` : text.slice(0, 1000));
}
