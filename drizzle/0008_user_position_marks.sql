CREATE TABLE "directory_user_marks" (
	"directory_id" uuid NOT NULL,
	"position" bigint NOT NULL,
	"user_id" uuid NOT NULL,
	CONSTRAINT "directory_user_marks_pkey" PRIMARY KEY("directory_id","position")
);
--> statement-breakpoint
ALTER TABLE "directory_user_marks" ADD CONSTRAINT "directory_user_marks_directory_id_directories_id_fk" FOREIGN KEY ("directory_id") REFERENCES "public"."directories"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "directory_user_marks_user_idx" ON "directory_user_marks" USING btree ("directory_id","user_id");