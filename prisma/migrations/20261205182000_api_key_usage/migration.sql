-- CreateTable
CREATE TABLE "api_key_usage" (
    "account_id" TEXT NOT NULL,
    "api_key_id" TEXT NOT NULL,
    "hour" TIMESTAMPTZ(3) NOT NULL,
    "requests" INTEGER NOT NULL DEFAULT 0,
    "refused" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "api_key_usage_pkey" PRIMARY KEY ("account_id","hour","api_key_id")
);

-- CreateIndex
CREATE INDEX "api_key_usage_api_key_id_idx" ON "api_key_usage"("api_key_id");

-- CreateIndex
CREATE INDEX "api_key_usage_hour_idx" ON "api_key_usage"("hour");

-- CreateIndex
CREATE INDEX "messages_sms_credits_idx" ON "messages"("account_id", "created_at") WHERE (provider = 'twilio' AND direction = 'outbound');

-- AddForeignKey
ALTER TABLE "api_key_usage" ADD CONSTRAINT "api_key_usage_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "accounts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "api_key_usage" ADD CONSTRAINT "api_key_usage_api_key_id_fkey" FOREIGN KEY ("api_key_id") REFERENCES "api_keys"("id") ON DELETE CASCADE ON UPDATE CASCADE;
