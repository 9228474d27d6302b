/**
 * The SCIM 2.0 service provider mounted at /scim/v2: one base URL per directory. Everything under
 * it, including unknown routes, wrong methods and oversized bodies, answers with SCIM error bodies.
 */
import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { Database } from '../db/index.ts';
import type { Logger } from '../http/index.ts';
import { admissionRequest, admitRequest } from '../directory/index.ts';
import { scimAdmissionSettle } from './admission-gate.ts';
import { scimBearerAuth, type ScimVariables } from './auth.ts';
import { bulkRoutes } from './bulk/index.ts';
import { findResourceType, findSchema, resourceTypes, schemas, serviceProviderConfig } from './discovery.ts';
import { scimError } from './errors.ts';
import { mountResourceCollections, scimErrorHandler } from './resource-collections.ts';
import type { ScimLimits } from './limits.ts';
import { scimRateLimit, scimRequestBudget, type ScimRateLimitOptions } from './rate-limit.ts';
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
  /** Where each authenticated request's log entry goes; absent means no request log. */
  requestLog?: RequestLogSink;
}

type Env = { Variables: ScimVariables };

/**
 * The requests whose handler admits them in its own statement (admission-gate.ts): a user by id
 * and the Users list, whose userName lookup is what IdPs send before every create; a user's create,
 * whose insert makes the admission; a user's PUT and PATCH, whose read of the user makes it; a
 * group by id, and a group's PATCH (Entra sends one per membership change), whose read of the
 * group makes it; the Groups list, whose displayName lookup Entra sends before creating a group.
 * A group's PUT reads the group under its lock, so it is admitted first.
 */
const RESOURCE_READ = /\/scim\/v2\/[^/]+\/(?:Users|Groups)(?:\/[^/]+)?\/?$/;
const USER_CREATE = /\/scim\/v2\/[^/]+\/Users\/?$/;
const RESOURCE_CHANGE = /\/scim\/v2\/[^/]+\/(Users|Groups)\/[^/.][^/]*$/;

/**
 * Such a handler reads the body before the token is checked. A user's body is a few KiB; a larger
 * one, or one of undeclared length, is admitted first, so that a client without a valid token
 * cannot have Roster parse large bodies.
 */
const MAX_BODY_READ_BEFORE_ADMISSION = 64 * 1024;

function handlerAdmits(c: Context): boolean {
  const { method, path } = c.req;
  if (method === 'GET') return RESOURCE_READ.test(path);
  const changed = RESOURCE_CHANGE.exec(path)?.[1];
  const admitsWrite = method === 'POST' ? USER_CREATE.test(path) : method === 'PATCH' ? changed !== undefined : method === 'PUT' && changed === 'Users';
  if (!admitsWrite) return false;
  const declared = c.req.header('Content-Length');
  return declared !== undefined && c.req.header('Transfer-Encoding') === undefined && Number(declared) <= MAX_BODY_READ_BEFORE_ADMISSION;
}

export function scimRoutes(options: ScimRoutesOptions): Hono<Env> {
  const scim = new Hono<Env>();
  const { limits } = options;
  const baseUrl = (directoryId: string) => `${options.publicUrl}/scim/v2/${directoryId}`;
  const baseOf = (c: Context<Env>) => baseUrl(c.get('principal').directoryId);

  const budget = options.rateLimit === undefined ? undefined : scimRequestBudget(options.rateLimit.perMinute);
  const now = options.rateLimit?.now ?? (() => new Date());
  const tooLarge = (c: Context) => scimError(c, 413, `request body exceeds the limit of ${limits.maxBodyBytes} bytes`);
  const limitStreamedBody = bodyLimit({ maxSize: limits.maxBodyBytes, onError: tooLarge });
  scim.use(
    '/:directoryId/*',
    // Counting a body as it streams in costs the request a full fetch Request and a web stream:
    // only bodies of unknown length need it. A declared Content-Length is checked as it is (the
    // HTTP parser never delivers more than it declares), and GET and HEAD carry no body at all.
    async function scimBodyLimit(c, next) {
      if (c.req.method === 'GET' || c.req.method === 'HEAD') return next();
      const declared = c.req.header('Content-Length');
      if (declared !== undefined && c.req.header('Transfer-Encoding') === undefined) {
        return Number(declared) > limits.maxBodyBytes ? tooLarge(c) : next();
      }
      return limitStreamedBody(c, next);
    },
    scimBearerAuth({
      request: (directoryId, token) => admissionRequest(directoryId, token, budget, now()),
      admit: (request) => admitRequest(options.db, request),
      handlerAdmits,
    }),
  );
  // After authentication, which names the directory; before the rate limit, so refusals are logged too.
  if (options.requestLog) scim.use('/:directoryId/*', scimRequestLog({ writer: options.requestLog }));
  if (budget) scim.use('/:directoryId/*', scimRateLimit());
  scim.use('/:directoryId/*', scimAdmissionSettle());

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

  const allowed: [RegExp, string][] = [
    [/^\/[^/]+\/(ServiceProviderConfig|ResourceTypes|Schemas)(\/[^/]+)?$/, 'GET'],
    [/^\/[^/]+\/(Users|Groups)\/?$/, 'GET, POST'],
    [/^\/[^/]+\/(Users|Groups)\/\.search$/, 'POST'],
    [/^\/[^/]+\/(Users|Groups)\/[^/.][^/]*$/, 'GET, PUT, PATCH, DELETE'],
  ];
  scim.all('*', (c) => {
    const path = c.req.path.replace(/^.*?\/scim\/v2/, '');
    const allow = allowed.find(([pattern]) => pattern.test(path))?.[1];
    if (allow) return scimError(c, 405, `${c.req.method} is not allowed on ${c.req.path}`, undefined, { Allow: allow });
    return scimError(c, 404, `no SCIM endpoint at ${c.req.method} ${c.req.path}`);
  });
  scim.onError(scimErrorHandler(options.logger));
  return scim;
}
