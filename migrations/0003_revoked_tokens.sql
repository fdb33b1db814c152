CREATE TABLE "revoked_tokens" (
	"id" serial PRIMARY KEY NOT NULL,
	"jti" text,
	"subject" text,
	"reason" text,
	"revoked_by" text NOT NULL,
	"revoked_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "revoked_tokens_target" CHECK ("revoked_tokens"."jti" is not null or "revoked_tokens"."subject" is not null)
);
--> statement-breakpoint
CREATE INDEX "revoked_tokens_jti_idx" ON "revoked_tokens" USING btree ("jti");--> statement-breakpoint
CREATE INDEX "revoked_tokens_subject_idx" ON "revoked_tokens" USING btree ("subject");