/**
 * What the database holds of a token's rate-limit count (src/directory/rate-limits.ts): the
 * requests counted in its stored window, or undefined before its first counted request.
 */
import { sql } from 'drizzle-orm';
import { rowsOf, type DatabaseHandle } from '../../src/db/index.ts';

export async function countedRequests(handle: DatabaseHandle, tokenId: string): Promise<number | undefined> {
  const [row] = rowsOf<{ requests: string | number }>(
    await handle.db.execute(sql`
      select pg_sequence_last_value(t.request_counter) - r.base as requests
      from scim_tokens t join scim_rate_limits r on r.token_id = t.id
      where t.id = ${tokenId}`),
  );
  return row === undefined ? undefined : Number(row.requests);
}
