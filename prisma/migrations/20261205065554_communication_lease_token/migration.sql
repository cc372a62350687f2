-- AlterTable
ALTER TABLE "communications" ADD COLUMN     "lease_token" TEXT;
