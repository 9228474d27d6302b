CREATE TABLE "scim_request_log" (
	"id" uuid PRIMARY KEY NOT NULL,
	"organization_id" uuid NOT NULL,
	"directory_id" uuid NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"method" text NOT NULL,
	"path" text NOT NULL,
	"filter" text,
	"status" integer NOT NULL,
	"scim_type" text,
	"duration_ms" integer NOT NULL,
	"resource_type" text,
	"resource_id" text,
	"request_body" jsonb,
	"user_agent" text,
	"request_id" text NOT NULL
);
--> statement-breakpoint
ALTER TABLE "scim_request_log" ADD CONSTRAINT "scim_request_log_directory_fkey" FOREIGN KEY ("organization_id","directory_id") REFERENCES "public"."directories"("organization_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "scim_request_log_directory_idx" ON "scim_request_log" USING btree ("directory_id","created_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "scim_request_log_directory_failed_idx" ON "scim_request_log" USING btree ("directory_id","created_at" DESC NULLS LAST,"id" DESC NULLS LAST) WHERE "scim_request_log"."status" >= 400;--> statement-breakpoint
CREATE INDEX "scim_request_log_created_idx" ON "scim_request_log" USING btree ("created_at");