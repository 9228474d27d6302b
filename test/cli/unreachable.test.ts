import { describe, expect, it } from 'vitest';
import { runCli, SPAWNS } from '../support/cli.ts';

const env = { DATABASE_URL: 'postgres://roster:hunter2@127.0.0.1:1/roster', ROSTER_SECRET: 's'.repeat(32) };

describe('an unreachable PostgreSQL', SPAWNS, () => {
  it('fails a command and the server start with one line that names the host but not the password', async () => {
    for (const args of [['org', 'list'], ['serve']]) {
      const result = await runCli(args, env);
      expect(result.code).toBe(1);
      expect(result.stderr).toBe('roster: cannot reach the database at 127.0.0.1:1 (ECONNREFUSED)\n');
      expect(result.stdout).not.toContain('hunter2');
    }
  });
});
