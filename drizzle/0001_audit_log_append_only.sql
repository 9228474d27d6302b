-- The audit log is append-only: a row, once written, is never rewritten. Deletes stay possible so
-- that a retention policy can prune old rows.
CREATE FUNCTION roster_audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only: rows cannot be updated' USING ERRCODE = 'insufficient_privilege';
END;
$$;
--> statement-breakpoint
CREATE TRIGGER audit_log_append_only BEFORE UPDATE ON "audit_log"
  FOR EACH ROW EXECUTE FUNCTION roster_audit_log_append_only();
