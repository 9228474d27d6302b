/** Builds the app over a test database, with logs captured in memory so tests can read them. */
import { Writable } from 'node:stream';
import { Hono } from 'hono';
import { createApp } from '../../src/app.ts';
import { parseConfig, type Config } from '../../src/config.ts';
import type { DatabaseHandle } from '../../src/db/index.ts';
import { createLogger } from '../../src/http/logger.ts';
import { RequestLogWriter } from '../../src/jobs/index.ts';
import { SecretBox } from '../../src/secrets/index.ts';
import { scimLimits, scimRoutes, type RequestLogSink } from '../../src/scim/index.ts';

export const TEST_PUBLIC_URL = 'https://roster.test';
/** The ROSTER_SECRET of in-process test apps. */
export const TEST_SECRET = 'test-secret-test-secret-test-secret-0123';

export interface TestAppOptions {
  /**
   * Records SCIM requests: `true` for a RequestLogWriter over the test database and the captured
   * logger (returned as `requestLog`; close it in the test), or any sink.
   */
  requestLog?: true | RequestLogSink;
  /** The time the domain reads (invitation expiry); absent, the system clock. */
  clock?: () => Date;
}

export function buildTestApp(
  handle: DatabaseHandle,
  env: Record<string, string> = {},
  controlToken?: string,
  options: TestAppOptions = {},
) {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  });
  const config: Config = parseConfig({ PUBLIC_URL: TEST_PUBLIC_URL, LOG_LEVEL: 'info', ...env });
  const logger = createLogger('info', sink);
  const requestLog = options.requestLog === true ? new RequestLogWriter({ db: handle.db, logger }) : undefined;
  const sinkOption = options.requestLog === true ? requestLog : options.requestLog;
  const box = SecretBox.fromSecrets(TEST_SECRET);
  const app = createApp({ handle, config, logger, controlToken, requestLog: sinkOption, box, clock: options.clock });
  return { app, config, logs: lines, requestLog };
}

/**
 * The SCIM routes alone, as app.ts mounts them, with a per-token budget and a clock the test sets
 * (`clock.ms`), and optionally a request-log sink.
 */
export function scimRoutesApp(
  handle: DatabaseHandle,
  options: { perMinute: number; clock: { ms: number }; requestLog?: RequestLogSink },
): Hono {
  const app = new Hono();
  app.route(
    '/scim/v2',
    scimRoutes({
      db: handle.db,
      logger: createLogger('silent'),
      publicUrl: TEST_PUBLIC_URL,
      limits: scimLimits(2 * 1024 * 1024),
      rateLimit: { perMinute: options.perMinute, now: () => new Date(options.clock.ms) },
      ...(options.requestLog === undefined ? {} : { requestLog: options.requestLog }),
    }),
  );
  return app;
}
