CREATE TABLE "directory_events" (
	"id" uuid PRIMARY KEY NOT NULL,
	"organization_id" uuid NOT NULL,
	"directory_id" uuid NOT NULL,
	"type" text NOT NULL,
	"resource_type" text NOT NULL,
	"resource_id" uuid NOT NULL,
	"data" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "directory_group_members" (
	"directory_id" uuid NOT NULL,
	"group_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "directory_group_members_pkey" PRIMARY KEY("directory_id","group_id","user_id")
);
--> statement-breakpoint
CREATE TABLE "directory_group_subgroups" (
	"directory_id" uuid NOT NULL,
	"group_id" uuid NOT NULL,
	"member_group_id" uuid NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "directory_group_subgroups_pkey" PRIMARY KEY("directory_id","group_id","member_group_id"),
	CONSTRAINT "directory_group_subgroups_not_self" CHECK ("directory_group_subgroups"."group_id" <> "directory_group_subgroups"."member_group_id")
);
--> statement-breakpoint
CREATE TABLE "directory_groups" (
	"id" uuid PRIMARY KEY NOT NULL,
	"organization_id" uuid NOT NULL,
	"directory_id" uuid NOT NULL,
	"display_name" text NOT NULL,
	"external_id" text,
	"document" jsonb NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "directory_groups_directory_id_id_key" UNIQUE("directory_id","id")
);
--> statement-breakpoint
CREATE TABLE "directory_users" (
	"id" uuid PRIMARY KEY NOT NULL,
	"organization_id" uuid NOT NULL,
	"directory_id" uuid NOT NULL,
	"user_name" text NOT NULL,
	"external_id" text,
	"active" boolean DEFAULT true NOT NULL,
	"display_name" text,
	"email_values" text[] DEFAULT '{}'::text[] NOT NULL,
	"document" jsonb NOT NULL,
	"password_hash" text,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "directory_users_directory_id_id_key" UNIQUE("directory_id","id")
);
--> statement-breakpoint
ALTER TABLE "directory_events" ADD CONSTRAINT "directory_events_directory_fkey" FOREIGN KEY ("organization_id","directory_id") REFERENCES "public"."directories"("organization_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "directory_group_members" ADD CONSTRAINT "directory_group_members_group_fkey" FOREIGN KEY ("directory_id","group_id") REFERENCES "public"."directory_groups"("directory_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "directory_group_members" ADD CONSTRAINT "directory_group_members_user_fkey" FOREIGN KEY ("directory_id","user_id") REFERENCES "public"."directory_users"("directory_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "directory_group_subgroups" ADD CONSTRAINT "directory_group_subgroups_group_fkey" FOREIGN KEY ("directory_id","group_id") REFERENCES "public"."directory_groups"("directory_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "directory_group_subgroups" ADD CONSTRAINT "directory_group_subgroups_member_fkey" FOREIGN KEY ("directory_id","member_group_id") REFERENCES "public"."directory_groups"("directory_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "directory_groups" ADD CONSTRAINT "directory_groups_directory_fkey" FOREIGN KEY ("organization_id","directory_id") REFERENCES "public"."directories"("organization_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "directory_users" ADD CONSTRAINT "directory_users_directory_fkey" FOREIGN KEY ("organization_id","directory_id") REFERENCES "public"."directories"("organization_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "directory_events_directory_idx" ON "directory_events" USING btree ("directory_id","id");--> statement-breakpoint
CREATE INDEX "directory_group_members_user_idx" ON "directory_group_members" USING btree ("directory_id","user_id");--> statement-breakpoint
CREATE INDEX "directory_group_subgroups_member_idx" ON "directory_group_subgroups" USING btree ("directory_id","member_group_id");--> statement-breakpoint
CREATE INDEX "directory_groups_display_name_idx" ON "directory_groups" USING btree ("directory_id",lower("display_name"));--> statement-breakpoint
CREATE INDEX "directory_groups_external_id_idx" ON "directory_groups" USING btree ("directory_id","external_id");--> statement-breakpoint
CREATE UNIQUE INDEX "directory_users_user_name_key" ON "directory_users" USING btree ("directory_id",lower("user_name"));--> statement-breakpoint
CREATE INDEX "directory_users_external_id_idx" ON "directory_users" USING btree ("directory_id","external_id");--> statement-breakpoint
CREATE INDEX "directory_users_email_values_idx" ON "directory_users" USING gin ("email_values");