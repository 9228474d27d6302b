import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { isDatabaseUnavailable, openPostgres } from '../../src/db/index.ts';

const withCode = (code: string, message = code) => Object.assign(new Error(message), { code });

describe('isDatabaseUnavailable', () => {
  it('recognises a refused connection as drizzle reports it, wrapped around the postgres.js error', async () => {
    const handle = openPostgres({ url: 'postgres://roster@127.0.0.1:1/roster', connectTimeoutSeconds: 1 });
    try {
      const error = await handle.db.execute(sql`select 1`).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeDefined();
      expect(isDatabaseUnavailable(error)).toBe(true);
    } finally {
      await handle.close();
    }
  });

  it.each([
    'ECONNREFUSED',
    'ECONNRESET',
    'ETIMEDOUT',
    'ENOTFOUND',
    'EHOSTUNREACH',
    'CONNECT_TIMEOUT',
    'CONNECTION_CLOSED',
    'CONNECTION_ENDED',
    'CONNECTION_DESTROYED',
    '08006',
    '08001',
    '08P01',
    '57P01',
    '57P02',
    '57P03',
    '53300',
  ])('treats %s as unavailable, also behind causes', (code) => {
    expect(isDatabaseUnavailable(withCode(code))).toBe(true);
    const wrapped = new Error('Failed query: select 1', { cause: new Error('driver', { cause: withCode(code) }) });
    expect(isDatabaseUnavailable(wrapped)).toBe(true);
  });

  it('looks inside the AggregateError of a host whose every address refuses', () => {
    const error = new AggregateError([withCode('ECONNREFUSED'), withCode('ECONNREFUSED')], 'connect failed');
    expect(isDatabaseUnavailable(error)).toBe(true);
  });

  it.each([
    ['a unique violation', withCode('23505')],
    ['an undefined table', withCode('42P01')],
    ['a statement timeout', withCode('57014')],
    ['a serialization failure', withCode('40001')],
    ['a plain error', new Error('boom')],
    ['a string', 'ECONNREFUSED'],
    ['nothing', undefined],
  ])('leaves %s alone', (_case, error) => {
    expect(isDatabaseUnavailable(error)).toBe(false);
  });

  it('stops on a cycle of causes', () => {
    const a = new Error('a') as Error & { cause?: unknown };
    const b = new Error('b', { cause: a });
    a.cause = b;
    expect(isDatabaseUnavailable(a)).toBe(false);
  });
});
