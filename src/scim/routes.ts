/**
 * The SCIM 2.0 service provider mounted at /scim/v2: one base URL per directory. Everything under
 * it, including unknown routes, wrong methods and oversized bodies, answers with SCIM error bodies.
 *
 * One request path: the request log wraps admission (auth.ts), which authenticates the token and
 * counts the request before anything reads the body; then the body limit; then the route. The
 * routes are registered once, and the 405 answers and their `Allow` are read from that registration.
 */
import { Hono, type Context, type MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { Database } from '../db/index.ts';
import type { Logger } from '../http/index.ts';
import { scimAuth, type ScimVariables } from './auth.ts';
import { bulkRoutes } from './bulk/index.ts';
import { findResourceType, findSchema, resourceTypes, schemas, serviceProviderConfig } from './discovery.ts';
import { scimError } from './errors.ts';
import type { FailedAuthThrottle, FailedAuthThrottleOptions } from './failed-auth-throttle.ts';
import { mountResourceCollections, scimErrorHandler } from './resource-collections.ts';
import type { ScimLimits } from './limits.ts';
import type { ScimRateLimitOptions } from './rate-limit.ts';
import { scimRequestLog, type RequestLogSink } from './request-log/index.ts';
import { scimJson } from './respond.ts';
import { LIST_RESPONSE_URN } from './schema/index.ts';

export interface ScimRoutesOptions {
  db: Database;
  logger: Logger;
  publicUrl: string;
  limits: ScimLimits;
  /** Per-token request budget; absent means no limit. */
  rateLimit?: ScimRateLimitOptions;
  /** The failed-authentication throttle, or its options (failed-auth-throttle.ts). */
  authThrottle?: FailedAuthThrottle | FailedAuthThrottleOptions;
  /** Where each authenticated request's log entry goes; absent means no request log. */
  requestLog?: RequestLogSink;
}

type Env = { Variables: ScimVariables };

export function scimRoutes(options: ScimRoutesOptions): Hono<Env> {
  const scim = new Hono<Env>();
  const { limits } = options;
  const baseOf = (c: Context<Env>) => `${options.publicUrl}/scim/v2/${c.get('principal').directoryId}`;

  const admission: MiddlewareHandler<Env>[] = [
    // Outside admission, so that a request refused by the rate limit is logged like any other;
    // one refused by authentication names no directory, and is not.
    ...(options.requestLog ? [scimRequestLog({ writer: options.requestLog })] : []),
    scimAuth({
      db: options.db,
      perMinute: options.rateLimit?.perMinute ?? 0,
      ...(options.rateLimit?.now && { now: options.rateLimit.now }),
      ...(options.authThrottle && { throttle: options.authThrottle }),
    }),
    scimBodyLimit(limits.maxBodyBytes),
  ];
  scim.use('/:directoryId/*', ...admission);

  const listOf = (resources: unknown[]) => ({
    schemas: [LIST_RESPONSE_URN],
    totalResults: resources.length,
    startIndex: 1,
    itemsPerPage: resources.length,
    Resources: resources,
  });
  scim.get('/:directoryId/ServiceProviderConfig', (c) => scimJson(c, 200, serviceProviderConfig(baseOf(c), limits)));
  scim.get('/:directoryId/ResourceTypes', (c) => scimJson(c, 200, listOf(resourceTypes(baseOf(c)))));
  scim.get('/:directoryId/ResourceTypes/:id', (c) => {
    const type = findResourceType(baseOf(c), c.req.param('id'));
    return type ? scimJson(c, 200, type) : scimError(c, 404, `no resource type "${c.req.param('id')}"`);
  });
  scim.get('/:directoryId/Schemas', (c) => scimJson(c, 200, listOf(schemas(baseOf(c)))));
  scim.get('/:directoryId/Schemas/:id', (c) => {
    const schema = findSchema(baseOf(c), c.req.param('id'));
    return schema ? scimJson(c, 200, schema) : scimError(c, 404, `no schema "${c.req.param('id')}"`);
  });

  const resourceOptions = { db: options.db, publicUrl: options.publicUrl, limits };
  mountResourceCollections(scim, '/:directoryId', resourceOptions);

  // A directory token stands for the identity provider, not for a person: /Me has no subject.
  scim.all('/:directoryId/Me', (c) =>
    scimError(c, 501, '/Me is not supported: the bearer token authenticates an identity provider, not a user'),
  );
  scim.route('/:directoryId/Bulk', bulkRoutes({ ...resourceOptions, logger: options.logger }));

  mountMethodNotAllowed(scim);
  scim.all('*', (c) => scimError(c, 404, `no SCIM endpoint at ${c.req.method} ${c.req.path}`));
  scim.onError(scimErrorHandler(options.logger));
  return scim;
}

/**
 * Per path of the routes registered so far, a last route answering any other method with 405 and
 * the path's methods in `Allow`. Routes for every method (middleware, /Me) name no methods.
 */
function mountMethodNotAllowed(scim: Hono<Env>): void {
  const methodsByPath = new Map<string, Set<string>>();
  for (const { method, path } of scim.routes) {
    if (method === 'ALL') continue;
    const methods = methodsByPath.get(path) ?? new Set<string>();
    methods.add(method);
    methodsByPath.set(path, methods);
  }
  for (const [path, methods] of methodsByPath) {
    const allow = [...methods].join(', ');
    scim.all(path, (c) => scimError(c, 405, `${c.req.method} is not allowed on ${c.req.path}`, undefined, { Allow: allow }));
  }
}

/**
 * The body limit, mounted after admission. Counting a body as it streams in costs the request a
 * full fetch Request and a web stream: only bodies of unknown length need it. A declared
 * Content-Length is checked as it is (the HTTP parser never delivers more than it declares), and
 * GET and HEAD carry no body at all.
 */
function scimBodyLimit(maxBodyBytes: number): MiddlewareHandler<Env> {
  const tooLarge = (c: Context) => scimError(c, 413, `request body exceeds the limit of ${maxBodyBytes} bytes`);
  const limitStreamedBody = bodyLimit({ maxSize: maxBodyBytes, onError: tooLarge });
  return async function scimBodyLimit(c, next) {
    if (c.req.method === 'GET' || c.req.method === 'HEAD') return next();
    const declared = c.req.header('Content-Length');
    if (declared !== undefined && c.req.header('Transfer-Encoding') === undefined) {
      return Number(declared) > maxBodyBytes ? tooLarge(c) : next();
    }
    return limitStreamedBody(c, next);
  };
}
