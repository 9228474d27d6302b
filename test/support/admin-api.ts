/**
 * Calling the admin API as each kind of caller: an operator key, or a member of a given role with
 * a console session (cookie, and Roster's own Origin on unsafe methods, as the console sends it).
 */
import type { Hono } from 'hono';
import type { DatabaseHandle } from '../../src/db/index.ts';
import { schema } from '../../src/db/index.ts';
import { createApiKey, emailKey, openConsoleSession, type OrgContext } from '../../src/directory/index.ts';
import { newId } from '../../src/ids.ts';
import { TEST_PUBLIC_URL } from './app.ts';
import { contextFor } from './factories.ts';

export interface Caller {
  /** Headers that authenticate this caller (add Content-Type yourself for bodies, or use `call`). */
  headers: Record<string, string>;
}

export interface TestMember extends Caller {
  id: string;
  email: string;
}

export async function operatorCaller(handle: DatabaseHandle): Promise<Caller> {
  const { key } = await createApiKey(contextFor(handle), { name: 'test operator' });
  return { headers: { Authorization: `Bearer ${key}` } };
}

/**
 * An active member of `org` with `role` (a built-in or an existing custom role), signed in to the
 * console. Made directly in the database: what is under test is the API they call.
 */
export async function memberCaller(handle: DatabaseHandle, org: OrgContext, role: string, email = `${role}-${newId().slice(-8)}@example.com`): Promise<TestMember> {
  const id = newId();
  await handle.db.insert(schema.members).values({ id, organizationId: org.organization.id, email, emailKey: emailKey(email), status: 'active', role, source: 'admin' });
  const session = await openConsoleSession(handle.db, { organizationId: org.organization.id, memberId: id });
  return { id, email, headers: { Cookie: `roster_console=${session.id}`, Origin: new URL(TEST_PUBLIC_URL).origin } };
}

export interface CallResult<T> {
  status: number;
  body: T;
  headers: Headers;
}

/** One admin API request: `path` below /api/v1, `body` sent as JSON. */
export async function call<T = Record<string, unknown>>(app: Hono, caller: Caller, method: string, path: string, body?: unknown): Promise<CallResult<T>> {
  const response = await app.request(`/api/v1${path}`, {
    method,
    headers: { ...caller.headers, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = text === '' ? undefined : JSON.parse(text);
  } catch {
    // Not JSON (a CSV export): the text itself.
  }
  return { status: response.status, body: parsed as T, headers: response.headers };
}
