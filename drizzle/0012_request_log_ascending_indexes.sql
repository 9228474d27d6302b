-- The request log's and the audit log's time indexes become ascending, read backwards for the
-- newest first. The descending ones matched only `desc nulls last`, not the plain `desc` the listing
-- sorts by, so a listing read a directory's whole log and sorted it; and each new entry, the newest,
-- went to the index's left edge, where a full page splits in half, leaving it twice as large.
-- Rebuilding takes a write lock on each log for as long as its index takes to build.
DROP INDEX "audit_log_organization_created_idx";--> statement-breakpoint
DROP INDEX "scim_request_log_directory_idx";--> statement-breakpoint
DROP INDEX "scim_request_log_directory_failed_idx";--> statement-breakpoint
CREATE INDEX "audit_log_organization_created_idx" ON "audit_log" USING btree ("organization_id","created_at","id");--> statement-breakpoint
CREATE INDEX "scim_request_log_directory_idx" ON "scim_request_log" USING btree ("directory_id","created_at","id");--> statement-breakpoint
CREATE INDEX "scim_request_log_directory_failed_idx" ON "scim_request_log" USING btree ("directory_id","created_at","id") WHERE "scim_request_log"."status" >= 400;