-- CreateIndex
CREATE INDEX "changes_unnumbered_idx" ON "changes"("account_id", "id") WHERE (position IS NULL);
