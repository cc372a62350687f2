-- Soft delete (deleted_at, with list indexes that skip deleted rows) and the hashed STOP list.
-- docs/decisions/0015-soft-delete-and-erasure.md

-- DropIndex
DROP INDEX "appointments_account_id_appointment_type_created_at_idx";

-- DropIndex
DROP INDEX "appointments_account_id_created_at_id_idx";

-- DropIndex
DROP INDEX "customers_account_id_created_at_id_idx";

-- DropIndex
DROP INDEX "customers_account_id_external_id_key";

-- DropIndex
DROP INDEX "leads_account_id_ai_status_created_at_idx";

-- DropIndex
DROP INDEX "leads_account_id_created_at_id_idx";

-- DropIndex
DROP INDEX "leads_account_id_pipeline_stage_created_at_idx";

-- DropIndex
DROP INDEX "projects_account_id_created_at_id_idx";

-- DropIndex
DROP INDEX "projects_account_id_customer_id_created_at_idx";

-- DropIndex
DROP INDEX "projects_account_id_pipeline_stage_created_at_idx";

-- DropIndex
DROP INDEX "projects_account_id_project_status_created_at_idx";

-- DropIndex
DROP INDEX "quotes_account_id_created_at_id_idx";

-- DropIndex
DROP INDEX "quotes_account_id_status_created_at_idx";

-- AlterTable
ALTER TABLE "appointments" ADD COLUMN     "deleted_at" TIMESTAMPTZ(3);

-- AlterTable
ALTER TABLE "customers" ADD COLUMN     "deleted_at" TIMESTAMPTZ(3);

-- AlterTable
ALTER TABLE "leads" ADD COLUMN     "deleted_at" TIMESTAMPTZ(3);

-- AlterTable
ALTER TABLE "projects" ADD COLUMN     "deleted_at" TIMESTAMPTZ(3);

-- AlterTable
ALTER TABLE "quotes" ADD COLUMN     "deleted_at" TIMESTAMPTZ(3);

-- AlterTable: the STOP list keeps only SHA-256("<account id>:<phone>"), computed here for the
-- numbers already in it (src/services/opt-out.ts computes the same hash).
ALTER TABLE "sms_opt_outs" ADD COLUMN "phone_hash" TEXT;
UPDATE "sms_opt_outs" SET "phone_hash" = encode(sha256(convert_to("account_id" || ':' || "phone", 'UTF8')), 'hex');
ALTER TABLE "sms_opt_outs" DROP CONSTRAINT "sms_opt_outs_pkey",
DROP COLUMN "phone",
ALTER COLUMN "phone_hash" SET NOT NULL,
ADD CONSTRAINT "sms_opt_outs_pkey" PRIMARY KEY ("account_id", "phone_hash");

-- CreateIndex
CREATE INDEX "appointments_account_id_created_at_id_idx" ON "appointments"("account_id", "created_at" DESC, "id" DESC) WHERE (deleted_at IS NULL);

-- CreateIndex
CREATE INDEX "appointments_account_id_appointment_type_created_at_idx" ON "appointments"("account_id", "appointment_type", "created_at" DESC) WHERE (deleted_at IS NULL);

-- CreateIndex
CREATE INDEX "appointments_deleted_at_idx" ON "appointments"("deleted_at") WHERE (deleted_at IS NOT NULL);

-- CreateIndex
CREATE INDEX "customers_account_id_created_at_id_idx" ON "customers"("account_id", "created_at" DESC, "id" DESC) WHERE (deleted_at IS NULL);

-- CreateIndex
CREATE INDEX "customers_deleted_at_idx" ON "customers"("deleted_at") WHERE (deleted_at IS NOT NULL);

-- CreateIndex
CREATE UNIQUE INDEX "customers_account_id_external_id_key" ON "customers"("account_id", "external_id") WHERE (deleted_at IS NULL);

-- CreateIndex
CREATE INDEX "leads_account_id_created_at_id_idx" ON "leads"("account_id", "created_at" DESC, "id" DESC) WHERE (deleted_at IS NULL);

-- CreateIndex
CREATE INDEX "leads_account_id_pipeline_stage_created_at_idx" ON "leads"("account_id", "pipeline_stage", "created_at" DESC) WHERE (deleted_at IS NULL);

-- CreateIndex
CREATE INDEX "leads_account_id_ai_status_created_at_idx" ON "leads"("account_id", "ai_status", "created_at" DESC) WHERE (deleted_at IS NULL);

-- CreateIndex
CREATE INDEX "leads_deleted_at_idx" ON "leads"("deleted_at") WHERE (deleted_at IS NOT NULL);

-- CreateIndex
CREATE INDEX "projects_account_id_created_at_id_idx" ON "projects"("account_id", "created_at" DESC, "id" DESC) WHERE (deleted_at IS NULL);

-- CreateIndex
CREATE INDEX "projects_account_id_pipeline_stage_created_at_idx" ON "projects"("account_id", "pipeline_stage", "created_at" DESC) WHERE (deleted_at IS NULL);

-- CreateIndex
CREATE INDEX "projects_account_id_project_status_created_at_idx" ON "projects"("account_id", "project_status", "created_at" DESC) WHERE (deleted_at IS NULL);

-- CreateIndex
CREATE INDEX "projects_account_id_customer_id_created_at_idx" ON "projects"("account_id", "customer_id", "created_at" DESC) WHERE (deleted_at IS NULL);

-- CreateIndex
CREATE INDEX "projects_deleted_at_idx" ON "projects"("deleted_at") WHERE (deleted_at IS NOT NULL);

-- CreateIndex
CREATE INDEX "quotes_account_id_created_at_id_idx" ON "quotes"("account_id", "created_at" DESC, "id" DESC) WHERE (deleted_at IS NULL);

-- CreateIndex
CREATE INDEX "quotes_account_id_status_created_at_idx" ON "quotes"("account_id", "status", "created_at" DESC) WHERE (deleted_at IS NULL);

-- CreateIndex
CREATE INDEX "quotes_deleted_at_idx" ON "quotes"("deleted_at") WHERE (deleted_at IS NOT NULL);
