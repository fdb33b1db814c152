CREATE TABLE "exchange_imports" (
	"id" serial PRIMARY KEY NOT NULL,
	"package_sha256" text NOT NULL,
	"source_install" text NOT NULL,
	"source_campaign_id" text NOT NULL,
	"campaign_id" integer,
	"format_version" text NOT NULL,
	"package_created_at" timestamp with time zone NOT NULL,
	"state" text DEFAULT 'importing' NOT NULL,
	"progress" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"counts" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"imported_by" text NOT NULL,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone,
	CONSTRAINT "exchange_imports_package_sha256" UNIQUE("package_sha256")
);
--> statement-breakpoint
CREATE TABLE "exchange_install" (
	"singleton" boolean PRIMARY KEY DEFAULT true NOT NULL,
	"install_id" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "exchange_install_one_row" CHECK ("exchange_install"."singleton")
);
--> statement-breakpoint
CREATE TABLE "exchange_keys" (
	"source_install" text NOT NULL,
	"kind" text NOT NULL,
	"source_key" text NOT NULL,
	"local_id" text NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "exchange_keys_source_install_kind_source_key_pk" PRIMARY KEY("source_install","kind","source_key")
);
--> statement-breakpoint
CREATE TABLE "exchange_sends" (
	"id" serial PRIMARY KEY NOT NULL,
	"run_id" integer,
	"campaign_id" integer NOT NULL,
	"upstream_url" text NOT NULL,
	"package_sha256" text,
	"package_bytes" integer,
	"state" text DEFAULT 'sending' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"last_error" text,
	"receipt" jsonb,
	"requested_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"sent_at" timestamp with time zone,
	"acknowledged_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "exchange_imports" ADD CONSTRAINT "exchange_imports_campaign_id_campaigns_id_fk" FOREIGN KEY ("campaign_id") REFERENCES "public"."campaigns"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "exchange_sends" ADD CONSTRAINT "exchange_sends_campaign_id_campaigns_id_fk" FOREIGN KEY ("campaign_id") REFERENCES "public"."campaigns"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "exchange_imports_source_idx" ON "exchange_imports" USING btree ("source_install","source_campaign_id");--> statement-breakpoint
CREATE INDEX "exchange_keys_local_idx" ON "exchange_keys" USING btree ("kind","local_id");--> statement-breakpoint
CREATE INDEX "exchange_sends_campaign_idx" ON "exchange_sends" USING btree ("campaign_id");