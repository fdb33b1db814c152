CREATE TABLE "evidence_files" (
	"id" serial PRIMARY KEY NOT NULL,
	"sha256" text NOT NULL,
	"byte_size" bigint NOT NULL,
	"media_type" text NOT NULL,
	"file_name" text NOT NULL,
	"campaign_id" integer NOT NULL,
	"value_id" integer,
	"region_code" text NOT NULL,
	"uploaded_by" text NOT NULL,
	"uploaded_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "filling_reviews" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"filling_id" integer NOT NULL,
	"round" text,
	"decision" text NOT NULL,
	"comment" text,
	"value_comments" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"actor" text NOT NULL,
	"role" text,
	"at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "filling_tasks" (
	"id" serial PRIMARY KEY NOT NULL,
	"campaign_id" integer NOT NULL,
	"filling_id" integer NOT NULL,
	"indicator_id" integer NOT NULL,
	"unit_type" text NOT NULL,
	"unit_key" text NOT NULL,
	"unit_name" text NOT NULL,
	"region_code" text NOT NULL,
	"department" text,
	"due_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "fillings" (
	"id" serial PRIMARY KEY NOT NULL,
	"campaign_id" integer NOT NULL,
	"region_code" text NOT NULL,
	"state" text DEFAULT 'draft' NOT NULL,
	"round" integer DEFAULT 0 NOT NULL,
	"submitted_by" text,
	"submitted_at" timestamp with time zone,
	"locked_at" timestamp with time zone,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "campaigns" ADD COLUMN "object_type" text;--> statement-breakpoint
ALTER TABLE "campaigns" ADD COLUMN "created_by" text;--> statement-breakpoint
ALTER TABLE "indicator_values" ADD COLUMN "reported_by" text;--> statement-breakpoint
ALTER TABLE "indicator_values" ADD COLUMN "reported_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "indicator_values" ADD COLUMN "dataset_id" integer;--> statement-breakpoint
ALTER TABLE "indicator_values" ADD COLUMN "derivation" text;--> statement-breakpoint
ALTER TABLE "indicator_values" ADD COLUMN "computed_value" double precision;--> statement-breakpoint
ALTER TABLE "indicator_values" ADD COLUMN "remark" text;--> statement-breakpoint
ALTER TABLE "indicator_systems" ADD COLUMN "check_kind" text DEFAULT 'annual' NOT NULL;--> statement-breakpoint
ALTER TABLE "indicator_systems" ADD COLUMN "object_types" jsonb DEFAULT '["region"]'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "indicator_systems" ADD COLUMN "review_rounds" jsonb DEFAULT '["city","province"]'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "indicator_systems" ADD COLUMN "weakness_checks" integer DEFAULT 3 NOT NULL;--> statement-breakpoint
ALTER TABLE "indicator_systems" ADD COLUMN "published_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "indicator_systems" ADD COLUMN "locked_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "indicators" ADD COLUMN "base_indicator_id" integer;--> statement-breakpoint
ALTER TABLE "indicators" ADD COLUMN "enabled" boolean DEFAULT true NOT NULL;--> statement-breakpoint
ALTER TABLE "indicators" ADD COLUMN "weight" double precision;--> statement-breakpoint
ALTER TABLE "indicators" ADD COLUMN "unit_type" text DEFAULT 'region' NOT NULL;--> statement-breakpoint
ALTER TABLE "indicators" ADD COLUMN "reporting_level" text DEFAULT 'district' NOT NULL;--> statement-breakpoint
ALTER TABLE "evidence_files" ADD CONSTRAINT "evidence_files_campaign_id_campaigns_id_fk" FOREIGN KEY ("campaign_id") REFERENCES "public"."campaigns"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "evidence_files" ADD CONSTRAINT "evidence_files_value_id_indicator_values_id_fk" FOREIGN KEY ("value_id") REFERENCES "public"."indicator_values"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "evidence_files" ADD CONSTRAINT "evidence_files_region_code_regions_code_fk" FOREIGN KEY ("region_code") REFERENCES "public"."regions"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "filling_reviews" ADD CONSTRAINT "filling_reviews_filling_id_fillings_id_fk" FOREIGN KEY ("filling_id") REFERENCES "public"."fillings"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "filling_tasks" ADD CONSTRAINT "filling_tasks_campaign_id_campaigns_id_fk" FOREIGN KEY ("campaign_id") REFERENCES "public"."campaigns"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "filling_tasks" ADD CONSTRAINT "filling_tasks_filling_id_fillings_id_fk" FOREIGN KEY ("filling_id") REFERENCES "public"."fillings"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "filling_tasks" ADD CONSTRAINT "filling_tasks_indicator_id_indicators_id_fk" FOREIGN KEY ("indicator_id") REFERENCES "public"."indicators"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "filling_tasks" ADD CONSTRAINT "filling_tasks_region_code_regions_code_fk" FOREIGN KEY ("region_code") REFERENCES "public"."regions"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "fillings" ADD CONSTRAINT "fillings_campaign_id_campaigns_id_fk" FOREIGN KEY ("campaign_id") REFERENCES "public"."campaigns"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "fillings" ADD CONSTRAINT "fillings_region_code_regions_code_fk" FOREIGN KEY ("region_code") REFERENCES "public"."regions"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "evidence_files_value_idx" ON "evidence_files" USING btree ("value_id");--> statement-breakpoint
CREATE INDEX "evidence_files_region_code_idx" ON "evidence_files" USING btree ("region_code" text_pattern_ops);--> statement-breakpoint
CREATE INDEX "filling_reviews_filling_idx" ON "filling_reviews" USING btree ("filling_id","id");--> statement-breakpoint
CREATE UNIQUE INDEX "filling_tasks_unit_key" ON "filling_tasks" USING btree ("campaign_id","indicator_id","unit_type","unit_key");--> statement-breakpoint
CREATE INDEX "filling_tasks_filling_idx" ON "filling_tasks" USING btree ("filling_id");--> statement-breakpoint
CREATE INDEX "filling_tasks_region_code_idx" ON "filling_tasks" USING btree ("region_code" text_pattern_ops);--> statement-breakpoint
CREATE UNIQUE INDEX "fillings_campaign_region_key" ON "fillings" USING btree ("campaign_id","region_code");--> statement-breakpoint
CREATE INDEX "fillings_region_code_idx" ON "fillings" USING btree ("region_code" text_pattern_ops);