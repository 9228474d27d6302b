/**
 * Runs once for the PGlite pass: migrates one on-disk database and closes it. Each test file copies
 * that directory (milliseconds) instead of running initdb and the migrations again (seconds).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { migrate, openPglite } from '../../src/db/index.ts';

export default async function setup(project: TestProject) {
  const root = await mkdtemp(path.join(os.tmpdir(), 'roster-test-pglite-'));
  const template = path.join(root, 'template');
  const handle = await openPglite({ dataDir: template });
  await migrate(handle);
  await handle.close();
  project.provide('pgliteTemplateDir', template);
  return async () => {
    await rm(root, { recursive: true, force: true });
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    pgliteTemplateDir: string;
    postgresTemplate: { url: string; database: string; runId: string };
  }
}
