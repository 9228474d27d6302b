/**
 * The /Users and /Groups collections, mounted the same way wherever they are served: on the SCIM
 * router for single requests, and on the in-process router that runs Bulk operations.
 */
import type { Context, Hono } from 'hono';
import { failureSummary } from '../http/index.ts';
import type { Logger } from '../http/index.ts';
import type { ScimVariables } from './auth.ts';
import { scimErrorFor } from './errors.ts';
import { groupsAdapter } from './groups-adapter.ts';
import { resourceRoutes, type ResourceRoutesOptions } from './resource-routes.ts';
import { usersAdapter } from './users-adapter.ts';

/** Anything that can mount the collections: the SCIM router, or the Bulk operations router. */
interface Mountable {
  route(path: string, app: Hono<{ Variables: ScimVariables }>): unknown;
}

export function mountResourceCollections(router: Mountable, prefix: string, options: ResourceRoutesOptions): void {
  const { limits, publicUrl } = options;
  const baseUrl = (directoryId: string) => `${publicUrl}/scim/v2/${directoryId}`;
  router.route(`${prefix}/Users`, resourceRoutes(usersAdapter(limits), options));
  router.route(`${prefix}/Groups`, resourceRoutes(groupsAdapter(limits, baseUrl), options));
}

/** Maps what a SCIM handler threw to its SCIM error; unexpected failures are logged, summarised. */
export function scimErrorHandler(logger: Logger, context: Record<string, unknown> = {}) {
  return (error: Error, c: Context): Response => {
    const response = scimErrorFor(c, error);
    if (response.status >= 500 && response.status !== 503) {
      logger.error({ err: failureSummary(error), path: c.req.path, ...context }, 'unhandled error');
    }
    return response;
  };
}
