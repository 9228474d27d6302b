/**
 * Runs an operator command where it can run safely. On PostgreSQL the CLI opens its own connection:
 * any number of processes may. On the embedded database only one process may open the files, so
 * when a server holds them the command is sent to that server's control endpoint instead.
 */
import { tryAcquireDataDirLock } from '../db/index.ts';
import { describeUnreachable, migrate, openDatabase, type DatabaseHandle } from '../db/index.ts';
import { runOperation, type OperationName } from '../admin/index.ts';
import { publicUrlOf, type Config } from '../config.ts';
import { DomainError, type DomainErrorCode } from '../errors.ts';
import { checkSecret } from '../directory/index.ts';
import { SecretBox } from '../secrets/index.ts';
import { withResolvedSecret } from '../secret-file.ts';

const ACTOR = { type: 'operator', id: 'cli' } as const;
/** How long a command waits for another command (or a starting server) to free the embedded database. */
const LOCK_WAIT_MS = 15_000;

export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export async function execute(config: Config, name: OperationName, input: Record<string, unknown>): Promise<unknown> {
  if (config.database.kind === 'postgres') return runDirect(config, name, input);

  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    const attempt = await tryAcquireDataDirLock(config.dataDir, 'cli');
    if (attempt.acquired) {
      try {
        return await runDirect(config, name, input);
      } finally {
        await attempt.lock.release();
      }
    }
    if (attempt.holder.role === 'server' && attempt.holder.control) {
      return runRemote(attempt.holder.control, name, input);
    }
    if (Date.now() > deadline) {
      throw new CliError(
        'unavailable',
        `the embedded database in ${config.dataDir} is held by process ${attempt.holder.pid}, which did not let go within ${LOCK_WAIT_MS / 1000}s`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function runDirect(config: Config, name: OperationName, input: Record<string, unknown>): Promise<unknown> {
  let handle: DatabaseHandle | undefined;
  try {
    handle = await openDatabase(config);
    if (name !== 'migrate') await migrate(handle);
    const resolved = await withResolvedSecret(config);
    const box = SecretBox.fromSecrets(resolved.secret, config.previousSecret);
    await checkSecret(handle.db, box);
    return await runOperation(
      { handle, actor: ACTOR, publicUrl: publicUrlOf(config), box, allowInsecureIdpUrls: config.allowInsecureIdpUrls },
      name,
      input,
    );
  } catch (error) {
    throw toCliError(error, config);
  } finally {
    await handle?.close();
  }
}

async function runRemote(control: { url: string; token: string }, name: OperationName, input: Record<string, unknown>) {
  let response: Response;
  try {
    response = await fetch(`${control.url}/_roster/control/${name}`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${control.token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(input),
      signal: AbortSignal.timeout(60_000),
    });
  } catch (error) {
    throw new CliError(
      'unavailable',
      `a Roster server holds the embedded database but does not answer at ${control.url} (${(error as Error).message})`,
    );
  }
  const body = (await response.json().catch(() => ({}))) as { result?: unknown; error?: { code?: string; message?: string } };
  if (!response.ok) {
    throw new CliError(body.error?.code ?? 'internal', body.error?.message ?? `the server answered ${response.status}`);
  }
  return body.result;
}

function toCliError(error: unknown, config: Config): CliError {
  if (error instanceof CliError) return error;
  if (error instanceof DomainError) return new CliError(error.code satisfies DomainErrorCode, error.message);
  const unreachable = describeUnreachable(error, config);
  if (unreachable) return new CliError('unavailable', unreachable);
  return new CliError('internal', (error as Error)?.message ?? String(error));
}
