/**
 * The server process on its own (what `npm run dev` runs): config → server, stopped by SIGTERM.
 * `roster serve` does the same from the CLI. A bad configuration or a failed start prints one line
 * and exits 1.
 */
import { ConfigError, parseConfig } from './config.ts';
import { createLogger } from './http/index.ts';
import { startServer, StartupError, stopOnSignal } from './server.ts';

try {
  const config = parseConfig(process.env);
  await stopOnSignal(await startServer(config, createLogger(config.logLevel)));
} catch (error) {
  if (!(error instanceof ConfigError || error instanceof StartupError)) throw error;
  const prefix = error instanceof ConfigError ? 'invalid configuration: ' : '';
  process.stderr.write(`roster: ${prefix}${error.message}\n`);
  process.exitCode = 1;
}
