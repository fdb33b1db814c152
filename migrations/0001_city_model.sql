CREATE TABLE "renewal_areas" (
	"id" serial PRIMARY KEY NOT NULL,
	"region_code" text NOT NULL,
	"name" text NOT NULL,
	"kind" text,
	"geom" geometry(MultiPolygon, 4326) NOT NULL,
	"area_m2" double precision,
	"attributes" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "audit_events" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"actor" text NOT NULL,
	"role" text,
	"region_code" text,
	"entity" text NOT NULL,
	"entity_id" text NOT NULL,
	"action" text NOT NULL,
	"before" jsonb,
	"after" jsonb
);
--> statement-breakpoint
CREATE TABLE "blocks" (
	"id" serial PRIMARY KEY NOT NULL,
	"region_code" text NOT NULL,
	"name" text,
	"geom" geometry(MultiPolygon, 4326) NOT NULL,
	"area_m2" double precision,
	"dataset_id" integer,
	"source_id" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "buildings" (
	"id" serial PRIMARY KEY NOT NULL,
	"region_code" text NOT NULL,
	"compound_id" integer,
	"block_id" integer,
	"name" text,
	"name_en" text,
	"footprint" geometry(MultiPolygon, 4326) NOT NULL,
	"centroid" geometry(Point, 4326) NOT NULL,
	"footprint_area_m2" double precision NOT NULL,
	"height_m" double precision NOT NULL,
	"height_estimated" boolean DEFAULT false NOT NULL,
	"min_height_m" double precision DEFAULT 0 NOT NULL,
	"floors" integer,
	"floors_estimated" boolean DEFAULT false NOT NULL,
	"floor_area_m2" double precision,
	"use" text DEFAULT 'other' NOT NULL,
	"year_built" integer,
	"structure" text,
	"standard_address" text,
	"residents" double precision,
	"dataset_id" integer,
	"source" text DEFAULT 'import' NOT NULL,
	"source_id" text,
	"attributes" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"is_public" boolean DEFAULT true NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "compounds" (
	"id" serial PRIMARY KEY NOT NULL,
	"region_code" text NOT NULL,
	"block_id" integer,
	"name" text,
	"kind" text DEFAULT 'compound' NOT NULL,
	"geom" geometry(MultiPolygon, 4326) NOT NULL,
	"area_m2" double precision,
	"year_built" integer,
	"households" integer,
	"residents" double precision,
	"dataset_id" integer,
	"source" text DEFAULT 'import' NOT NULL,
	"source_id" text,
	"attributes" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "campaigns" (
	"id" serial PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"year" integer NOT NULL,
	"name" text NOT NULL,
	"region_code" text NOT NULL,
	"renewal_area_id" integer,
	"scope" geometry(MultiPolygon, 4326),
	"system_id" integer NOT NULL,
	"status" text DEFAULT 'planned' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "indicator_values" (
	"id" serial PRIMARY KEY NOT NULL,
	"campaign_id" integer NOT NULL,
	"indicator_id" integer NOT NULL,
	"unit_type" text NOT NULL,
	"unit_key" text NOT NULL,
	"region_code" text NOT NULL,
	"value" double precision,
	"grade" text,
	"warning" text,
	"source" text NOT NULL,
	"run_id" integer,
	"details" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"evidence" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"review_state" text DEFAULT 'draft' NOT NULL,
	"reviewer" text,
	"review_comment" text,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "datasets" (
	"id" serial PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"kind" text NOT NULL,
	"region_code" text,
	"method" text,
	"parameters" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"report" jsonb,
	"licence" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "coverage_gaps" (
	"id" serial PRIMARY KEY NOT NULL,
	"run_id" integer NOT NULL,
	"region_code" text NOT NULL,
	"facility_type" text NOT NULL,
	"distance_model" text NOT NULL,
	"kind" text NOT NULL,
	"gap_key" text NOT NULL,
	"geom" geometry(MultiPolygon, 4326),
	"point" geometry(Point, 4326) NOT NULL,
	"cells" integer DEFAULT 0 NOT NULL,
	"uncovered_children" double precision DEFAULT 0 NOT NULL,
	"uncovered_working" double precision DEFAULT 0 NOT NULL,
	"uncovered_elderly" double precision DEFAULT 0 NOT NULL,
	"capacity_gap" double precision DEFAULT 0 NOT NULL,
	"priority" double precision DEFAULT 0 NOT NULL,
	"rank" integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE "diagnostic_runs" (
	"id" serial PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"campaign_id" integer,
	"region_code" text NOT NULL,
	"parameters" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"input_versions" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"idempotency_key" text NOT NULL,
	"state" text DEFAULT 'queued' NOT NULL,
	"progress" double precision DEFAULT 0 NOT NULL,
	"message" text,
	"attempts" integer DEFAULT 0 NOT NULL,
	"error" text,
	"outputs" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"requested_by" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"started_at" timestamp with time zone,
	"finished_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "facilities" (
	"id" serial PRIMARY KEY NOT NULL,
	"region_code" text NOT NULL,
	"type" text NOT NULL,
	"name" text,
	"name_en" text,
	"geom" geometry(Point, 4326) NOT NULL,
	"capacity" double precision,
	"capacity_unit" text,
	"capacity_estimated" boolean DEFAULT false NOT NULL,
	"area_m2" double precision,
	"dataset_id" integer,
	"source" text DEFAULT 'import' NOT NULL,
	"source_id" text,
	"attributes" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"is_public" boolean DEFAULT true NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "roads" (
	"id" serial PRIMARY KEY NOT NULL,
	"region_code" text NOT NULL,
	"kind" text NOT NULL,
	"kind_detail" text,
	"name" text,
	"geom" geometry(LineString, 4326) NOT NULL,
	"length_m" double precision NOT NULL,
	"walkable" boolean DEFAULT true NOT NULL,
	"dataset_id" integer,
	"source_id" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "indicator_systems" (
	"id" serial PRIMARY KEY NOT NULL,
	"code" text NOT NULL,
	"name" text NOT NULL,
	"year" integer NOT NULL,
	"level" text NOT NULL,
	"owner_region_code" text,
	"base_system_id" integer,
	"status" text DEFAULT 'draft' NOT NULL,
	"settings" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"note" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "indicators" (
	"id" serial PRIMARY KEY NOT NULL,
	"system_id" integer NOT NULL,
	"code" text NOT NULL,
	"name" text NOT NULL,
	"name_en" text,
	"dimension" text NOT NULL,
	"group_name" text,
	"unit" text,
	"direction" text DEFAULT 'none' NOT NULL,
	"level" text NOT NULL,
	"method_kind" text NOT NULL,
	"method" text NOT NULL,
	"calculator" text,
	"parameters" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"standard_values" jsonb,
	"renewal_theme" text,
	"department" text,
	"required_evidence" text,
	"evidence" text,
	"sort_order" double precision DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "population_cells" (
	"id" serial PRIMARY KEY NOT NULL,
	"region_code" text NOT NULL,
	"dataset_id" integer,
	"cell_key" text NOT NULL,
	"size_m" double precision NOT NULL,
	"metric_srid" integer NOT NULL,
	"geom" geometry(Polygon, 4326) NOT NULL,
	"centroid" geometry(Point, 4326) NOT NULL,
	"children" double precision DEFAULT 0 NOT NULL,
	"working" double precision DEFAULT 0 NOT NULL,
	"elderly" double precision DEFAULT 0 NOT NULL,
	"total" double precision DEFAULT 0 NOT NULL,
	"method" text NOT NULL,
	"method_parameters" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "opinions" (
	"id" serial PRIMARY KEY NOT NULL,
	"region_code" text NOT NULL,
	"kind" text NOT NULL,
	"content" text NOT NULL,
	"geom" geometry(Point, 4326),
	"problem_id" integer,
	"submitted_by" text,
	"attributes" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "problem_transitions" (
	"id" serial PRIMARY KEY NOT NULL,
	"problem_id" integer NOT NULL,
	"from_state" text,
	"to_state" text NOT NULL,
	"actor" text NOT NULL,
	"reason" text,
	"at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "problems" (
	"id" serial PRIMARY KEY NOT NULL,
	"region_code" text NOT NULL,
	"campaign_id" integer,
	"indicator_id" integer,
	"type" text NOT NULL,
	"title" text NOT NULL,
	"description" text,
	"geom" geometry(Geometry, 4326),
	"unit_type" text,
	"unit_key" text,
	"building_id" integer,
	"severity" integer DEFAULT 1 NOT NULL,
	"source" text NOT NULL,
	"year_found" integer NOT NULL,
	"state" text DEFAULT 'identified' NOT NULL,
	"run_id" integer,
	"dedupe_key" text,
	"details" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"is_public" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "tasks" (
	"id" serial PRIMARY KEY NOT NULL,
	"problem_id" integer NOT NULL,
	"responsible_unit" text NOT NULL,
	"department" text,
	"owner" text,
	"deadline" timestamp with time zone,
	"state" text DEFAULT 'open' NOT NULL,
	"feedback" text,
	"evidence" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"completed_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "regions" (
	"id" serial PRIMARY KEY NOT NULL,
	"code" text NOT NULL,
	"scope_prefix" text NOT NULL,
	"name" text NOT NULL,
	"name_en" text,
	"level" text NOT NULL,
	"parent_code" text,
	"boundary" geometry(MultiPolygon, 4326),
	"city_class" text,
	"city_tier" integer,
	"is_public" boolean DEFAULT true NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "regions_code_key" UNIQUE("code")
);
--> statement-breakpoint
CREATE TABLE "project_problems" (
	"project_id" integer NOT NULL,
	"problem_id" integer NOT NULL,
	CONSTRAINT "project_problems_pkey" PRIMARY KEY("project_id","problem_id")
);
--> statement-breakpoint
CREATE TABLE "project_resources" (
	"project_id" integer NOT NULL,
	"resource_id" integer NOT NULL,
	CONSTRAINT "project_resources_pkey" PRIMARY KEY("project_id","resource_id")
);
--> statement-breakpoint
CREATE TABLE "projects" (
	"id" serial PRIMARY KEY NOT NULL,
	"region_code" text NOT NULL,
	"name" text NOT NULL,
	"kind" text NOT NULL,
	"geom" geometry(Geometry, 4326),
	"budget" double precision,
	"funding_sources" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"feasibility" double precision,
	"urgency" double precision,
	"benefit" double precision,
	"phase" text DEFAULT 'reserve' NOT NULL,
	"year" integer,
	"state" text DEFAULT 'proposed' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "stock_resources" (
	"id" serial PRIMARY KEY NOT NULL,
	"region_code" text NOT NULL,
	"kind" text NOT NULL,
	"name" text,
	"geom" geometry(Geometry, 4326) NOT NULL,
	"area_m2" double precision,
	"ownership" text,
	"current_use" text,
	"department" text,
	"layer" text,
	"verification_state" text DEFAULT 'reported' NOT NULL,
	"attributes" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "renewal_areas" ADD CONSTRAINT "renewal_areas_region_code_regions_code_fk" FOREIGN KEY ("region_code") REFERENCES "public"."regions"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "blocks" ADD CONSTRAINT "blocks_region_code_regions_code_fk" FOREIGN KEY ("region_code") REFERENCES "public"."regions"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "blocks" ADD CONSTRAINT "blocks_dataset_id_datasets_id_fk" FOREIGN KEY ("dataset_id") REFERENCES "public"."datasets"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "buildings" ADD CONSTRAINT "buildings_region_code_regions_code_fk" FOREIGN KEY ("region_code") REFERENCES "public"."regions"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "buildings" ADD CONSTRAINT "buildings_compound_id_compounds_id_fk" FOREIGN KEY ("compound_id") REFERENCES "public"."compounds"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "buildings" ADD CONSTRAINT "buildings_block_id_blocks_id_fk" FOREIGN KEY ("block_id") REFERENCES "public"."blocks"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "buildings" ADD CONSTRAINT "buildings_dataset_id_datasets_id_fk" FOREIGN KEY ("dataset_id") REFERENCES "public"."datasets"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "compounds" ADD CONSTRAINT "compounds_region_code_regions_code_fk" FOREIGN KEY ("region_code") REFERENCES "public"."regions"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "compounds" ADD CONSTRAINT "compounds_block_id_blocks_id_fk" FOREIGN KEY ("block_id") REFERENCES "public"."blocks"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "compounds" ADD CONSTRAINT "compounds_dataset_id_datasets_id_fk" FOREIGN KEY ("dataset_id") REFERENCES "public"."datasets"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "campaigns" ADD CONSTRAINT "campaigns_region_code_regions_code_fk" FOREIGN KEY ("region_code") REFERENCES "public"."regions"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "campaigns" ADD CONSTRAINT "campaigns_renewal_area_id_renewal_areas_id_fk" FOREIGN KEY ("renewal_area_id") REFERENCES "public"."renewal_areas"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "campaigns" ADD CONSTRAINT "campaigns_system_id_indicator_systems_id_fk" FOREIGN KEY ("system_id") REFERENCES "public"."indicator_systems"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "indicator_values" ADD CONSTRAINT "indicator_values_campaign_id_campaigns_id_fk" FOREIGN KEY ("campaign_id") REFERENCES "public"."campaigns"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "indicator_values" ADD CONSTRAINT "indicator_values_indicator_id_indicators_id_fk" FOREIGN KEY ("indicator_id") REFERENCES "public"."indicators"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "indicator_values" ADD CONSTRAINT "indicator_values_region_code_regions_code_fk" FOREIGN KEY ("region_code") REFERENCES "public"."regions"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "coverage_gaps" ADD CONSTRAINT "coverage_gaps_run_id_diagnostic_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."diagnostic_runs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "coverage_gaps" ADD CONSTRAINT "coverage_gaps_region_code_regions_code_fk" FOREIGN KEY ("region_code") REFERENCES "public"."regions"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "diagnostic_runs" ADD CONSTRAINT "diagnostic_runs_campaign_id_campaigns_id_fk" FOREIGN KEY ("campaign_id") REFERENCES "public"."campaigns"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "diagnostic_runs" ADD CONSTRAINT "diagnostic_runs_region_code_regions_code_fk" FOREIGN KEY ("region_code") REFERENCES "public"."regions"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "facilities" ADD CONSTRAINT "facilities_region_code_regions_code_fk" FOREIGN KEY ("region_code") REFERENCES "public"."regions"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "facilities" ADD CONSTRAINT "facilities_dataset_id_datasets_id_fk" FOREIGN KEY ("dataset_id") REFERENCES "public"."datasets"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "roads" ADD CONSTRAINT "roads_region_code_regions_code_fk" FOREIGN KEY ("region_code") REFERENCES "public"."regions"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "roads" ADD CONSTRAINT "roads_dataset_id_datasets_id_fk" FOREIGN KEY ("dataset_id") REFERENCES "public"."datasets"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "indicator_systems" ADD CONSTRAINT "indicator_systems_owner_region_code_regions_code_fk" FOREIGN KEY ("owner_region_code") REFERENCES "public"."regions"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "indicators" ADD CONSTRAINT "indicators_system_id_indicator_systems_id_fk" FOREIGN KEY ("system_id") REFERENCES "public"."indicator_systems"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "population_cells" ADD CONSTRAINT "population_cells_region_code_regions_code_fk" FOREIGN KEY ("region_code") REFERENCES "public"."regions"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "population_cells" ADD CONSTRAINT "population_cells_dataset_id_datasets_id_fk" FOREIGN KEY ("dataset_id") REFERENCES "public"."datasets"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "opinions" ADD CONSTRAINT "opinions_region_code_regions_code_fk" FOREIGN KEY ("region_code") REFERENCES "public"."regions"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "opinions" ADD CONSTRAINT "opinions_problem_id_problems_id_fk" FOREIGN KEY ("problem_id") REFERENCES "public"."problems"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "problem_transitions" ADD CONSTRAINT "problem_transitions_problem_id_problems_id_fk" FOREIGN KEY ("problem_id") REFERENCES "public"."problems"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "problems" ADD CONSTRAINT "problems_region_code_regions_code_fk" FOREIGN KEY ("region_code") REFERENCES "public"."regions"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "problems" ADD CONSTRAINT "problems_campaign_id_campaigns_id_fk" FOREIGN KEY ("campaign_id") REFERENCES "public"."campaigns"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "problems" ADD CONSTRAINT "problems_indicator_id_indicators_id_fk" FOREIGN KEY ("indicator_id") REFERENCES "public"."indicators"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tasks" ADD CONSTRAINT "tasks_problem_id_problems_id_fk" FOREIGN KEY ("problem_id") REFERENCES "public"."problems"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "project_problems" ADD CONSTRAINT "project_problems_project_id_projects_id_fk" FOREIGN KEY ("project_id") REFERENCES "public"."projects"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "project_problems" ADD CONSTRAINT "project_problems_problem_id_problems_id_fk" FOREIGN KEY ("problem_id") REFERENCES "public"."problems"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "project_resources" ADD CONSTRAINT "project_resources_project_id_projects_id_fk" FOREIGN KEY ("project_id") REFERENCES "public"."projects"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "project_resources" ADD CONSTRAINT "project_resources_resource_id_stock_resources_id_fk" FOREIGN KEY ("resource_id") REFERENCES "public"."stock_resources"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "projects" ADD CONSTRAINT "projects_region_code_regions_code_fk" FOREIGN KEY ("region_code") REFERENCES "public"."regions"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "stock_resources" ADD CONSTRAINT "stock_resources_region_code_regions_code_fk" FOREIGN KEY ("region_code") REFERENCES "public"."regions"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "renewal_areas_geom_gist" ON "renewal_areas" USING gist ("geom");--> statement-breakpoint
CREATE INDEX "renewal_areas_region_code_idx" ON "renewal_areas" USING btree ("region_code" text_pattern_ops);--> statement-breakpoint
CREATE INDEX "audit_events_region_code_idx" ON "audit_events" USING btree ("region_code","id");--> statement-breakpoint
CREATE INDEX "audit_events_entity_idx" ON "audit_events" USING btree ("entity","entity_id");--> statement-breakpoint
CREATE INDEX "blocks_geom_gist" ON "blocks" USING gist ("geom");--> statement-breakpoint
CREATE INDEX "blocks_region_code_idx" ON "blocks" USING btree ("region_code" text_pattern_ops);--> statement-breakpoint
CREATE UNIQUE INDEX "blocks_dataset_source_key" ON "blocks" USING btree ("dataset_id","source_id");--> statement-breakpoint
CREATE INDEX "buildings_footprint_gist" ON "buildings" USING gist ("footprint");--> statement-breakpoint
CREATE INDEX "buildings_centroid_gist" ON "buildings" USING gist ("centroid");--> statement-breakpoint
CREATE INDEX "buildings_region_code_idx" ON "buildings" USING btree ("region_code" text_pattern_ops);--> statement-breakpoint
CREATE INDEX "buildings_compound_id_idx" ON "buildings" USING btree ("compound_id");--> statement-breakpoint
CREATE INDEX "buildings_block_id_idx" ON "buildings" USING btree ("block_id");--> statement-breakpoint
CREATE INDEX "buildings_use_idx" ON "buildings" USING btree ("use");--> statement-breakpoint
CREATE UNIQUE INDEX "buildings_dataset_source_key" ON "buildings" USING btree ("dataset_id","source_id");--> statement-breakpoint
CREATE INDEX "compounds_geom_gist" ON "compounds" USING gist ("geom");--> statement-breakpoint
CREATE INDEX "compounds_region_code_idx" ON "compounds" USING btree ("region_code" text_pattern_ops);--> statement-breakpoint
CREATE INDEX "compounds_block_id_idx" ON "compounds" USING btree ("block_id");--> statement-breakpoint
CREATE UNIQUE INDEX "compounds_dataset_source_key" ON "compounds" USING btree ("dataset_id","source_id");--> statement-breakpoint
CREATE INDEX "campaigns_scope_gist" ON "campaigns" USING gist ("scope");--> statement-breakpoint
CREATE INDEX "campaigns_region_code_idx" ON "campaigns" USING btree ("region_code" text_pattern_ops);--> statement-breakpoint
CREATE UNIQUE INDEX "indicator_values_unit_key" ON "indicator_values" USING btree ("campaign_id","indicator_id","unit_type","unit_key");--> statement-breakpoint
CREATE INDEX "indicator_values_run_id_idx" ON "indicator_values" USING btree ("run_id");--> statement-breakpoint
CREATE INDEX "indicator_values_region_code_idx" ON "indicator_values" USING btree ("region_code" text_pattern_ops);--> statement-breakpoint
CREATE INDEX "datasets_region_code_idx" ON "datasets" USING btree ("region_code");--> statement-breakpoint
CREATE INDEX "coverage_gaps_geom_gist" ON "coverage_gaps" USING gist ("geom");--> statement-breakpoint
CREATE INDEX "coverage_gaps_point_gist" ON "coverage_gaps" USING gist ("point");--> statement-breakpoint
CREATE UNIQUE INDEX "coverage_gaps_run_key" ON "coverage_gaps" USING btree ("run_id","gap_key");--> statement-breakpoint
CREATE INDEX "diagnostic_runs_region_code_idx" ON "diagnostic_runs" USING btree ("region_code");--> statement-breakpoint
CREATE INDEX "diagnostic_runs_idempotency_key_idx" ON "diagnostic_runs" USING btree ("idempotency_key");--> statement-breakpoint
CREATE INDEX "facilities_geom_gist" ON "facilities" USING gist ("geom");--> statement-breakpoint
CREATE INDEX "facilities_type_idx" ON "facilities" USING btree ("type");--> statement-breakpoint
CREATE INDEX "facilities_region_code_idx" ON "facilities" USING btree ("region_code" text_pattern_ops);--> statement-breakpoint
CREATE UNIQUE INDEX "facilities_dataset_source_key" ON "facilities" USING btree ("dataset_id","source_id");--> statement-breakpoint
CREATE INDEX "roads_geom_gist" ON "roads" USING gist ("geom");--> statement-breakpoint
CREATE INDEX "roads_region_code_idx" ON "roads" USING btree ("region_code" text_pattern_ops);--> statement-breakpoint
CREATE INDEX "roads_dataset_id_idx" ON "roads" USING btree ("dataset_id");--> statement-breakpoint
CREATE UNIQUE INDEX "indicator_systems_code_year_key" ON "indicator_systems" USING btree ("code","year");--> statement-breakpoint
CREATE UNIQUE INDEX "indicators_system_code_key" ON "indicators" USING btree ("system_id","code");--> statement-breakpoint
CREATE INDEX "indicators_dimension_idx" ON "indicators" USING btree ("dimension");--> statement-breakpoint
CREATE INDEX "population_cells_geom_gist" ON "population_cells" USING gist ("geom");--> statement-breakpoint
CREATE INDEX "population_cells_centroid_gist" ON "population_cells" USING gist ("centroid");--> statement-breakpoint
CREATE INDEX "population_cells_region_code_idx" ON "population_cells" USING btree ("region_code" text_pattern_ops);--> statement-breakpoint
CREATE UNIQUE INDEX "population_cells_dataset_key" ON "population_cells" USING btree ("dataset_id","cell_key");--> statement-breakpoint
CREATE INDEX "opinions_geom_gist" ON "opinions" USING gist ("geom");--> statement-breakpoint
CREATE INDEX "opinions_region_code_idx" ON "opinions" USING btree ("region_code" text_pattern_ops);--> statement-breakpoint
CREATE INDEX "problem_transitions_problem_id_idx" ON "problem_transitions" USING btree ("problem_id");--> statement-breakpoint
CREATE INDEX "problems_geom_gist" ON "problems" USING gist ("geom");--> statement-breakpoint
CREATE INDEX "problems_region_code_idx" ON "problems" USING btree ("region_code" text_pattern_ops);--> statement-breakpoint
CREATE INDEX "problems_building_id_idx" ON "problems" USING btree ("building_id");--> statement-breakpoint
CREATE INDEX "problems_state_idx" ON "problems" USING btree ("state");--> statement-breakpoint
CREATE UNIQUE INDEX "problems_dedupe_key" ON "problems" USING btree ("dedupe_key");--> statement-breakpoint
CREATE INDEX "tasks_problem_id_idx" ON "tasks" USING btree ("problem_id");--> statement-breakpoint
CREATE INDEX "regions_parent_code_idx" ON "regions" USING btree ("parent_code");--> statement-breakpoint
CREATE INDEX "regions_level_idx" ON "regions" USING btree ("level");--> statement-breakpoint
CREATE INDEX "regions_scope_prefix_idx" ON "regions" USING btree ("scope_prefix" text_pattern_ops);--> statement-breakpoint
CREATE INDEX "regions_boundary_gist" ON "regions" USING gist ("boundary");--> statement-breakpoint
CREATE INDEX "projects_geom_gist" ON "projects" USING gist ("geom");--> statement-breakpoint
CREATE INDEX "projects_region_code_idx" ON "projects" USING btree ("region_code" text_pattern_ops);--> statement-breakpoint
CREATE INDEX "stock_resources_geom_gist" ON "stock_resources" USING gist ("geom");--> statement-breakpoint
CREATE INDEX "stock_resources_region_code_idx" ON "stock_resources" USING btree ("region_code" text_pattern_ops);