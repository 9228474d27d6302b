/**
 * The embedded database's master key: generated on first start and kept beside the data, readable
 * by its owner only, so a new user needs no configuration while PostgreSQL users must bring one.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile, chmod, stat } from 'node:fs/promises';
import path from 'node:path';
import { ConfigError, type Config } from './config.ts';

const SECRET_FILE = 'secret';

export async function withResolvedSecret(config: Config): Promise<Config & { secret: string }> {
  if (config.secret !== undefined) return config as Config & { secret: string };
  if (config.database.kind === 'postgres') {
    throw new ConfigError('ROSTER_SECRET is required with DATABASE_URL');
  }
  const secret = await loadOrCreateSecret(config.dataDir);
  return Object.freeze({ ...config, secret });
}

async function loadOrCreateSecret(dataDir: string): Promise<string> {
  const file = path.join(dataDir, SECRET_FILE);
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  try {
    await writeFile(file, randomBytes(32).toString('base64url') + '\n', { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  const info = await stat(file);
  if ((info.mode & 0o077) !== 0) await chmod(file, 0o600);
  const secret = (await readFile(file, 'utf8')).trim();
  if (secret.length < 32) throw new ConfigError(`${file} holds no usable secret; remove it only if no data was encrypted with it`);
  return secret;
}
