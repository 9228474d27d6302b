DROP INDEX "members_organization_email_pattern_idx";--> statement-breakpoint
DROP INDEX "members_organization_name_pattern_idx";--> statement-breakpoint
DROP INDEX "members_organization_family_name_pattern_idx";--> statement-breakpoint
ALTER TABLE "members" ADD COLUMN "name_key" text GENERATED ALWAYS AS (lower(coalesce(display_name, coalesce(given_name, '') || ' ' || coalesce(family_name, '')))) STORED;--> statement-breakpoint
ALTER TABLE "members" ADD COLUMN "family_key" text GENERATED ALWAYS AS (lower(family_name)) STORED;--> statement-breakpoint
CREATE INDEX "members_organization_email_pattern_idx" ON "members" USING btree ("organization_id","email_key" text_pattern_ops,"id");--> statement-breakpoint
CREATE INDEX "members_organization_name_pattern_idx" ON "members" USING btree ("organization_id","name_key" text_pattern_ops,"email_key","id");--> statement-breakpoint
CREATE INDEX "members_organization_family_name_pattern_idx" ON "members" USING btree ("organization_id","family_key" text_pattern_ops,"email_key","id");