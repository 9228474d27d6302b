import os from 'node:os';
import { defineConfig, type TestProjectConfiguration } from 'vitest/config';
import { postgresAnswers, TEST_DATABASE_URL } from './test/support/postgres-url.ts';

// Tests named *.db.test.ts touch the database and run once per database kind (PGlite, then real
// PostgreSQL when one answers); the rest run once. Every pass first brings dist/ up to date, which
// the tests that spawn the `roster` command run.
const BUILD = 'test/support/global-setup-build.ts';
/**
 * CLI tests whose subject is the command layer (its options, output and errors), which works alike
 * on both databases: they run on PostgreSQL only. Each command they spawn opens the embedded
 * database anew (seconds on a busy machine, dozens of times a file), which made them most of a
 * PGlite pass. What is the embedded database's own in the CLI (its lock, commands handed to the
 * running server's control endpoint, a restart) stays tested on PGlite by the other CLI tests,
 * whose PGlite pass runs their commands through a running server, and by the package check.
 */
const CLI_ON_POSTGRES_ONLY = ['test/cli/sso-cli.db.test.ts', 'test/cli/secret-rotation-cli.db.test.ts', 'test/cli/request-log-cli.db.test.ts'];
export default defineConfig(async () => {
  const projects: TestProjectConfiguration[] = [
    {
      extends: true,
      test: {
        name: 'unit',
        include: ['test/**/*.test.ts'],
        exclude: ['test/**/*.db.test.ts', 'node_modules/**'],
        globalSetup: [BUILD],
      },
    },
    {
      extends: true,
      test: {
        name: 'pglite',
        include: ['test/**/*.db.test.ts'],
        exclude: [...CLI_ON_POSTGRES_ONLY, 'node_modules/**'],
        env: { ROSTER_TEST_DB: 'pglite' },
        globalSetup: [BUILD, 'test/support/global-setup-pglite.ts'],
      },
    },
  ];
  if (await postgresAnswers()) {
    projects.push({
      extends: true,
      test: {
        name: 'postgres',
        include: ['test/**/*.db.test.ts'],
        env: { ROSTER_TEST_DB: 'postgres' },
        globalSetup: [BUILD, 'test/support/global-setup-postgres.ts'],
      },
    });
  } else {
    const line = `!!! PostgreSQL does not answer at ${TEST_DATABASE_URL}: the PostgreSQL pass is SKIPPED; only PGlite was tested !!!`;
    console.warn(`\n${'!'.repeat(line.length)}\n${line}\n${'!'.repeat(line.length)}\n`);
  }
  return {
    test: {
      projects,
      // Test files spend much of their time waiting on PostgreSQL and on the processes they spawn,
      // so one worker per core (vitest's default is one fewer) leaves cores idle; at least three.
      maxWorkers: Math.max(3, os.availableParallelism()),
      testTimeout: 30_000,
      hookTimeout: 60_000,
    },
  };
});
