ALTER TABLE "audit_events" ADD COLUMN "department" text;--> statement-breakpoint
ALTER TABLE "audit_events" ADD COLUMN "request_id" text;--> statement-breakpoint
ALTER TABLE "problems" ADD COLUMN "responsible_department" text;