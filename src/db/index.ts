/** The database: schema, client for PostgreSQL or PGlite, migrations and transactions. */
export * as schema from './schema/index.ts';
export { openPglite, openPostgres, type Database, type DatabaseHandle } from './client.ts';
export { migrate, migrationStatus, MIGRATIONS_FOLDER, type MigrationStatus } from './migrate.ts';
export { firstRow, rowsOf } from './rows.ts';
export { withTransaction } from './tx.ts';
export { openDatabase, describeUnreachable, isDatabaseUnavailable } from './open.ts';
export { queryPrepared, jsonValue, epochDate } from './prepared.ts';
export { tryAcquireDataDirLock, lockFilePath, type DataDirLock, type LockAttempt, type LockInfo } from './data-dir-lock.ts';
