export { migrate, migrationStatus, openPostgres, rowsOf, schema } from '../../src/db/index.ts';
export { newId as newIdForTest } from '../../src/ids.ts';
