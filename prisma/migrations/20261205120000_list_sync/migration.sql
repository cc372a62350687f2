-- AlterTable
ALTER TABLE "messages" ADD COLUMN     "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP;

-- AlterTable
ALTER TABLE "project_events" ADD COLUMN     "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP;

-- Rows written before the column existed were last changed when they were written, as far as anyone knows.
UPDATE "messages" SET "updated_at" = "created_at";
UPDATE "project_events" SET "updated_at" = "created_at";

-- CreateIndex
CREATE INDEX "appointments_account_id_updated_at_id_idx" ON "appointments"("account_id", "updated_at" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "appointments_account_id_start_time_id_idx" ON "appointments"("account_id", "start_time" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "campaigns_account_id_updated_at_id_idx" ON "campaigns"("account_id", "updated_at" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "campaigns_account_id_created_at_id_idx" ON "campaigns"("account_id", "created_at" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "communications_account_id_updated_at_id_idx" ON "communications"("account_id", "updated_at" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "conversations_account_id_updated_at_id_idx" ON "conversations"("account_id", "updated_at" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "conversations_account_id_started_at_id_idx" ON "conversations"("account_id", "started_at" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "customers_account_id_updated_at_id_idx" ON "customers"("account_id", "updated_at" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "leads_account_id_updated_at_id_idx" ON "leads"("account_id", "updated_at" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "messages_conversation_id_updated_at_id_idx" ON "messages"("conversation_id", "updated_at", "id");

-- CreateIndex
CREATE INDEX "project_events_project_id_updated_at_id_idx" ON "project_events"("project_id", "updated_at" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "project_events_project_id_occurred_at_id_idx" ON "project_events"("project_id", "occurred_at" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "projects_account_id_updated_at_id_idx" ON "projects"("account_id", "updated_at" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "quotes_account_id_updated_at_id_idx" ON "quotes"("account_id", "updated_at" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "templates_account_id_updated_at_id_idx" ON "templates"("account_id", "updated_at" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "templates_account_id_created_at_id_idx" ON "templates"("account_id", "created_at" DESC, "id" DESC);
