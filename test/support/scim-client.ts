/** A small SCIM client over the in-process app, for protocol tests. */
import type { Hono } from 'hono';
import type { DatabaseHandle } from '../../src/db/index.ts';
import { buildTestApp, TEST_PUBLIC_URL } from './app.ts';
import { createTestDirectory } from './factories.ts';

export const USER_URN = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const GROUP_URN = 'urn:ietf:params:scim:schemas:core:2.0:Group';
export const PATCH_URN = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

export interface ScimReply {
  status: number;
  headers: Headers;
  body: Record<string, unknown> & { Resources?: Record<string, unknown>[] };
  text: string;
}

export async function scimClient(handle: DatabaseHandle, env: Record<string, string> = {}) {
  const { app } = buildTestApp(handle, env);
  const dir = await createTestDirectory(handle);
  return { ...clientFor(app, `${TEST_PUBLIC_URL}/scim/v2/${dir.directory.id}`, dir.token), dir, app };
}

export function clientFor(app: Hono, baseUrl: string, token: string) {
  const send = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<ScimReply> => {
    const response = await app.request(`${baseUrl}${path}`, {
      method,
      headers: {
        Authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'Content-Type': 'application/scim+json' }),
        ...headers,
      },
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, text, body: text ? (JSON.parse(text) as ScimReply['body']) : {} };
  };
  const createUser = async (userName: string, extra: Record<string, unknown> = {}) => {
    const reply = await send('POST', '/Users', { schemas: [USER_URN], userName, ...extra });
    if (reply.status !== 201) throw new Error(`create user ${userName}: ${reply.status} ${reply.text}`);
    return reply.body as { id: string } & Record<string, unknown>;
  };
  const createGroup = async (displayName: string, members: string[] = []) => {
    const reply = await send('POST', '/Groups', { schemas: [GROUP_URN], displayName, members: members.map((value) => ({ value })) });
    if (reply.status !== 201) throw new Error(`create group ${displayName}: ${reply.status} ${reply.text}`);
    return reply.body as { id: string } & Record<string, unknown>;
  };
  const patch = (path: string, operations: unknown[], headers?: Record<string, string>) =>
    send('PATCH', path, { schemas: [PATCH_URN], Operations: operations }, headers);
  return { send, createUser, createGroup, patch, baseUrl };
}
