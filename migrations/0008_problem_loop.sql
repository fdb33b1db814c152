CREATE TABLE "holidays" (
	"day" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"is_workday" boolean DEFAULT false NOT NULL
);
--> statement-breakpoint
CREATE TABLE "problem_carryovers" (
	"id" serial PRIMARY KEY NOT NULL,
	"problem_id" integer NOT NULL,
	"from_campaign_id" integer,
	"to_year" integer NOT NULL,
	"age_days" integer NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "problem_photos" (
	"id" serial PRIMARY KEY NOT NULL,
	"problem_id" integer NOT NULL,
	"task_id" integer,
	"kind" text NOT NULL,
	"sha256" text NOT NULL,
	"byte_size" integer NOT NULL,
	"media_type" text NOT NULL,
	"file_name" text NOT NULL,
	"region_code" text NOT NULL,
	"uploaded_by" text NOT NULL,
	"uploaded_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "problem_types" (
	"code" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"name_en" text,
	"description" text,
	"reportable" boolean DEFAULT false NOT NULL,
	"group_name" text,
	"default_severity" integer DEFAULT 1 NOT NULL,
	"attributes" jsonb DEFAULT '[]'::jsonb NOT NULL
);
--> statement-breakpoint
CREATE TABLE "re_inspections" (
	"id" serial PRIMARY KEY NOT NULL,
	"problem_id" integer NOT NULL,
	"inspector" text NOT NULL,
	"passed" boolean NOT NULL,
	"note" text,
	"at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "routing_rules" (
	"id" serial PRIMARY KEY NOT NULL,
	"problem_type" text,
	"region_code" text,
	"unit_level" text DEFAULT 'district' NOT NULL,
	"department" text,
	"deadline_days" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"updated_by" text,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "opinions" ADD COLUMN "service_code" text;--> statement-breakpoint
ALTER TABLE "opinions" ADD COLUMN "address" text;--> statement-breakpoint
ALTER TABLE "opinions" ADD COLUMN "media_url" text;--> statement-breakpoint
ALTER TABLE "problems" ADD COLUMN "title_en" text;--> statement-breakpoint
ALTER TABLE "problems" ADD COLUMN "description_en" text;--> statement-breakpoint
ALTER TABLE "problems" ADD COLUMN "responsible_unit" text;--> statement-breakpoint
ALTER TABLE "problems" ADD COLUMN "deadline" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "problems" ADD COLUMN "overdue_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "problems" ADD COLUMN "escalated_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "problems" ADD COLUMN "escalation_level" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "problems" ADD COLUMN "outcome" text;--> statement-breakpoint
ALTER TABLE "problems" ADD COLUMN "report_count" integer DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE "problems" ADD COLUMN "merged_into_id" integer;--> statement-breakpoint
ALTER TABLE "tasks" ADD COLUMN "title" text;--> statement-breakpoint
ALTER TABLE "tasks" ADD COLUMN "region_code" text;--> statement-breakpoint
ALTER TABLE "tasks" ADD COLUMN "overdue_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "tasks" ADD COLUMN "escalated_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "tasks" ADD COLUMN "rectified_by" text;--> statement-breakpoint
ALTER TABLE "problem_carryovers" ADD CONSTRAINT "problem_carryovers_problem_id_problems_id_fk" FOREIGN KEY ("problem_id") REFERENCES "public"."problems"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "problem_carryovers" ADD CONSTRAINT "problem_carryovers_from_campaign_id_campaigns_id_fk" FOREIGN KEY ("from_campaign_id") REFERENCES "public"."campaigns"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "problem_photos" ADD CONSTRAINT "problem_photos_problem_id_problems_id_fk" FOREIGN KEY ("problem_id") REFERENCES "public"."problems"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "problem_photos" ADD CONSTRAINT "problem_photos_task_id_tasks_id_fk" FOREIGN KEY ("task_id") REFERENCES "public"."tasks"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "re_inspections" ADD CONSTRAINT "re_inspections_problem_id_problems_id_fk" FOREIGN KEY ("problem_id") REFERENCES "public"."problems"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "problem_carryovers_problem_year_key" ON "problem_carryovers" USING btree ("problem_id","to_year");--> statement-breakpoint
CREATE INDEX "problem_photos_problem_idx" ON "problem_photos" USING btree ("problem_id");--> statement-breakpoint
CREATE INDEX "re_inspections_problem_idx" ON "re_inspections" USING btree ("problem_id");--> statement-breakpoint
CREATE INDEX "routing_rules_type_idx" ON "routing_rules" USING btree ("problem_type");--> statement-breakpoint
CREATE INDEX "tasks_region_code_idx" ON "tasks" USING btree ("region_code" text_pattern_ops);--> statement-breakpoint
-- Titles and descriptions written as "中文 / English" in one column become one column per language.
UPDATE "problems" SET "title_en" = split_part("title", ' / ', 2), "title" = split_part("title", ' / ', 1)
  WHERE "title" LIKE '% / %';--> statement-breakpoint
UPDATE "problems" SET "description_en" = split_part("description", ' / ', 2),
  "description" = split_part("description", ' / ', 1) WHERE "description" LIKE '% / %';
