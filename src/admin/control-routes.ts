/**
 * The local control endpoint. With the embedded database only the server process may open the data
 * directory, so the CLI hands its command to the running server here. The credential is generated
 * at each start and kept in the data directory's lock file (mode 0600): whoever can read it could
 * open the database files anyway.
 */
import { timingSafeEqual } from 'node:crypto';
import { Hono } from 'hono';
import { readBearer } from '../http/index.ts';
import { jsonError, jsonErrorFor } from '../http/index.ts';
import { isOperationName, runOperation, type OperationEnv } from './operations.ts';

export interface ControlRoutesOptions {
  token: string;
  env: Omit<OperationEnv, 'actor'>;
}

export function controlRoutes(options: ControlRoutesOptions): Hono {
  const expected = Buffer.from(options.token, 'utf8');
  const control = new Hono();

  control.post('/:operation', async (c) => {
    const bearer = readBearer(c.req.header('Authorization'));
    const presented = bearer.ok ? Buffer.from(bearer.token, 'utf8') : Buffer.alloc(0);
    if (presented.length !== expected.length || !timingSafeEqual(presented, expected)) {
      return jsonError(c, 401, 'unauthenticated', 'invalid control credential');
    }
    const name = c.req.param('operation');
    if (!isOperationName(name)) return jsonError(c, 404, 'not_found', `unknown operation "${name}"`);
    let input: unknown;
    try {
      input = await c.req.json();
    } catch {
      return jsonError(c, 400, 'invalid_input', 'the body must be a JSON object');
    }
    try {
      const result = await runOperation({ ...options.env, actor: { type: 'operator', id: 'cli' } }, name, input);
      return c.json({ result });
    } catch (error) {
      return jsonErrorFor(c, error);
    }
  });

  return control;
}
