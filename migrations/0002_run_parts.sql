CREATE TABLE "coverage_run_parts" (
	"run_id" integer PRIMARY KEY NOT NULL,
	"parent_run_id" integer NOT NULL,
	"cell_ids" "bytea" NOT NULL,
	"results" "bytea" NOT NULL,
	"summary" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "diagnostic_runs" ADD COLUMN "parent_id" integer;--> statement-breakpoint
ALTER TABLE "coverage_run_parts" ADD CONSTRAINT "coverage_run_parts_run_id_diagnostic_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."diagnostic_runs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "coverage_run_parts" ADD CONSTRAINT "coverage_run_parts_parent_run_id_diagnostic_runs_id_fk" FOREIGN KEY ("parent_run_id") REFERENCES "public"."diagnostic_runs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "coverage_run_parts_parent_idx" ON "coverage_run_parts" USING btree ("parent_run_id");--> statement-breakpoint
ALTER TABLE "diagnostic_runs" ADD CONSTRAINT "diagnostic_runs_parent_id_diagnostic_runs_id_fk" FOREIGN KEY ("parent_id") REFERENCES "public"."diagnostic_runs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "diagnostic_runs_parent_id_idx" ON "diagnostic_runs" USING btree ("parent_id");