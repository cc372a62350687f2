-- AlterTable
ALTER TABLE "communications" ADD COLUMN     "trace_context" TEXT;

-- AlterTable
ALTER TABLE "webhook_deliveries" ADD COLUMN     "trace_context" TEXT;
