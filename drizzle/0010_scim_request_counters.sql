-- Per-token request counting without a row write per request (src/directory/rate-limits.ts).
-- Each token gets its own sequence, and a request takes the next number from it: nextval changes
-- the sequence in place, outside any transaction, with no row version, no row lock and (the
-- sequence being UNLOGGED) no WAL. A token's row in scim_rate_limits then changes once per
-- window, when the window opens: it records the window's start and `base`, the number taken just
-- before the window's first request, so a request's count in its window is its number minus base.
-- Counting with an upsert of one row per token made every request of a token queue on that row's
-- lock and write a new row version; this made the admission statement a plain read.
--
-- Both the sequences and scim_rate_limits are UNLOGGED: crash recovery resets the sequences and
-- empties the table together, which only hands every token a fresh window.
--
-- Not in the drizzle schema (drizzle-kit declares neither regclass columns nor these triggers):
-- the column is set by the trigger on insert, so no code path that creates a token can forget it.
ALTER TABLE "scim_tokens" ADD COLUMN "request_counter" regclass;
--> statement-breakpoint
CREATE FUNCTION roster_create_request_counter(token_id uuid) RETURNS regclass
LANGUAGE plpgsql AS $$
DECLARE
  counter text := format('%I', 'scim_token_requests_' || replace(token_id::text, '-', ''));
BEGIN
  EXECUTE 'CREATE UNLOGGED SEQUENCE IF NOT EXISTS ' || counter;
  RETURN counter::regclass;
END;
$$;
--> statement-breakpoint
CREATE FUNCTION roster_scim_token_counter_created() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  NEW.request_counter := roster_create_request_counter(NEW.id);
  RETURN NEW;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER scim_tokens_request_counter_created BEFORE INSERT ON "scim_tokens"
FOR EACH ROW EXECUTE FUNCTION roster_scim_token_counter_created();
--> statement-breakpoint
-- A token is deleted with its directory or organization (revoking keeps the row, and the counter).
CREATE FUNCTION roster_scim_token_counter_deleted() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE 'DROP SEQUENCE IF EXISTS ' || OLD.request_counter::text;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER scim_tokens_request_counter_deleted AFTER DELETE ON "scim_tokens"
FOR EACH ROW EXECUTE FUNCTION roster_scim_token_counter_deleted();
--> statement-breakpoint
UPDATE "scim_tokens" SET "request_counter" = roster_create_request_counter("id");
--> statement-breakpoint
ALTER TABLE "scim_tokens" ALTER COLUMN "request_counter" SET NOT NULL;
--> statement-breakpoint
-- The counts of the old layout are disposable like the new ones: every token starts a fresh window.
DROP TABLE "scim_rate_limits";
--> statement-breakpoint
-- fillfactor 50 leaves room on each page so that the once-a-window updates stay HOT.
CREATE UNLOGGED TABLE "scim_rate_limits" (
	"token_id" uuid PRIMARY KEY NOT NULL,
	"window_start" timestamp with time zone NOT NULL,
	"base" bigint NOT NULL
) WITH (fillfactor = 50);
--> statement-breakpoint
ALTER TABLE "scim_rate_limits" ADD CONSTRAINT "scim_rate_limits_token_fkey" FOREIGN KEY ("token_id") REFERENCES "public"."scim_tokens"("id") ON DELETE cascade ON UPDATE no action;
