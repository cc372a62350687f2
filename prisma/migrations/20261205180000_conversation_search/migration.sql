-- The inbox searches conversations by the other party's phone or email and by the email subject:
-- one generated, trigram-indexed column (as customers and leads have), so a substring search is
-- one indexed LIKE. The fields are joined by a line break, which search terms never contain.
ALTER TABLE "conversations" ADD COLUMN "search_text" TEXT GENERATED ALWAYS AS (lower("participant" || chr(10) || coalesce("subject", ''))) STORED;

CREATE INDEX "conversations_search_trgm_idx" ON "conversations" USING GIN ("search_text" gin_trgm_ops);

-- The change feed leaves the generated column out of a conversation's recorded data.
DROP TRIGGER conversations_changes ON conversations;
CREATE TRIGGER conversations_changes AFTER INSERT OR UPDATE OR DELETE ON conversations
  FOR EACH ROW EXECUTE FUNCTION record_change('conversation', 'id', 'search_text');
