CREATE TABLE "directory_resource_counts" (
	"directory_id" uuid NOT NULL,
	"resource_type" text NOT NULL,
	"shard" integer NOT NULL,
	"count" integer NOT NULL,
	CONSTRAINT "directory_resource_counts_pkey" PRIMARY KEY("directory_id","resource_type","shard")
);
