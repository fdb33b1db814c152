CREATE TABLE "address_matches" (
	"id" serial PRIMARY KEY NOT NULL,
	"address_id" integer NOT NULL,
	"target_type" text NOT NULL,
	"target_id" integer,
	"candidate_ids" integer[] DEFAULT '{}'::int[] NOT NULL,
	"score" double precision DEFAULT 0 NOT NULL,
	"state" text NOT NULL,
	"reason" text NOT NULL,
	"reason_en" text NOT NULL,
	"details" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"decided_by" text,
	"decided_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "standard_addresses" (
	"id" serial PRIMARY KEY NOT NULL,
	"code" text,
	"region_code" text,
	"province" text,
	"city" text,
	"district" text,
	"street" text,
	"road" text,
	"number" text,
	"building" text,
	"unit" text,
	"room" text,
	"normalised" text NOT NULL,
	"raw" text NOT NULL,
	"geom" geometry(Point, 4326),
	"source" text NOT NULL,
	"source_row" integer,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "address_matches" ADD CONSTRAINT "address_matches_address_id_standard_addresses_id_fk" FOREIGN KEY ("address_id") REFERENCES "public"."standard_addresses"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "standard_addresses" ADD CONSTRAINT "standard_addresses_region_code_regions_code_fk" FOREIGN KEY ("region_code") REFERENCES "public"."regions"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "address_matches_address_target_key" ON "address_matches" USING btree ("address_id","target_type");--> statement-breakpoint
CREATE INDEX "address_matches_target_idx" ON "address_matches" USING btree ("target_type","target_id");--> statement-breakpoint
CREATE INDEX "address_matches_state_idx" ON "address_matches" USING btree ("state");--> statement-breakpoint
CREATE INDEX "standard_addresses_normalised_idx" ON "standard_addresses" USING btree ("normalised");--> statement-breakpoint
CREATE INDEX "standard_addresses_road_number_idx" ON "standard_addresses" USING btree ("road","number");--> statement-breakpoint
CREATE INDEX "standard_addresses_geom_gist" ON "standard_addresses" USING gist ("geom");--> statement-breakpoint
CREATE UNIQUE INDEX "standard_addresses_source_row_key" ON "standard_addresses" USING btree ("source","source_row");