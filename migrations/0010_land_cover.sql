CREATE TABLE "land_cover" (
	"id" serial PRIMARY KEY NOT NULL,
	"region_code" text,
	"cover" text NOT NULL,
	"kind" text NOT NULL,
	"name" text,
	"geom" geometry(MultiPolygon, 4326) NOT NULL,
	"dataset_id" integer,
	"source_id" text
);
--> statement-breakpoint
ALTER TABLE "land_cover" ADD CONSTRAINT "land_cover_region_code_regions_code_fk" FOREIGN KEY ("region_code") REFERENCES "public"."regions"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "land_cover" ADD CONSTRAINT "land_cover_dataset_id_datasets_id_fk" FOREIGN KEY ("dataset_id") REFERENCES "public"."datasets"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "land_cover_geom_gist" ON "land_cover" USING gist ("geom");--> statement-breakpoint
CREATE INDEX "land_cover_region_code_idx" ON "land_cover" USING btree ("region_code" text_pattern_ops);--> statement-breakpoint
CREATE INDEX "land_cover_dataset_id_idx" ON "land_cover" USING btree ("dataset_id");