import { sql, type SQL } from 'drizzle-orm';

/**
 * A uuid[] parameter passed as one text value. The ids must already be validated uuids; one
 * parameter scales to any count, where a parameter per id would hit the protocol's 65,535 limit.
 */
export function uuidArray(ids: readonly string[]): SQL {
  return sql`string_to_array(${ids.join(',')}, ',')::uuid[]`;
}
