DROP INDEX "address_matches_address_target_key";--> statement-breakpoint
CREATE INDEX "address_matches_address_idx" ON "address_matches" USING btree ("address_id","target_type");