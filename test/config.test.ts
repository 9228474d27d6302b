import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig, withListeningPort } from '../src/config.ts';

const SECRET = 'x'.repeat(32);

describe('parseConfig', () => {
  it('resolves defaults for the embedded database', () => {
    const config = parseConfig({});
    expect(config).toMatchObject({
      port: 3000,
      host: '127.0.0.1',
      publicUrl: 'http://127.0.0.1:3000',
      logLevel: 'info',
      database: { kind: 'pglite', dataDir: path.resolve('data', 'pglite') },
      dataDir: path.resolve('data'),
      secret: undefined,
      maxBodyBytes: 2 * 1024 * 1024,
      shutdownTimeoutMs: 10_000,
      scimRateLimitPerMinute: 6000,
      scimRequestLogRetentionDays: 30,
    });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('uses PostgreSQL when DATABASE_URL is set and then requires ROSTER_SECRET', () => {
    expect(() => parseConfig({ DATABASE_URL: 'postgres://u@h/db' })).toThrow(
      /^ROSTER_SECRET is required with DATABASE_URL/,
    );
    const config = parseConfig({ DATABASE_URL: 'postgres://u@h/db', ROSTER_SECRET: SECRET });
    expect(config.database).toEqual({ kind: 'postgres', url: 'postgres://u@h/db', poolSize: 4 });
    expect(parseConfig({ DATABASE_URL: 'postgres://u@h/db', ROSTER_SECRET: SECRET, DATABASE_POOL_SIZE: '12' }).database).toEqual({
      kind: 'postgres',
      url: 'postgres://u@h/db',
      poolSize: 12,
    });
    expect(config.secret).toBe(SECRET);
  });

  it('derives PUBLIC_URL from HOST and PORT, and normalises an explicit one', () => {
    expect(parseConfig({ HOST: '0.0.0.0', PORT: '8080' }).publicUrl).toBe('http://127.0.0.1:8080');
    expect(parseConfig({ HOST: '::1', PORT: '8080' }).publicUrl).toBe('http://[::1]:8080');
    expect(parseConfig({ PUBLIC_URL: 'https://id.example.com/roster/' }).publicUrl).toBe('https://id.example.com/roster');
  });

  it('leaves PUBLIC_URL to the bound port when PORT=0', () => {
    const config = parseConfig({ PORT: '0' });
    expect(config.publicUrl).toBeUndefined();
    expect(withListeningPort(config, 43210).publicUrl).toBe('http://127.0.0.1:43210');
    const fixed = parseConfig({ PORT: '0', PUBLIC_URL: 'https://x.example' });
    expect(withListeningPort(fixed, 43210).publicUrl).toBe('https://x.example');
  });

  it.each([
    [{ PORT: 'abc' }, 'PORT must be a whole number from 0 to 65535 (got "abc")'],
    [{ PORT: '70000' }, 'PORT must be a whole number from 0 to 65535 (got "70000")'],
    [{ PORT: '-1' }, 'PORT must be a whole number from 0 to 65535 (got "-1")'],
    [{ PUBLIC_URL: 'not a url' }, 'PUBLIC_URL must be an absolute http(s) URL (got "not a url")'],
    [{ PUBLIC_URL: 'ftp://x.example' }, 'PUBLIC_URL must use http or https (got "ftp:")'],
    [{ PUBLIC_URL: 'https://x.example/?a=1' }, 'PUBLIC_URL must not carry a query string or fragment'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent (got "loud")'],
    [{ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL must start with postgres:// or postgresql://'],
    [{ DATABASE_POOL_SIZE: '1' }, 'DATABASE_POOL_SIZE must be a whole number from 2 to 100 (got "1")'],
    [{ ROSTER_SECRET: 'short' }, 'ROSTER_SECRET must be at least 32 characters (got 5)'],
    [{ MAX_BODY_BYTES: '10' }, 'MAX_BODY_BYTES must be a whole number from 1024 to 67108864 (got "10")'],
    [{ SHUTDOWN_TIMEOUT_MS: '1.5' }, 'SHUTDOWN_TIMEOUT_MS must be a whole number from 0 to 600000 (got "1.5")'],
    [{ SCIM_REQUEST_LOG_RETENTION_DAYS: '0' }, 'SCIM_REQUEST_LOG_RETENTION_DAYS must be a whole number from 1 to 3650 (got "0")'],
    [{ SCIM_REQUEST_LOG_RETENTION_DAYS: '3651' }, 'SCIM_REQUEST_LOG_RETENTION_DAYS must be a whole number from 1 to 3650 (got "3651")'],
    [{ SCIM_REQUEST_LOG_RETENTION_DAYS: '7d' }, 'SCIM_REQUEST_LOG_RETENTION_DAYS must be a whole number from 1 to 3650 (got "7d")'],
    [{ SCIM_RATE_LIMIT_PER_MINUTE: 'lots' }, 'SCIM_RATE_LIMIT_PER_MINUTE must be a whole number from 0 to 1000000 (got "lots")'],
    [{ SCIM_RATE_LIMIT_PER_MINUTE: '-1' }, 'SCIM_RATE_LIMIT_PER_MINUTE must be a whole number from 0 to 1000000 (got "-1")'],
    [{ SCIM_RATE_LIMIT_PER_MINUTE: '2000000' }, 'SCIM_RATE_LIMIT_PER_MINUTE must be a whole number from 0 to 1000000 (got "2000000")'],
  ])('rejects %o with one line naming the variable', (env, message) => {
    let error: unknown;
    try {
      parseConfig(env);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const text = (error as Error).message;
    expect(text).toContain(message);
    expect(text).not.toContain('\n');
    expect(text.startsWith(Object.keys(env)[0]!)).toBe(true);
  });

  it('reads the SCIM rate limit, where 0 turns it off', () => {
    expect(parseConfig({ SCIM_RATE_LIMIT_PER_MINUTE: '120' }).scimRateLimitPerMinute).toBe(120);
    expect(parseConfig({ SCIM_RATE_LIMIT_PER_MINUTE: '0' }).scimRateLimitPerMinute).toBe(0);
    expect(parseConfig({ SCIM_RATE_LIMIT_PER_MINUTE: '' }).scimRateLimitPerMinute).toBe(6000);
  });

  it('reads the SCIM request-log retention in days, within its bounds', () => {
    expect(parseConfig({ SCIM_REQUEST_LOG_RETENTION_DAYS: '1' }).scimRequestLogRetentionDays).toBe(1);
    expect(parseConfig({ SCIM_REQUEST_LOG_RETENTION_DAYS: '3650' }).scimRequestLogRetentionDays).toBe(3650);
    expect(parseConfig({ SCIM_REQUEST_LOG_RETENTION_DAYS: '' }).scimRequestLogRetentionDays).toBe(30);
  });

  it('accepts case-insensitive log levels and treats empty values as unset', () => {
    expect(parseConfig({ LOG_LEVEL: 'WARN' }).logLevel).toBe('warn');
    expect(parseConfig({ PORT: '', DATABASE_URL: '  ' }).database.kind).toBe('pglite');
  });
});
