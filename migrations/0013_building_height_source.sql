ALTER TABLE "buildings" ADD COLUMN "height_source" text DEFAULT 'import' NOT NULL;--> statement-breakpoint
ALTER TABLE "buildings" ADD COLUMN "height_method" text;--> statement-breakpoint
ALTER TABLE "buildings" ADD COLUMN "height_raster_date" date;--> statement-breakpoint
ALTER TABLE "buildings" ADD COLUMN "height_quality" text;--> statement-breakpoint
-- Heights the importer estimated from the neighbours say so in the new column too.
UPDATE "buildings" SET "height_source" = 'estimated', "height_method" = "attributes"->>'heightMethod' WHERE "height_estimated";
