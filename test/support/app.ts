/** Builds the app over a test database, with logs captured in memory so tests can read them. */
import { Writable } from 'node:stream';
import { createApp } from '../../src/app.ts';
import { parseConfig, type Config } from '../../src/config.ts';
import type { DatabaseHandle } from '../../src/db/index.ts';
import { createLogger } from '../../src/http/logger.ts';

export const TEST_PUBLIC_URL = 'https://roster.test';

export function buildTestApp(handle: DatabaseHandle, env: Record<string, string> = {}, controlToken?: string) {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  });
  const config: Config = parseConfig({ PUBLIC_URL: TEST_PUBLIC_URL, LOG_LEVEL: 'info', ...env });
  const app = createApp({ handle, config, logger: createLogger('info', sink), controlToken });
  return { app, config, logs: lines };
}
