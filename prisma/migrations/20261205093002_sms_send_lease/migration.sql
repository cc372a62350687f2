-- AlterTable
ALTER TABLE "messages" ADD COLUMN     "send_lease_expires_at" TIMESTAMPTZ(3);

-- CreateIndex
CREATE INDEX "messages_send_lease_expires_at_idx" ON "messages"("send_lease_expires_at");
