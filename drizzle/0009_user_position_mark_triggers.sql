-- directory_user_marks record which user stands at which position in a directory's id order. An
-- insert or a delete shifts every position after the changed id, so in the same transaction it
-- removes the marks at or after that id; marks before it stay true. Statement-level with
-- transition tables, like the resource counts: a bulk load costs one delete per directory.
--
-- The shared advisory lock pairs with the exclusive one under which marks are extended
-- (src/directory/user-positions.ts). Extending reads the users visible when it starts; a user
-- inserted or deleted by a transaction that has not committed yet is not among them. Such a
-- transaction either took its shared lock first, and then marks are not extended until it has
-- committed, or takes it after the extension committed, and then its delete below sees the new
-- marks and removes those it shifted.
CREATE FUNCTION roster_shift_user_marks() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  changed_directory uuid;
  first_changed uuid;
BEGIN
  FOR changed_directory IN SELECT DISTINCT directory_id FROM changed_rows LOOP
    -- ORDER BY ... LIMIT 1 because PostgreSQL 15 has no min(uuid); it keeps one row, not all of them.
    SELECT id INTO first_changed FROM changed_rows WHERE directory_id = changed_directory ORDER BY id LIMIT 1;
    PERFORM pg_advisory_xact_lock_shared(hashtextextended('roster.user_marks:' || changed_directory::text, 0));
    DELETE FROM directory_user_marks WHERE directory_id = changed_directory AND user_id >= first_changed;
  END LOOP;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER directory_users_shift_marks_insert AFTER INSERT ON directory_users
  REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION roster_shift_user_marks();
--> statement-breakpoint
CREATE TRIGGER directory_users_shift_marks_delete AFTER DELETE ON directory_users
  REFERENCING OLD TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION roster_shift_user_marks();
