-- Roster holds no passwords: people sign in through their identity provider. What Okta's password
-- sync pushed was kept as an scrypt hash; the column goes, and every hash in it with it.
ALTER TABLE "directory_users" DROP COLUMN "password_hash";--> statement-breakpoint
-- The count rows were once spread over 16 shards; every shard of a directory's type is summed into
-- one row before the shard column and the key that included it go.
WITH merged AS (
  DELETE FROM "directory_resource_counts" RETURNING "directory_id", "resource_type", "count"
)
INSERT INTO "directory_resource_counts" ("directory_id", "resource_type", "shard", "count")
SELECT "directory_id", "resource_type", 0, sum("count")::int FROM merged GROUP BY "directory_id", "resource_type";--> statement-breakpoint
ALTER TABLE "directory_resource_counts" DROP CONSTRAINT "directory_resource_counts_pkey";--> statement-breakpoint
ALTER TABLE "directory_resource_counts" DROP COLUMN "shard";--> statement-breakpoint
ALTER TABLE "directory_resource_counts" ADD CONSTRAINT "directory_resource_counts_pkey" PRIMARY KEY("directory_id","resource_type");
