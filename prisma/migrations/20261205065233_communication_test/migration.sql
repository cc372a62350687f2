-- AlterTable
ALTER TABLE "communications" ADD COLUMN     "test" BOOLEAN NOT NULL DEFAULT false;
