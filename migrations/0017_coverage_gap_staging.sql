CREATE TABLE "coverage_gap_staging" (
	"stage" uuid NOT NULL,
	"run_id" integer NOT NULL,
	"n" integer NOT NULL,
	"facility_type" text NOT NULL,
	"distance_model" text NOT NULL,
	"kind" text NOT NULL,
	"gap_key" text NOT NULL,
	"geom" geometry(MultiPolygon, 4326),
	"point" geometry(Point, 4326) NOT NULL,
	"cells" integer NOT NULL,
	"uncovered_children" double precision NOT NULL,
	"uncovered_working" double precision NOT NULL,
	"uncovered_elderly" double precision NOT NULL,
	"unserved" double precision NOT NULL,
	"capacity_gap" double precision NOT NULL,
	"priority" double precision NOT NULL,
	"radius_m" double precision NOT NULL
);
--> statement-breakpoint
-- Staged rows are rebuilt by a retry and never read after a crash: no WAL for them.
ALTER TABLE "coverage_gap_staging" SET UNLOGGED;--> statement-breakpoint
-- A part's arrays are ~12 MB of doubles that compress to half: pglz took 0.5 s per part, on the run's critical path.
ALTER TABLE "coverage_run_parts" ALTER COLUMN "results" SET STORAGE EXTERNAL;--> statement-breakpoint
ALTER TABLE "coverage_run_parts" ALTER COLUMN "cell_ids" SET STORAGE EXTERNAL;
