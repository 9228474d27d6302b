-- Per-token SCIM request counters (src/directory/rate-limits.ts), one row per token, overwritten
-- when its window changes. UNLOGGED because the counters are disposable: crash recovery empties
-- the table, which only hands every token a fresh window, and a transaction that writes nothing
-- but unlogged rows commits without waiting for a WAL flush, so counting a request costs no disk
-- sync. Not in the drizzle schema: drizzle-kit cannot declare UNLOGGED tables.
-- fillfactor 50 leaves room on each page so that the constant updates stay HOT (no index writes).
CREATE UNLOGGED TABLE "scim_rate_limits" (
	"token_id" uuid PRIMARY KEY NOT NULL,
	"window_start" timestamp with time zone NOT NULL,
	"requests" integer NOT NULL
) WITH (fillfactor = 50);
--> statement-breakpoint
-- The foreign key is checked only when a token's row is first inserted (later upserts leave
-- token_id alone) and removes the row with its token.
ALTER TABLE "scim_rate_limits" ADD CONSTRAINT "scim_rate_limits_token_fkey" FOREIGN KEY ("token_id") REFERENCES "public"."scim_tokens"("id") ON DELETE cascade ON UPDATE no action;
