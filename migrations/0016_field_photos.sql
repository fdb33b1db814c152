CREATE TABLE "field_photos" (
	"id" serial PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"region_code" text NOT NULL,
	"geom" geometry(Point, 4326) NOT NULL,
	"heading_deg" double precision,
	"taken_at" timestamp with time zone NOT NULL,
	"url" text NOT NULL,
	"caption" text,
	"created_by" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "field_photos" ADD CONSTRAINT "field_photos_region_code_regions_code_fk" FOREIGN KEY ("region_code") REFERENCES "public"."regions"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "field_photos_geom_gist" ON "field_photos" USING gist ("geom");--> statement-breakpoint
CREATE INDEX "field_photos_region_code_idx" ON "field_photos" USING btree ("region_code" text_pattern_ops);