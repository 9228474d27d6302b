/** Builds the app over a test database, with logs captured in memory so tests can read them. */
import { Writable } from 'node:stream';
import { createApp } from '../../src/app.ts';
import { parseConfig, type Config } from '../../src/config.ts';
import type { DatabaseHandle } from '../../src/db/index.ts';
import { createLogger } from '../../src/http/logger.ts';
import { RequestLogWriter, type RequestLogSink } from '../../src/scim/index.ts';

export const TEST_PUBLIC_URL = 'https://roster.test';

export interface TestAppOptions {
  /**
   * Records SCIM requests: `true` for a RequestLogWriter over the test database and the captured
   * logger (returned as `requestLog`; close it in the test), or any sink.
   */
  requestLog?: true | RequestLogSink;
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
  const app = createApp({ handle, config, logger, controlToken, requestLog: sinkOption });
  return { app, config, logs: lines, requestLog };
}
