-- CreateEnum
CREATE TYPE "csv_import_kind" AS ENUM ('customers', 'leads');

-- CreateEnum
CREATE TYPE "csv_import_status" AS ENUM ('uploading', 'uploaded', 'checking', 'checked', 'importing', 'done', 'cancelled');

-- CreateTable
CREATE TABLE "csv_imports" (
    "id" TEXT NOT NULL,
    "account_id" TEXT NOT NULL,
    "kind" "csv_import_kind" NOT NULL,
    "file_name" TEXT NOT NULL,
    "status" "csv_import_status" NOT NULL DEFAULT 'uploading',
    "columns" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "mapping" JSONB NOT NULL DEFAULT '{}',
    "size_bytes" INTEGER NOT NULL DEFAULT 0,
    "chunk_count" INTEGER NOT NULL DEFAULT 0,
    "total_rows" INTEGER NOT NULL DEFAULT 0,
    "processed_rows" INTEGER NOT NULL DEFAULT 0,
    "problem_rows" INTEGER NOT NULL DEFAULT 0,
    "created_rows" INTEGER NOT NULL DEFAULT 0,
    "updated_rows" INTEGER NOT NULL DEFAULT 0,
    "lease_expires_at" TIMESTAMPTZ(3),
    "lease_token" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,
    "finished_at" TIMESTAMPTZ(3),

    CONSTRAINT "csv_imports_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "csv_import_chunks" (
    "import_id" TEXT NOT NULL,
    "account_id" TEXT NOT NULL,
    "seq" INTEGER NOT NULL,
    "bytes" BYTEA NOT NULL,

    CONSTRAINT "csv_import_chunks_pkey" PRIMARY KEY ("import_id","seq")
);

-- CreateTable
CREATE TABLE "csv_import_problems" (
    "id" TEXT NOT NULL,
    "import_id" TEXT NOT NULL,
    "account_id" TEXT NOT NULL,
    "line" INTEGER NOT NULL,
    "message" TEXT NOT NULL,

    CONSTRAINT "csv_import_problems_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "csv_imports_account_id_created_at_id_idx" ON "csv_imports"("account_id", "created_at" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "csv_imports_status_lease_expires_at_idx" ON "csv_imports"("status", "lease_expires_at");

-- CreateIndex
CREATE INDEX "csv_import_chunks_account_id_idx" ON "csv_import_chunks"("account_id");

-- CreateIndex
CREATE INDEX "csv_import_problems_import_id_line_idx" ON "csv_import_problems"("import_id", "line");

-- CreateIndex
CREATE INDEX "csv_import_problems_account_id_idx" ON "csv_import_problems"("account_id");

-- AddForeignKey
ALTER TABLE "csv_imports" ADD CONSTRAINT "csv_imports_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "accounts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "csv_import_chunks" ADD CONSTRAINT "csv_import_chunks_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "accounts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "csv_import_chunks" ADD CONSTRAINT "csv_import_chunks_import_id_fkey" FOREIGN KEY ("import_id") REFERENCES "csv_imports"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "csv_import_problems" ADD CONSTRAINT "csv_import_problems_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "accounts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "csv_import_problems" ADD CONSTRAINT "csv_import_problems_import_id_fkey" FOREIGN KEY ("import_id") REFERENCES "csv_imports"("id") ON DELETE CASCADE ON UPDATE CASCADE;
