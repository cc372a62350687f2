-- CreateIndex
CREATE INDEX "communications_account_id_lead_id_created_at_idx" ON "communications"("account_id", "lead_id", "created_at" DESC);

-- CreateIndex
CREATE INDEX "conversations_customer_id_idx" ON "conversations"("customer_id");

-- CreateIndex
CREATE INDEX "conversations_lead_id_idx" ON "conversations"("lead_id");
