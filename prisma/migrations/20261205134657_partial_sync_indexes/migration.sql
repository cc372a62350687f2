-- DropIndex
DROP INDEX "appointments_account_id_start_time_id_idx";

-- DropIndex
DROP INDEX "appointments_account_id_updated_at_id_idx";

-- DropIndex
DROP INDEX "customers_account_id_updated_at_id_idx";

-- DropIndex
DROP INDEX "leads_account_id_updated_at_id_idx";

-- DropIndex
DROP INDEX "projects_account_id_updated_at_id_idx";

-- DropIndex
DROP INDEX "quotes_account_id_updated_at_id_idx";

-- CreateIndex
CREATE INDEX "appointments_account_id_updated_at_id_idx" ON "appointments"("account_id", "updated_at" DESC, "id" DESC) WHERE (deleted_at IS NULL);

-- CreateIndex
CREATE INDEX "appointments_account_id_start_time_id_idx" ON "appointments"("account_id", "start_time" DESC, "id" DESC) WHERE (deleted_at IS NULL);

-- CreateIndex
CREATE INDEX "customers_account_id_updated_at_id_idx" ON "customers"("account_id", "updated_at" DESC, "id" DESC) WHERE (deleted_at IS NULL);

-- CreateIndex
CREATE INDEX "leads_account_id_updated_at_id_idx" ON "leads"("account_id", "updated_at" DESC, "id" DESC) WHERE (deleted_at IS NULL);

-- CreateIndex
CREATE INDEX "projects_account_id_updated_at_id_idx" ON "projects"("account_id", "updated_at" DESC, "id" DESC) WHERE (deleted_at IS NULL);

-- CreateIndex
CREATE INDEX "quotes_account_id_updated_at_id_idx" ON "quotes"("account_id", "updated_at" DESC, "id" DESC) WHERE (deleted_at IS NULL);
