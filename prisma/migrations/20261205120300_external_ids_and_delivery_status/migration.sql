-- AlterTable
ALTER TABLE "leads" ADD COLUMN     "external_id" TEXT;

-- AlterTable
ALTER TABLE "projects" ADD COLUMN     "external_id" TEXT;

-- CreateIndex
CREATE UNIQUE INDEX "leads_account_id_external_id_key" ON "leads"("account_id", "external_id") WHERE (deleted_at IS NULL);

-- CreateIndex
CREATE UNIQUE INDEX "projects_account_id_external_id_key" ON "projects"("account_id", "external_id") WHERE (deleted_at IS NULL);

-- CreateIndex
CREATE INDEX "webhook_deliveries_endpoint_id_status_created_at_idx" ON "webhook_deliveries"("endpoint_id", "status", "created_at" DESC);
