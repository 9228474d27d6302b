/**
 * The server: database (migrated) → app → listen, and an orderly stop: no new connections,
 * in-flight requests finish, the database closes, the data-dir lock is freed. Started by the
 * process entry (main.ts) and by `roster serve`.
 */
import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAdaptorServer } from '@hono/node-server';
import type { Hono } from 'hono';
import type { createApp as CreateApp } from './app.ts';
import type * as Sso from './sso/index.ts';
import { publicUrlOf, withListeningPort, type Config } from './config.ts';
import { tryAcquireDataDirLock, type DataDirLock } from './db/index.ts';
import { describeUnreachable, migrate, openDatabase, type DatabaseHandle } from './db/index.ts';
import type { Logger } from './http/index.ts';
import { RequestLogWriter, startCountFolder, startMailDelivery, startRequestLogPruner, type MailDeliveryResult, type PeriodicTask, type RequestLogPruner } from './jobs/index.ts';
import { withResolvedSecret } from './secret-file.ts';
import { checkSecret } from './directory/index.ts';
import { isDomainError } from './errors.ts';
import { SecretBox } from './secrets/index.ts';

export interface RunningServer {
  /** Where the server listens, as the CLI and tests reach it (loopback when bound to all interfaces). */
  readonly localUrl: string;
  readonly config: Config;
  /** Stops accepting, lets in-flight requests finish (up to the shutdown timeout), closes everything. */
  close(): Promise<void>;
}

export class StartupError extends Error {
  override readonly name = 'StartupError';
}

/** How long `serve` waits for a CLI command that briefly holds the embedded database. */
const LOCK_WAIT_MS = 15_000;

export async function startServer(rawConfig: Config, logger: Logger): Promise<RunningServer> {
  const resolved = await withResolvedSecret(rawConfig);
  let config: Config = resolved;
  const box = SecretBox.fromSecrets(resolved.secret, resolved.previousSecret);
  const lock = config.database.kind === 'pglite' ? await acquireServerLock(config.dataDir) : undefined;
  let handle: DatabaseHandle | undefined;
  let requestLog: RequestLogWriter | undefined;
  try {
    handle = await openDatabase(config);
    const result = await migrate(handle);
    if (result.applied > 0) logger.info({ applied: result.applied, total: result.total }, 'migrations applied');
    // The app and its OpenID Provider load only once the database answers: a start that fails
    // says so in one line, without oidc-provider's import-time notice on Node.js 20 before it.
    const [{ createApp }, { createSignInProvider, startSignInMaintenance }]: [{ createApp: typeof CreateApp }, typeof Sso] =
      await Promise.all([import('./app.ts'), import('./sso/index.ts')]);
    try {
      await checkSecret(handle.db, box);
    } catch (error) {
      if (isDomainError(error)) throw new StartupError(error.message, { cause: error });
      throw error;
    }

    // The app needs PUBLIC_URL, which with PORT=0 is known only once the socket is bound.
    const ready: { app?: Hono } = {};
    const server = createAdaptorServer({
      fetch: (request, env) => (ready.app ? ready.app.fetch(request, env) : new Response('starting', { status: 503 })),
    }) as Server;
    await listen(server, config.port, config.host);
    const port = (server.address() as AddressInfo).port;
    config = withListeningPort(config, port);
    const localUrl = `http://${loopbackHost(config.host)}:${port}`;

    const controlToken = lock ? randomBytes(32).toString('base64url') : undefined;
    requestLog = new RequestLogWriter({ db: handle.db, logger });
    const provider = await createSignInProvider({ db: handle.db, box, publicUrl: publicUrlOf(config), secret: resolved.secret, logger });
    ready.app = createApp({ handle, config, logger, controlToken, requestLog, box, provider });
    if (lock && controlToken) await lock.update({ role: 'server', control: { url: localUrl, token: controlToken } });

    logger.info(
      { url: config.publicUrl, listen: localUrl, database: handle.kind === 'pglite' ? `embedded (${config.dataDir})` : 'postgresql' },
      'listening',
    );
    const db = handle;
    const pruner = startRequestLogPruner({ db: db.db, logger, retentionDays: config.scimRequestLogRetentionDays });
    const countFolder = startCountFolder({ db: db.db, logger });
    const signIns = startSignInMaintenance({ rp: provider, db: db.db, logger });
    const mail = startMailDelivery({ db: db.db, box, logger, smtpUrl: config.smtpUrl, from: config.mailFrom });
    const background = { requestLog, pruner, countFolder, signIns, mail };
    let closing: Promise<void> | undefined;
    return {
      localUrl,
      config,
      close: () => (closing ??= stop(server, config.shutdownTimeoutMs, logger, db, lock, background)),
    };
  } catch (error) {
    await requestLog?.close().catch(() => {});
    await handle?.close().catch(() => {});
    await lock?.release().catch(() => {});
    const unreachable = describeUnreachable(error, config);
    throw unreachable ? new StartupError(unreachable, { cause: error }) : error;
  }
}

async function acquireServerLock(dataDir: string): Promise<DataDirLock> {
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    const attempt = await tryAcquireDataDirLock(dataDir, 'server');
    if (attempt.acquired) return attempt.lock;
    if (attempt.holder.role === 'server') {
      const where = attempt.holder.control ? ` at ${attempt.holder.control.url}` : '';
      throw new StartupError(
        `another Roster server (pid ${attempt.holder.pid}) is already running on ${dataDir}${where}; the embedded database allows one process`,
      );
    }
    if (Date.now() > deadline) {
      throw new StartupError(`the embedded database in ${dataDir} is held by process ${attempt.holder.pid}; is a roster command stuck?`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'EADDRINUSE'
          ? new StartupError(`PORT ${port} on ${host} is already in use; set PORT to a free port`)
          : error,
      );
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
}

/** Work that writes to the database outside requests, stopped after the last request and before the database closes. */
interface BackgroundWork {
  requestLog: RequestLogWriter;
  pruner: RequestLogPruner;
  countFolder: PeriodicTask<number>;
  signIns: { close(): Promise<void> };
  mail: PeriodicTask<MailDeliveryResult | undefined>;
}

async function stop(
  server: Server,
  timeoutMs: number,
  logger: Logger,
  handle: DatabaseHandle,
  lock: DataDirLock | undefined,
  background: BackgroundWork,
) {
  logger.info({ timeoutMs }, 'shutting down: no new connections, finishing in-flight requests');
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  // Keep-alive connections with no request in flight would otherwise hold close() open.
  server.closeIdleConnections();
  const sweep = setInterval(() => server.closeIdleConnections(), 100);
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
  });
  const outcome = await Promise.race([closed.then(() => 'drained' as const), timedOut]);
  clearInterval(sweep);
  clearTimeout(timer);
  if (outcome === 'timeout') {
    logger.warn('in-flight requests did not finish within SHUTDOWN_TIMEOUT_MS; closing their connections');
    server.closeAllConnections();
  }
  // The last requests' log entries are written only now that no request can add more.
  await background.pruner.stop();
  await background.countFolder.stop();
  await background.signIns.close();
  await background.mail.stop();
  await background.requestLog.close();
  await handle.close();
  await lock?.release();
  logger.info('stopped');
}

/** Resolves once SIGTERM or SIGINT has stopped the server. */
export function stopOnSignal(server: RunningServer): Promise<void> {
  return new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGTERM', stop);
      process.off('SIGINT', stop);
      server.close().then(resolve, resolve);
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
}

function loopbackHost(host: string): string {
  if (host === '0.0.0.0' || host === '') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}
