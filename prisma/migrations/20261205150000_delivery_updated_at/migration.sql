-- DropIndex
DROP INDEX "webhook_deliveries_endpoint_id_created_at_idx";

-- DropIndex
DROP INDEX "webhook_deliveries_endpoint_id_status_created_at_idx";

-- AlterTable
ALTER TABLE "webhook_deliveries" ADD COLUMN     "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP;

-- A delivery written before the column existed last changed at the latest of its creation, its
-- last attempt and its delivery (GREATEST skips the ones it never had).
UPDATE "webhook_deliveries" AS d SET "updated_at" = GREATEST(
  d."created_at",
  d."delivered_at",
  (SELECT max(a."created_at") FROM "webhook_attempts" AS a WHERE a."delivery_id" = d."id")
);

-- CreateIndex
CREATE INDEX "webhook_deliveries_endpoint_id_created_at_id_idx" ON "webhook_deliveries"("endpoint_id", "created_at" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "webhook_deliveries_endpoint_id_updated_at_id_idx" ON "webhook_deliveries"("endpoint_id", "updated_at" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "webhook_deliveries_endpoint_id_status_created_at_id_idx" ON "webhook_deliveries"("endpoint_id", "status", "created_at" DESC, "id" DESC);
