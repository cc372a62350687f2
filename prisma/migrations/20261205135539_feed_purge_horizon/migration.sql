-- AlterTable
ALTER TABLE "change_heads" ADD COLUMN     "purged_through" BIGINT NOT NULL DEFAULT 0;
