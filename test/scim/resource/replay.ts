// Replays a scim-examples/ folder against the resource engine with an in-memory store standing in
// for the database: POST/PUT through normalizeResource, PATCH through parsePatchRequest and
// applyPatch, responses through projectResource. List and filter steps belong to the query layer
// and are skipped here; uniqueness is the store's job and is imitated just enough for Okta's 409.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { parseAttrPathList, type AttrPath } from '../../../src/scim/filter/index.ts';
import {
  applyPatch,
  normalizeResource,
  parsePatchRequest,
  projectResource,
  type MemberOp,
  type MemberRef,
  type ResourceKind,
  type ScimDocument,
} from '../../../src/scim/resource/index.ts';
import { GROUP_RESOURCE_SCHEMAS, USER_RESOURCE_SCHEMAS } from '../../../src/scim/schema/index.ts';
import { isAbsent, mismatch, readPath } from './support.ts';

export const EXAMPLES_DIR = join(import.meta.dirname, '../../../scim-examples');
const BASE_URL = 'https://roster.example/scim/v2/dir-1';

export interface Step {
  readonly file: string;
  readonly request: { method: string; path: string; body?: unknown };
  readonly response: { status: number; body?: unknown; ignore?: string[]; absent?: string[] };
  readonly capture?: Record<string, string>;
}

export function loadSteps(folder: string): Step[] {
  const dir = join(EXAMPLES_DIR, folder);
  return readdirSync(dir)
    .filter((file) => file.endsWith('.json'))
    .sort()
    .map((file) => ({ file, ...(JSON.parse(readFileSync(join(dir, file), 'utf8')) as Omit<Step, 'file'>) }));
}

interface Stored {
  readonly kind: ResourceKind;
  document: ScimDocument;
  members: MemberRef[];
}

/** What replaying one step did: the status and body the engine's answers add up to. */
export interface StepOutcome {
  readonly status: number;
  readonly body?: Record<string, unknown>;
  /** Set when the step is not the engine's business (lists, filters). */
  readonly skipped?: string;
  /** Whether the engine answered with an error, and which. */
  readonly error?: string;
}

export class Replay {
  private readonly store = new Map<string, Stored>();
  private readonly captures = new Map<string, unknown>();
  private next = 1;

  /** Runs one step and returns the first way the outcome differs from the step's expectation. */
  run(step: Step): { outcome: StepOutcome; problem?: string } {
    const request = this.substitute(step.request) as Step['request'];
    const outcome = this.execute(request);
    if (outcome.skipped !== undefined) return { outcome };
    if (outcome.status !== step.response.status) {
      return { outcome, problem: `status ${outcome.status} (${outcome.error ?? 'no error'}), expected ${step.response.status}` };
    }
    for (const [name, source] of Object.entries(step.capture ?? {})) {
      this.captures.set(name, source === 'body' ? outcome.body : readPath(outcome.body, source.replace(/^body\./, '')));
    }
    if (step.response.status === 204 || outcome.status >= 400) return { outcome };
    // After the captures: a create step checks its own Location against its own id.
    const expectedBody = this.substitute(step.response.body);
    const found = expectedBody === undefined ? undefined : mismatch(expectedBody, outcome.body);
    if (found !== undefined) return { outcome, problem: found };
    for (const path of step.response.absent ?? []) {
      if (!isAbsent(readPath(outcome.body, path))) return { outcome, problem: `${path} should be absent` };
    }
    for (const path of step.response.ignore ?? []) {
      if (isAbsent(readPath(outcome.body, path))) return { outcome, problem: `${path} should be present` };
    }
    return { outcome };
  }

  private execute(request: Step['request']): StepOutcome {
    const url = new URL(request.path, 'https://x.invalid');
    const [, collection, id] = url.pathname.split('/');
    if (collection === 'Bulk') return { status: 0, skipped: 'Bulk dispatches to the HTTP routes; the conformance replay runs it' };
    const kind: ResourceKind = collection === 'Groups' ? 'Group' : 'User';
    if (id === undefined) {
      if (request.method === 'POST') return this.create(kind, request.body);
      return { status: 0, skipped: 'list and search requests are the query layer' };
    }
    const stored = this.store.get(id);
    if (stored === undefined || stored.kind !== kind) return { status: 404 };
    const query = projectionQuery(url.searchParams);
    switch (request.method) {
      case 'GET':
        return { status: 200, body: this.show(id, stored, query) };
      case 'DELETE':
        this.store.delete(id);
        return { status: 204 };
      case 'PUT':
        return this.replace(id, stored, request.body);
      case 'PATCH':
        return this.patch(id, stored, request.body, query, url.searchParams.size > 0);
      default:
        return { status: 405 };
    }
  }

  private create(kind: ResourceKind, body: unknown): StepOutcome {
    const result = normalizeResource(body, kind);
    if (!result.ok) return { status: result.error.status, error: result.error.detail };
    const { document, members } = result.value;
    if (kind === 'User' && this.userNameTaken(document['userName'], undefined)) return { status: 409, error: 'uniqueness' };
    const id = `${kind.toLowerCase()}-${this.next++}`;
    const stored: Stored = { kind, document, members: members ?? [] };
    this.store.set(id, stored);
    return { status: 201, body: this.show(id, stored, {}) };
  }

  private replace(id: string, stored: Stored, body: unknown): StepOutcome {
    const result = normalizeResource(body, stored.kind);
    if (!result.ok) return { status: result.error.status, error: result.error.detail };
    stored.document = result.value.document;
    if (result.value.members !== undefined) stored.members = result.value.members;
    return { status: 200, body: this.show(id, stored, {}) };
  }

  private patch(id: string, stored: Stored, body: unknown, query: Query, hasQuery: boolean): StepOutcome {
    const operations = parsePatchRequest(body);
    if (!operations.ok) return { status: operations.error.status, error: operations.error.detail };
    const schemas = stored.kind === 'User' ? USER_RESOURCE_SCHEMAS : GROUP_RESOURCE_SCHEMAS;
    const result = applyPatch(stored.document, operations.value, stored.kind, schemas, { currentId: id });
    if (!result.ok) return { status: result.error.status, error: result.error.detail };
    stored.document = result.value.document;
    for (const op of result.value.memberOps) stored.members = applyMemberOp(stored.members, op);
    // README: a Group PATCH answers 204 unless the request asks for attributes.
    if (stored.kind === 'Group' && !hasQuery) return { status: 204 };
    return { status: 200, body: this.show(id, stored, query) };
  }

  private show(id: string, stored: Stored, query: Query): Record<string, unknown> {
    const schemas = stored.kind === 'User' ? USER_RESOURCE_SCHEMAS : GROUP_RESOURCE_SCHEMAS;
    const path = stored.kind === 'User' ? 'Users' : 'Groups';
    const full: Record<string, unknown> = {
      ...stored.document,
      id,
      meta: {
        resourceType: stored.kind,
        created: '2024-05-01T09:30:00Z',
        lastModified: '2024-05-01T09:30:00Z',
        location: `${BASE_URL}/${path}/${id}`,
      },
      ...(stored.kind === 'Group' && {
        members: stored.members.map((member) => ({ value: member.value, ...(member.display !== undefined && { display: member.display }) })),
      }),
    };
    return projectResource(full, schemas, query);
  }

  private userNameTaken(userName: unknown, except: string | undefined): boolean {
    if (typeof userName !== 'string') return false;
    return [...this.store.entries()].some(
      ([id, s]) => id !== except && s.kind === 'User' && String(s.document['userName']).toLowerCase() === userName.toLowerCase(),
    );
  }

  private substitute(value: unknown): unknown {
    if (typeof value === 'string') {
      const whole = /^\{\{([^}]+)\}\}$/.exec(value);
      if (whole?.[1] !== undefined) return this.lookup(whole[1]);
      return value.replace(/\{\{([^}]+)\}\}/g, (_, name: string) => String(this.lookup(name)));
    }
    if (Array.isArray(value)) return value.map((item) => this.substitute(item));
    if (typeof value === 'object' && value !== null) {
      return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, this.substitute(item)]));
    }
    return value;
  }

  private lookup(placeholder: string): unknown {
    if (placeholder === 'baseUrl') return BASE_URL;
    const [name = '', ...rest] = placeholder.split('.');
    if (!this.captures.has(name)) throw new Error(`no capture named ${name}`);
    const found = rest.length === 0 ? this.captures.get(name) : readPath(this.captures.get(name), rest.join('.'));
    if (found === undefined) throw new Error(`placeholder {{${placeholder}}} leads nowhere`);
    return found;
  }
}

type Query = { attributes?: readonly AttrPath[]; excludedAttributes?: readonly AttrPath[] };

function projectionQuery(params: URLSearchParams): Query {
  const read = (name: string): readonly AttrPath[] | undefined => {
    const text = params.get(name);
    if (text === null) return undefined;
    const parsed = parseAttrPathList(text);
    if (!parsed.ok) throw new Error(parsed.error.detail);
    return parsed.value;
  };
  const attributes = read('attributes');
  const excludedAttributes = read('excludedAttributes');
  return { ...(attributes && { attributes }), ...(excludedAttributes && { excludedAttributes }) };
}

/** What the database layer does with member operations, over an array. */
export function applyMemberOp(members: readonly MemberRef[], op: MemberOp): MemberRef[] {
  switch (op.kind) {
    case 'add':
      return [...members, ...op.members.filter((m) => !members.some((old) => old.value === m.value))];
    case 'remove':
      return members.filter((m) => !op.values.includes(m.value));
    case 'removeAll':
      return [];
    case 'replace':
      return [...op.members];
    case 'removeWhere':
      throw new Error('the examples only remove members by id');
  }
}
