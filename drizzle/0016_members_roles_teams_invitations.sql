CREATE TABLE "app_permissions" (
	"key" text PRIMARY KEY NOT NULL,
	"description" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "app_permissions_key_check" CHECK ("app_permissions"."key" ~ '^[a-z][a-z0-9_-]*([.:][a-z0-9_-]+)*$')
);
--> statement-breakpoint
CREATE TABLE "roles" (
	"id" uuid PRIMARY KEY NOT NULL,
	"organization_id" uuid NOT NULL,
	"key" text NOT NULL,
	"name" text NOT NULL,
	"description" text,
	"permissions" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"builtin" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "roles_organization_key_key" UNIQUE("organization_id","key")
);
--> statement-breakpoint
CREATE TABLE "teams" (
	"id" uuid PRIMARY KEY NOT NULL,
	"organization_id" uuid NOT NULL,
	"name" text NOT NULL,
	"name_key" text NOT NULL,
	"description" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "teams_organization_id_id_key" UNIQUE("organization_id","id"),
	CONSTRAINT "teams_organization_name_key" UNIQUE("organization_id","name_key")
);
--> statement-breakpoint
CREATE TABLE "member_events" (
	"id" uuid PRIMARY KEY NOT NULL,
	"organization_id" uuid NOT NULL,
	"type" text NOT NULL,
	"member_id" uuid NOT NULL,
	"data" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"actor_type" text NOT NULL,
	"actor_id" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "team_members" (
	"organization_id" uuid NOT NULL,
	"team_id" uuid NOT NULL,
	"member_id" uuid NOT NULL,
	"role" text DEFAULT 'member' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "team_members_pkey" PRIMARY KEY("team_id","member_id"),
	CONSTRAINT "team_members_role_check" CHECK ("team_members"."role" in ('member', 'admin'))
);
--> statement-breakpoint
CREATE TABLE "email_codes" (
	"id" uuid PRIMARY KEY NOT NULL,
	"organization_id" uuid NOT NULL,
	"member_id" uuid NOT NULL,
	"purpose" text NOT NULL,
	"code_hash" text NOT NULL,
	"browser_hash" text NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"consumed_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "email_codes_purpose_check" CHECK ("email_codes"."purpose" in ('invitation', 'sign_in'))
);
--> statement-breakpoint
CREATE TABLE "invitations" (
	"id" uuid PRIMARY KEY NOT NULL,
	"organization_id" uuid NOT NULL,
	"member_id" uuid NOT NULL,
	"token_hash" text NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"invited_by_type" text NOT NULL,
	"invited_by_id" text NOT NULL,
	"sent_count" integer DEFAULT 1 NOT NULL,
	"last_sent_at" timestamp with time zone DEFAULT now() NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "invitations_member_key" UNIQUE("member_id"),
	CONSTRAINT "invitations_token_hash_key" UNIQUE("token_hash")
);
--> statement-breakpoint
CREATE TABLE "mail_outbox" (
	"id" uuid PRIMARY KEY NOT NULL,
	"organization_id" uuid,
	"kind" text NOT NULL,
	"to_address" text NOT NULL,
	"subject" text NOT NULL,
	"body_sealed" text NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"next_attempt_at" timestamp with time zone DEFAULT now() NOT NULL,
	"sent_at" timestamp with time zone,
	"sent_via" text,
	"last_error" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "members" DROP CONSTRAINT "members_status_check";--> statement-breakpoint
ALTER TABLE "organizations" ADD COLUMN "seat_limit" integer;--> statement-breakpoint
ALTER TABLE "organizations" ADD COLUMN "invitation_ttl_hours" integer DEFAULT 168 NOT NULL;--> statement-breakpoint
ALTER TABLE "audit_log" ADD COLUMN "before" jsonb;--> statement-breakpoint
ALTER TABLE "audit_log" ADD COLUMN "after" jsonb;--> statement-breakpoint
ALTER TABLE "members" ADD COLUMN "avatar_url" text;--> statement-breakpoint
ALTER TABLE "members" ADD COLUMN "directory_user_id" uuid;--> statement-breakpoint
ALTER TABLE "members" ADD COLUMN "last_seen_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "roles" ADD CONSTRAINT "roles_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "teams" ADD CONSTRAINT "teams_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "member_events" ADD CONSTRAINT "member_events_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "team_members" ADD CONSTRAINT "team_members_team_fkey" FOREIGN KEY ("organization_id","team_id") REFERENCES "public"."teams"("organization_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "team_members" ADD CONSTRAINT "team_members_member_fkey" FOREIGN KEY ("organization_id","member_id") REFERENCES "public"."members"("organization_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "email_codes" ADD CONSTRAINT "email_codes_member_fkey" FOREIGN KEY ("organization_id","member_id") REFERENCES "public"."members"("organization_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "invitations" ADD CONSTRAINT "invitations_member_fkey" FOREIGN KEY ("organization_id","member_id") REFERENCES "public"."members"("organization_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "mail_outbox" ADD CONSTRAINT "mail_outbox_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "member_events_organization_idx" ON "member_events" USING btree ("organization_id","id");--> statement-breakpoint
CREATE INDEX "team_members_member_idx" ON "team_members" USING btree ("member_id");--> statement-breakpoint
CREATE INDEX "email_codes_member_created_idx" ON "email_codes" USING btree ("member_id","created_at");--> statement-breakpoint
CREATE INDEX "email_codes_expires_idx" ON "email_codes" USING btree ("expires_at");--> statement-breakpoint
CREATE INDEX "invitations_organization_expires_idx" ON "invitations" USING btree ("organization_id","expires_at");--> statement-breakpoint
CREATE INDEX "mail_outbox_pending_idx" ON "mail_outbox" USING btree ("next_attempt_at") WHERE "mail_outbox"."sent_at" is null;--> statement-breakpoint
CREATE INDEX "mail_outbox_organization_created_idx" ON "mail_outbox" USING btree ("organization_id","created_at");--> statement-breakpoint
-- Every organization has the four built-in roles, whichever way it was made: a trigger makes them
-- with the organization, and the organizations that exist already get them here.
CREATE FUNCTION roster_builtin_roles() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "roles" ("id", "organization_id", "key", "name", "description", "builtin")
  SELECT gen_random_uuid(), NEW."id", b.key, b.name, b.description, true
  FROM (VALUES
    ('owner', 'Owner', 'Everything, including billing, seats and ownership transfer'),
    ('admin', 'Admin', 'Everything but billing and seats'),
    ('member', 'Member', 'Works in the app and edits their own profile'),
    ('viewer', 'Viewer', 'Read-only')
  ) AS b(key, name, description);
  RETURN NEW;
END;
$$;--> statement-breakpoint
CREATE TRIGGER "organizations_builtin_roles" AFTER INSERT ON "organizations" FOR EACH ROW EXECUTE FUNCTION roster_builtin_roles();--> statement-breakpoint
INSERT INTO "roles" ("id", "organization_id", "key", "name", "description", "builtin")
SELECT gen_random_uuid(), o."id", b.key, b.name, b.description, true
FROM "organizations" o
CROSS JOIN (VALUES
  ('owner', 'Owner', 'Everything, including billing, seats and ownership transfer'),
  ('admin', 'Admin', 'Everything but billing and seats'),
  ('member', 'Member', 'Works in the app and edits their own profile'),
  ('viewer', 'Viewer', 'Read-only')
) AS b(key, name, description);--> statement-breakpoint
ALTER TABLE "members" ADD CONSTRAINT "members_role_fkey" FOREIGN KEY ("organization_id","role") REFERENCES "public"."roles"("organization_id","key") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "audit_log_organization_target_idx" ON "audit_log" USING btree ("organization_id","target_id","created_at");--> statement-breakpoint
CREATE INDEX "audit_log_organization_actor_idx" ON "audit_log" USING btree ("organization_id","actor_id","created_at");--> statement-breakpoint
CREATE INDEX "audit_log_organization_action_idx" ON "audit_log" USING btree ("organization_id","action","created_at");--> statement-breakpoint
CREATE INDEX "members_organization_email_pattern_idx" ON "members" USING btree ("organization_id","email_key" text_pattern_ops);--> statement-breakpoint
CREATE INDEX "members_organization_name_pattern_idx" ON "members" USING btree ("organization_id",lower(coalesce("display_name", coalesce("given_name", '') || ' ' || coalesce("family_name", ''))) text_pattern_ops);--> statement-breakpoint
CREATE INDEX "members_organization_family_name_pattern_idx" ON "members" USING btree ("organization_id",lower("family_name") text_pattern_ops);--> statement-breakpoint
CREATE INDEX "members_organization_status_idx" ON "members" USING btree ("organization_id","status");--> statement-breakpoint
CREATE INDEX "members_organization_created_idx" ON "members" USING btree ("organization_id","created_at","id");--> statement-breakpoint
CREATE INDEX "members_directory_user_idx" ON "members" USING btree ("directory_user_id");--> statement-breakpoint
ALTER TABLE "organizations" ADD CONSTRAINT "organizations_seat_limit_check" CHECK ("organizations"."seat_limit" is null or "organizations"."seat_limit" >= 0);--> statement-breakpoint
ALTER TABLE "organizations" ADD CONSTRAINT "organizations_invitation_ttl_check" CHECK ("organizations"."invitation_ttl_hours" between 1 and 8760);--> statement-breakpoint
ALTER TABLE "members" ADD CONSTRAINT "members_source_check" CHECK ("members"."source" in ('invitation', 'jit', 'scim', 'admin'));--> statement-breakpoint
ALTER TABLE "members" ADD CONSTRAINT "members_status_check" CHECK ("members"."status" in ('invited', 'active', 'deactivated'));