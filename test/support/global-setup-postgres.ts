/**
 * Runs once for the PostgreSQL pass: a fresh template database per run, migrated once; each test
 * file then gets its own database cloned from it. Everything this run created is dropped at the end.
 */
import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import type { TestProject } from 'vitest/node';
import { migrate, openPostgres } from '../../src/db/index.ts';
import { TEST_DATABASE_URL, withDatabase } from './postgres-url.ts';

export default async function setup(project: TestProject) {
  const runId = `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
  const database = `roster_tpl_${runId}`;
  const admin = postgres(TEST_DATABASE_URL, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database "${database}"`);
  const handle = openPostgres({ url: withDatabase(TEST_DATABASE_URL, database), max: 1 });
  await migrate(handle);
  await handle.close();
  project.provide('postgresTemplate', { url: TEST_DATABASE_URL, database, runId });

  return async () => {
    const leftovers = await admin<{ datname: string }[]>`
      select datname from pg_database where datname like ${`roster_t_${runId}_%`} or datname = ${database}`;
    for (const { datname } of leftovers) {
      await admin.unsafe(`drop database if exists "${datname}" with (force)`);
    }
    await admin.end();
  };
}
