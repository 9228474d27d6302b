CREATE TABLE "directory_resource_count_deltas" (
	"directory_id" uuid NOT NULL,
	"resource_type" text NOT NULL,
	"delta" integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX "directory_resource_count_deltas_idx" ON "directory_resource_count_deltas" USING btree ("directory_id","resource_type");
--> statement-breakpoint
-- The table stays small (the server folds it every few seconds) but churns: vacuum and analyze it
-- after a fixed number of changes, not a fraction of its size, so a count's plan sees it as small.
ALTER TABLE "directory_resource_count_deltas" SET (
  autovacuum_vacuum_threshold = 1000, autovacuum_vacuum_scale_factor = 0,
  autovacuum_analyze_threshold = 1000, autovacuum_analyze_scale_factor = 0
);--> statement-breakpoint
-- Counting by appending instead of updating. The triggers of 0006 added each statement's change to
-- one of 16 count rows: an update of a row that every create of the directory updates, which made
-- the count about a fifth of a user's insert (a new row version, and a lock held until commit that
-- concurrent creates could wait on). A delta row is an append that no other writer touches;
-- src/directory/resource-counts.ts folds the deltas into directory_resource_counts, and a count is
-- the sum of both, read in one snapshot.
CREATE OR REPLACE FUNCTION roster_count_directory_resources() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO directory_resource_count_deltas (directory_id, resource_type, delta)
  SELECT directory_id, TG_ARGV[0], (CASE WHEN TG_OP = 'INSERT' THEN count(*) ELSE -count(*) END)::int
  FROM changed_rows GROUP BY directory_id;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
-- Users had two statement-level triggers per event (the count, and the position marks of 0009);
-- one function now does both, so a user's insert runs one trigger and captures its rows once.
-- What it does with the marks, and why under that lock, is unchanged: see 0009.
CREATE FUNCTION roster_directory_users_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  changed_directory uuid;
  changed integer;
  first_changed uuid;
BEGIN
  FOR changed_directory, changed IN SELECT directory_id, count(*)::int FROM changed_rows GROUP BY directory_id LOOP
    INSERT INTO directory_resource_count_deltas (directory_id, resource_type, delta)
    VALUES (changed_directory, 'User', CASE WHEN TG_OP = 'INSERT' THEN changed ELSE -changed END);
    -- ORDER BY ... LIMIT 1 because PostgreSQL 15 has no min(uuid).
    SELECT id INTO first_changed FROM changed_rows WHERE directory_id = changed_directory ORDER BY id LIMIT 1;
    PERFORM pg_advisory_xact_lock_shared(hashtextextended('roster.user_marks:' || changed_directory::text, 0));
    DELETE FROM directory_user_marks WHERE directory_id = changed_directory AND user_id >= first_changed;
  END LOOP;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
DROP TRIGGER directory_users_counted_insert ON directory_users;
--> statement-breakpoint
DROP TRIGGER directory_users_counted_delete ON directory_users;
--> statement-breakpoint
DROP TRIGGER directory_users_shift_marks_insert ON directory_users;
--> statement-breakpoint
DROP TRIGGER directory_users_shift_marks_delete ON directory_users;
--> statement-breakpoint
DROP FUNCTION roster_shift_user_marks();
--> statement-breakpoint
CREATE TRIGGER directory_users_changed_insert AFTER INSERT ON directory_users
  REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION roster_directory_users_changed();
--> statement-breakpoint
CREATE TRIGGER directory_users_changed_delete AFTER DELETE ON directory_users
  REFERENCING OLD TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION roster_directory_users_changed();
