-- The lists of deleted records (a connection's `deleted` argument): an account's rows deleted
-- within the restore window, newest deletion first.

-- CreateIndex
CREATE INDEX "appointments_account_id_deleted_at_idx" ON "appointments"("account_id", "deleted_at" DESC) WHERE (deleted_at IS NOT NULL);

-- CreateIndex
CREATE INDEX "customers_account_id_deleted_at_idx" ON "customers"("account_id", "deleted_at" DESC) WHERE (deleted_at IS NOT NULL);

-- CreateIndex
CREATE INDEX "leads_account_id_deleted_at_idx" ON "leads"("account_id", "deleted_at" DESC) WHERE (deleted_at IS NOT NULL);

-- CreateIndex
CREATE INDEX "projects_account_id_deleted_at_idx" ON "projects"("account_id", "deleted_at" DESC) WHERE (deleted_at IS NOT NULL);

-- CreateIndex
CREATE INDEX "quotes_account_id_deleted_at_idx" ON "quotes"("account_id", "deleted_at" DESC) WHERE (deleted_at IS NOT NULL);
