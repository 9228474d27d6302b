/**
 * Builds the HTTP application from its dependencies, with no globals: tests run it in process
 * (`app.request`) or behind a real socket, and several instances can share one process.
 */
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { requestId } from 'hono/request-id';
import { createAdminApi } from './admin/api/index.ts';
import { consoleRoutes, controlRoutes } from './admin/index.ts';
import { publicUrlOf, type Config } from './config.ts';
import { migrationStatus, type DatabaseHandle } from './db/index.ts';
import { failureSummary } from './http/index.ts';
import { jsonError, jsonErrorFor } from './http/index.ts';
import type { Logger } from './http/index.ts';
import { requestLogging } from './http/index.ts';
import type { SecretBox } from './secrets/index.ts';
import { invitationRoutes, providerRoutes, ssoRoutes, type RosterProvider } from './sso/index.ts';
import { scimLimits, scimRoutes, type RequestLogSink } from './scim/index.ts';

export interface AppDeps {
  handle: DatabaseHandle;
  config: Config;
  logger: Logger;
  /** Enables the local control endpoint used by the CLI while this server owns the embedded database. */
  controlToken?: string | undefined;
  /** Seals and opens secrets at rest with ROSTER_SECRET (checked against the database at start-up). */
  box: SecretBox;
  /** Roster's OpenID Provider; absent, /oauth2 and /sso are not served (tests of other surfaces). */
  provider?: RosterProvider | undefined;
  /** The time the domain reads (invitation expiry); absent, the system clock. Tests move it. */
  clock?: (() => Date) | undefined;
  /** Receives an entry per authenticated SCIM request (the batching writer); absent, nothing is logged. */
  requestLog?: RequestLogSink | undefined;
}

export function createApp(deps: AppDeps): Hono {
  const { handle, config, logger } = deps;
  const publicUrl = publicUrlOf(config);
  const app = new Hono();

  app.use(requestId({ limitLength: 128 }));
  app.use(requestLogging(logger));

  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  app.get('/readyz', async (c) => {
    try {
      const status = await migrationStatus(handle);
      if (!status.upToDate) {
        return c.json({ status: 'unavailable', reason: 'migrations pending', ...status }, 503, { 'Retry-After': '5' });
      }
      return c.json({ status: 'ready', database: handle.kind, migrations: status.applied });
    } catch (error) {
      logger.warn({ err: failureSummary(error) }, 'readiness check failed');
      return c.json({ status: 'unavailable', reason: 'database unreachable' }, 503, { 'Retry-After': '5' });
    }
  });

  app.route(
    '/scim/v2',
    scimRoutes({
      db: handle.db,
      logger,
      publicUrl,
      limits: scimLimits(config.maxBodyBytes, config.scimMaxResourceBytes),
      requestLog: deps.requestLog,
      rateLimit: { perMinute: config.scimRateLimitPerMinute },
    }),
  );

  const jsonBodyLimit = bodyLimit({
    maxSize: config.maxBodyBytes,
    onError: (c) => jsonError(c, 413, 'payload_too_large', `request body exceeds the limit of ${config.maxBodyBytes} bytes`),
  });
  app.use('/api/*', jsonBodyLimit);
  app.route(
    '/api/v1',
    createAdminApi({
      db: handle.db,
      publicUrl,
      box: deps.box,
      allowInsecureIdpUrls: config.allowInsecureIdpUrls,
      verifyAppToken: deps.provider?.verifyAppToken,
      clock: deps.clock,
    }),
  );

  if (deps.controlToken !== undefined) {
    app.use('/_roster/*', jsonBodyLimit);
    app.route(
      '/_roster/control',
      controlRoutes({ token: deps.controlToken, env: { handle, publicUrl, box: deps.box, allowInsecureIdpUrls: config.allowInsecureIdpUrls } }),
    );
  }

  if (deps.provider !== undefined) {
    app.route('/', providerRoutes(deps.provider));
    const sso = { db: handle.db, box: deps.box, publicUrl, allowInsecureIdpUrls: config.allowInsecureIdpUrls, logger, rp: deps.provider, now: deps.clock };
    app.route('/sso', ssoRoutes(sso));
    app.route('/invitations', invitationRoutes(sso));
    app.route('/console', consoleRoutes({ db: handle.db }));
  }

  app.notFound((c) => jsonError(c, 404, 'not_found', `no route for ${c.req.method} ${c.req.path}`));
  app.onError((error, c) => {
    logger.error({ err: failureSummary(error), path: c.req.path }, 'unhandled error');
    return jsonErrorFor(c, error);
  });
  return app;
}
