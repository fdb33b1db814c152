CREATE TABLE "project_evaluations" (
	"id" serial PRIMARY KEY NOT NULL,
	"project_id" integer NOT NULL,
	"campaign_id" integer NOT NULL,
	"outcome" text NOT NULL,
	"indicators" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"figures" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"evaluated_by" text,
	"evaluated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "project_funding" (
	"project_id" integer NOT NULL,
	"year" integer NOT NULL,
	"source" text NOT NULL,
	"amount" double precision NOT NULL,
	CONSTRAINT "project_funding_pkey" PRIMARY KEY("project_id","year","source")
);
--> statement-breakpoint
CREATE TABLE "stock_resource_photos" (
	"id" serial PRIMARY KEY NOT NULL,
	"resource_id" integer NOT NULL,
	"sha256" text NOT NULL,
	"byte_size" integer NOT NULL,
	"media_type" text NOT NULL,
	"file_name" text NOT NULL,
	"region_code" text NOT NULL,
	"uploaded_by" text NOT NULL,
	"uploaded_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "zoning_areas" (
	"id" serial PRIMARY KEY NOT NULL,
	"run_id" integer NOT NULL,
	"region_code" text NOT NULL,
	"campaign_id" integer,
	"area_class" text NOT NULL,
	"rule_id" integer,
	"geom" geometry(MultiPolygon, 4326) NOT NULL,
	"reasons" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"metrics" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "zoning_rules" (
	"id" serial PRIMARY KEY NOT NULL,
	"region_code" text NOT NULL,
	"key" text NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"area_class" text NOT NULL,
	"label" jsonb NOT NULL,
	"priority" integer DEFAULT 100 NOT NULL,
	"match" text DEFAULT 'all' NOT NULL,
	"conditions" jsonb NOT NULL,
	"enabled" integer DEFAULT 1 NOT NULL,
	"created_by" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"superseded_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "projects" ADD COLUMN "code" text;--> statement-breakpoint
ALTER TABLE "projects" ADD COLUMN "campaign_id" integer;--> statement-breakpoint
ALTER TABLE "projects" ADD COLUMN "run_id" integer;--> statement-breakpoint
ALTER TABLE "projects" ADD COLUMN "generation_key" text;--> statement-breakpoint
ALTER TABLE "projects" ADD COLUMN "description" text;--> statement-breakpoint
ALTER TABLE "projects" ADD COLUMN "facility_type" text;--> statement-breakpoint
ALTER TABLE "projects" ADD COLUMN "programme" text;--> statement-breakpoint
ALTER TABLE "projects" ADD COLUMN "benefit_details" jsonb;--> statement-breakpoint
ALTER TABLE "projects" ADD COLUMN "feasibility_details" jsonb;--> statement-breakpoint
ALTER TABLE "projects" ADD COLUMN "urgency_details" jsonb;--> statement-breakpoint
ALTER TABLE "projects" ADD COLUMN "created_by" text;--> statement-breakpoint
ALTER TABLE "projects" ADD COLUMN "updated_at" timestamp with time zone DEFAULT now() NOT NULL;--> statement-breakpoint
ALTER TABLE "stock_resources" ADD COLUMN "code" text;--> statement-breakpoint
ALTER TABLE "stock_resources" ADD COLUMN "address" text;--> statement-breakpoint
ALTER TABLE "stock_resources" ADD COLUMN "source" text DEFAULT 'import' NOT NULL;--> statement-breakpoint
ALTER TABLE "stock_resources" ADD COLUMN "source_key" text;--> statement-breakpoint
ALTER TABLE "stock_resources" ADD COLUMN "reported_by" text;--> statement-breakpoint
ALTER TABLE "stock_resources" ADD COLUMN "reported_at" timestamp with time zone DEFAULT now() NOT NULL;--> statement-breakpoint
ALTER TABLE "stock_resources" ADD COLUMN "verified_by" text;--> statement-breakpoint
ALTER TABLE "stock_resources" ADD COLUMN "verified_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "stock_resources" ADD COLUMN "verification_note" text;--> statement-breakpoint
ALTER TABLE "stock_resources" ADD COLUMN "updated_at" timestamp with time zone DEFAULT now() NOT NULL;--> statement-breakpoint
ALTER TABLE "project_evaluations" ADD CONSTRAINT "project_evaluations_project_id_projects_id_fk" FOREIGN KEY ("project_id") REFERENCES "public"."projects"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "project_evaluations" ADD CONSTRAINT "project_evaluations_campaign_id_campaigns_id_fk" FOREIGN KEY ("campaign_id") REFERENCES "public"."campaigns"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "project_funding" ADD CONSTRAINT "project_funding_project_id_projects_id_fk" FOREIGN KEY ("project_id") REFERENCES "public"."projects"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "stock_resource_photos" ADD CONSTRAINT "stock_resource_photos_resource_id_stock_resources_id_fk" FOREIGN KEY ("resource_id") REFERENCES "public"."stock_resources"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "zoning_areas" ADD CONSTRAINT "zoning_areas_run_id_diagnostic_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."diagnostic_runs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "zoning_areas" ADD CONSTRAINT "zoning_areas_region_code_regions_code_fk" FOREIGN KEY ("region_code") REFERENCES "public"."regions"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "zoning_areas" ADD CONSTRAINT "zoning_areas_campaign_id_campaigns_id_fk" FOREIGN KEY ("campaign_id") REFERENCES "public"."campaigns"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "zoning_areas" ADD CONSTRAINT "zoning_areas_rule_id_zoning_rules_id_fk" FOREIGN KEY ("rule_id") REFERENCES "public"."zoning_rules"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "zoning_rules" ADD CONSTRAINT "zoning_rules_region_code_regions_code_fk" FOREIGN KEY ("region_code") REFERENCES "public"."regions"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "project_evaluations_project_campaign" ON "project_evaluations" USING btree ("project_id","campaign_id");--> statement-breakpoint
CREATE INDEX "stock_resource_photos_resource_idx" ON "stock_resource_photos" USING btree ("resource_id");--> statement-breakpoint
CREATE INDEX "zoning_areas_geom_gist" ON "zoning_areas" USING gist ("geom");--> statement-breakpoint
CREATE INDEX "zoning_areas_run_idx" ON "zoning_areas" USING btree ("run_id");--> statement-breakpoint
CREATE INDEX "zoning_areas_region_code_idx" ON "zoning_areas" USING btree ("region_code" text_pattern_ops);--> statement-breakpoint
CREATE UNIQUE INDEX "zoning_rules_key_version" ON "zoning_rules" USING btree ("region_code","key","version");--> statement-breakpoint
CREATE INDEX "zoning_rules_region_code_idx" ON "zoning_rules" USING btree ("region_code" text_pattern_ops);--> statement-breakpoint
ALTER TABLE "projects" ADD CONSTRAINT "projects_campaign_id_campaigns_id_fk" FOREIGN KEY ("campaign_id") REFERENCES "public"."campaigns"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "projects" ADD CONSTRAINT "projects_run_id_diagnostic_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."diagnostic_runs"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "projects_code_key" ON "projects" USING btree ("code");--> statement-breakpoint
CREATE UNIQUE INDEX "projects_generation_key" ON "projects" USING btree ("campaign_id","generation_key");--> statement-breakpoint
CREATE UNIQUE INDEX "stock_resources_code_key" ON "stock_resources" USING btree ("code");--> statement-breakpoint
CREATE UNIQUE INDEX "stock_resources_source_key" ON "stock_resources" USING btree ("source","layer","source_key");