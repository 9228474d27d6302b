/**
 * `POST /scim/v2/<directoryId>/Bulk` (RFC 7644 §3.7): many Users and Groups operations in one
 * request, each with the effect, and the answer, it would have had on its own.
 *
 * Each operation is an in-process request to a router holding the very resource routes the
 * single-resource endpoints use (`resourceRoutes` with the same adapters), so every validation,
 * limit, ETag check, domain event and status is theirs. That router is reachable only from here:
 * it has no authentication, rate limit or request log of its own. Instead, the principal the Bulk
 * request authenticated as is handed to it as a binding of the in-process call, which no HTTP
 * client can set. So an operation acts in the Bulk request's directory and no other, the Bulk
 * request is counted once against the token's rate limit, and the request log has one entry for
 * it (with its body, passwords removed), as for any other request.
 */
import { Hono } from 'hono';
import type { Database } from '../../db/index.ts';
import type { ScimPrincipal } from '../../directory/index.ts';
import type { Logger } from '../../http/index.ts';
import type { ScimVariables } from '../auth.ts';
import { parseBulkRequest } from './request.ts';
import { runBulk, type BulkDispatch } from './run.ts';
import { scimError, SCIM_CONTENT_TYPE } from '../errors.ts';
import { mountResourceCollections, scimErrorHandler } from '../resource-collections.ts';
import type { ScimLimits } from '../limits.ts';
import { readJsonBody } from '../request.ts';
import { failure, scimJson } from '../respond.ts';
import { BULK_RESPONSE_URN } from '../schema/index.ts';

export interface BulkRoutesOptions {
  db: Database;
  logger: Logger;
  publicUrl: string;
  limits: ScimLimits;
}

type Env = { Variables: ScimVariables };
type OperationEnv = { Bindings: { principal: ScimPrincipal }; Variables: ScimVariables };

/** The Bulk endpoint, to be mounted at `/:directoryId/Bulk` behind authentication. */
export function bulkRoutes(options: BulkRoutesOptions): Hono<Env> {
  const routes = new Hono<Env>();
  const operations = operationRouter(options);
  const baseUrl = (directoryId: string) => `${options.publicUrl}/scim/v2/${directoryId}`;

  routes.post('/', async (c) => {
    const body = await readJsonBody(c);
    if (!body.ok) return failure(c, body.error);
    const request = parseBulkRequest(body.value, options.limits.maxBulkOperations);
    if (!request.ok) return failure(c, request.error);

    const principal = c.get('principal');
    const dispatch: BulkDispatch = async ({ method, path, body: data, ifMatch }) =>
      operations.request(
        path,
        {
          method,
          headers: {
            ...(data !== undefined && { 'Content-Type': SCIM_CONTENT_TYPE }),
            ...(ifMatch !== undefined && { 'If-Match': ifMatch }),
          },
          ...(data !== undefined && { body: JSON.stringify(data) }),
        },
        { principal },
      );
    const results = await runBulk(request.value, dispatch, baseUrl(principal.directoryId));
    return scimJson(c, 200, { schemas: [BULK_RESPONSE_URN], Operations: results });
  });
  routes.all('/', (c) => scimError(c, 405, `${c.req.method} is not allowed on ${c.req.path}`, undefined, { Allow: 'POST' }));
  return routes;
}

/**
 * The Users and Groups routes exactly as routes.ts mounts them, for operations only. The
 * principal comes from the binding `bulkRoutes` passes; errors map as on the SCIM router.
 */
function operationRouter(options: BulkRoutesOptions): Hono<OperationEnv> {
  const { db, publicUrl, limits, logger } = options;
  const router = new Hono<OperationEnv>();
  router.use('*', async function bulkPrincipal(c, next) {
    c.set('principal', c.env.principal);
    await next();
  });
  mountResourceCollections(router, '', { db, publicUrl, limits });
  // Paths are checked before dispatch; this answers only if that check and these routes disagree.
  router.notFound((c) => scimError(c, 404, `no SCIM endpoint at ${c.req.method} ${c.req.path}`));
  router.onError(scimErrorHandler(logger, { bulk: true }));
  return router;
}
