-- userName uniqueness and lookups compare a key the application derives (NFC, then lower case:
-- src/directory/user-names.ts), so that composed and decomposed forms of a name are one name.
-- Existing rows get the same derivation in SQL. Where PostgreSQL's lower() and the application's
-- differ (a final sigma, a dotted capital I), an existing user's key is re-derived on its next
-- write. Two existing users whose names only now collide keep distinct keys (the later one's id is
-- appended after U+0001, a character no accepted userName holds), so the unique index can be built.
ALTER TABLE "directory_users" ADD COLUMN "user_name_key" text;--> statement-breakpoint
UPDATE "directory_users" u SET "user_name_key" = k.key || CASE WHEN k.n > 1 THEN E'\u0001' || u.id::text ELSE '' END
FROM (
  SELECT id, lower(normalize("user_name", NFC)) AS key,
    row_number() OVER (PARTITION BY "directory_id", lower(normalize("user_name", NFC)) ORDER BY "created_at", id) AS n
  FROM "directory_users"
) k
WHERE k.id = u.id;--> statement-breakpoint
ALTER TABLE "directory_users" ALTER COLUMN "user_name_key" SET NOT NULL;--> statement-breakpoint
DROP INDEX "directory_users_user_name_key";--> statement-breakpoint
CREATE UNIQUE INDEX "directory_users_user_name_key" ON "directory_users" USING btree ("directory_id","user_name_key");
