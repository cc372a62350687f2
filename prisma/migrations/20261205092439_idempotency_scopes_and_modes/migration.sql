-- A record still "in progress" was left by a process that died mid-request: its key is freed.
DELETE FROM "idempotency_records" WHERE "response_status" IS NULL OR "response_body" IS NULL;

-- Records kept from before were all made by /hub/v1 writes with live or test keys alike, which
-- require write:hub; their key space becomes the live one.
ALTER TABLE "idempotency_records" DROP CONSTRAINT "idempotency_records_pkey",
ADD COLUMN     "live" BOOLEAN,
ADD COLUMN     "response_type" TEXT,
ADD COLUMN     "scopes" TEXT[];

UPDATE "idempotency_records" SET "live" = true, "response_type" = 'application/json', "scopes" = ARRAY['write:hub'];

ALTER TABLE "idempotency_records" ALTER COLUMN "live" SET NOT NULL,
ALTER COLUMN "response_type" SET NOT NULL,
ALTER COLUMN "response_status" SET NOT NULL,
ALTER COLUMN "response_body" SET NOT NULL,
ADD CONSTRAINT "idempotency_records_pkey" PRIMARY KEY ("account_id", "live", "key");
