-- directory_resource_counts follows every insert and delete of users and groups, whoever makes
-- it (SCIM, a bulk load, a cascade). Statement-level triggers with transition tables add one row
-- per directory and statement, so loading a million users costs one upsert, not a million.
CREATE FUNCTION roster_count_directory_resources() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO directory_resource_counts AS c (directory_id, resource_type, shard, count)
    SELECT directory_id, TG_ARGV[0], floor(random() * 16)::int, count(*) FROM changed_rows GROUP BY directory_id
    ON CONFLICT (directory_id, resource_type, shard) DO UPDATE SET count = c.count + excluded.count;
  ELSE
    INSERT INTO directory_resource_counts AS c (directory_id, resource_type, shard, count)
    SELECT directory_id, TG_ARGV[0], floor(random() * 16)::int, -count(*) FROM changed_rows GROUP BY directory_id
    ON CONFLICT (directory_id, resource_type, shard) DO UPDATE SET count = c.count + excluded.count;
  END IF;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER directory_users_counted_insert AFTER INSERT ON directory_users
  REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION roster_count_directory_resources('User');
--> statement-breakpoint
CREATE TRIGGER directory_users_counted_delete AFTER DELETE ON directory_users
  REFERENCING OLD TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION roster_count_directory_resources('User');
--> statement-breakpoint
CREATE TRIGGER directory_groups_counted_insert AFTER INSERT ON directory_groups
  REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION roster_count_directory_resources('Group');
--> statement-breakpoint
CREATE TRIGGER directory_groups_counted_delete AFTER DELETE ON directory_groups
  REFERENCING OLD TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION roster_count_directory_resources('Group');
--> statement-breakpoint
INSERT INTO directory_resource_counts (directory_id, resource_type, shard, count)
SELECT directory_id, 'User', 0, count(*) FROM directory_users GROUP BY directory_id;
--> statement-breakpoint
INSERT INTO directory_resource_counts (directory_id, resource_type, shard, count)
SELECT directory_id, 'Group', 0, count(*) FROM directory_groups GROUP BY directory_id;
