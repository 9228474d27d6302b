/** Filters and sorts as the domain takes them (a tree of conditions), and their translation to SQL. */
export type * from './types.ts';
export { conditionToSql, sortToSql } from './sql.ts';
export { comparableDateTime } from './datetime.ts';
