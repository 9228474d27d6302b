/**
 * Fills a directory with users, groups, memberships and the rows that follow them (change feed,
 * request log, counts, position marks, rate-limit windows) in a few set-based statements, so a
 * test can load thousands of users without thousands of SCIM requests.
 */
import { sql } from 'drizzle-orm';
import { rowsOf, type Database } from '../../src/db/index.ts';
import { foldResourceCounts } from '../../src/directory/index.ts';

export interface SeedShape {
  users: number;
  groups: number;
  /** Every user joins this many groups (round robin). */
  groupsPerUser: number;
}

export async function seedDirectory(db: Database, organizationId: string, directoryId: string, shape: SeedShape): Promise<void> {
  const { users, groups, groupsPerUser } = shape;
  await db.execute(sql`insert into directory_users (id, organization_id, directory_id, user_name, user_name_key, document)
    select gen_random_uuid(), ${organizationId}, ${directoryId}, 'user' || n || '@example.com', 'user' || n || '@example.com',
      jsonb_build_object('userName', 'user' || n || '@example.com', 'active', true)
    from generate_series(1, ${users}::int) n`);
  await db.execute(sql`insert into directory_groups (id, organization_id, directory_id, display_name, document)
    select gen_random_uuid(), ${organizationId}, ${directoryId}, 'group ' || n, jsonb_build_object('displayName', 'group ' || n)
    from generate_series(1, ${groups}::int) n`);
  if (groups > 0 && groupsPerUser > 0) {
    await db.execute(sql`insert into directory_group_members (directory_id, group_id, user_id)
      select ${directoryId}, g.id, u.id
      from (select id, row_number() over (order by id) - 1 as i from directory_users where directory_id = ${directoryId}) u
      cross join generate_series(0, ${groupsPerUser}::int - 1) k
      join (select id, row_number() over (order by id) - 1 as j from directory_groups where directory_id = ${directoryId}) g
        on g.j = (u.i + k) % ${groups}::int
      on conflict do nothing`);
  }
  if (groups > 1) {
    await db.execute(sql`insert into directory_group_subgroups (directory_id, group_id, member_group_id)
      select ${directoryId}, a.id, b.id
      from (select id from directory_groups where directory_id = ${directoryId} order by id limit 1) a,
        (select id from directory_groups where directory_id = ${directoryId} order by id offset 1 limit 1) b`);
  }
  await db.execute(sql`insert into directory_events (id, organization_id, directory_id, type, resource_type, resource_id)
    select gen_random_uuid(), ${organizationId}, ${directoryId}, 'user.created', 'User', id
    from directory_users where directory_id = ${directoryId} order by id limit 100`);
  await db.execute(sql`insert into scim_request_log (id, organization_id, directory_id, method, path, status, duration_ms, request_id)
    select gen_random_uuid(), ${organizationId}, ${directoryId}, 'GET', '/Users', 200, 1, 'seed-' || n
    from generate_series(1, 10) n`);
  await db.execute(sql`insert into directory_user_marks (directory_id, position, user_id)
    select ${directoryId}, p.position, p.id
    from (select id, row_number() over (order by id) as position from directory_users where directory_id = ${directoryId}) p
    where p.position % 100 = 1`);
  await db.execute(sql`insert into scim_rate_limits (token_id, window_start, base)
    select id, now(), 0 from scim_tokens where directory_id = ${directoryId}
    on conflict do nothing`);
  // The counts folded once, then one more delta left pending, as a live directory has them.
  await foldResourceCounts(db, { directoryId, resourceType: 'User' });
  await foldResourceCounts(db, { directoryId, resourceType: 'Group' });
  await db.execute(sql`insert into directory_resource_count_deltas (directory_id, resource_type, delta) values (${directoryId}, 'User', 0)`);
}

/**
 * How many rows refer to the directory in every table that has a directory_id column (found in the
 * catalog, so a table added later is covered too), plus the directory itself and, for the given
 * token ids (read before a deletion), their rate-limit rows and request-counter sequences.
 */
export async function rowsOfDirectory(db: Database, directoryId: string, tokenIds: readonly string[]): Promise<Record<string, number>> {
  const tables = rowsOf<{ table_name: string }>(
    await db.execute(sql`select c.table_name from information_schema.columns c
      join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name
      where c.table_schema = 'public' and c.column_name = 'directory_id' and t.table_type = 'BASE TABLE'
      order by c.table_name`),
  ).map((r) => r.table_name);
  const counts: Record<string, number> = {};
  for (const table of tables) {
    const [row] = rowsOf<{ n: number }>(
      await db.execute(sql`select count(*)::int as n from ${sql.identifier(table)} where directory_id = ${directoryId}`),
    );
    counts[table] = Number(row?.n ?? 0);
  }
  const ids = `{${tokenIds.join(',')}}`;
  const counterNames = `{${tokenIds.map((id) => `scim_token_requests_${id.replaceAll('-', '')}`).join(',')}}`;
  const [extra] = rowsOf<{ directories: number; rate_limits: number; counters: number }>(
    await db.execute(sql`select
      (select count(*)::int from directories where id = ${directoryId}) as directories,
      (select count(*)::int from scim_rate_limits where token_id = any(${ids}::uuid[])) as rate_limits,
      (select count(*)::int from pg_class where relkind = 'S' and relname = any(${counterNames}::text[])) as counters`),
  );
  return { ...counts, directories: Number(extra?.directories), rate_limits: Number(extra?.rate_limits), counters: Number(extra?.counters) };
}
