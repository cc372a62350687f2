-- CreateTable
CREATE TABLE "changes" (
    "id" BIGSERIAL NOT NULL,
    "account_id" TEXT NOT NULL,
    "position" BIGINT,
    "object_type" TEXT NOT NULL,
    "object_id" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "data" JSONB,
    "previous" JSONB,
    "actor" TEXT NOT NULL,
    "request_id" TEXT,
    "changed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "changes_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "change_heads" (
    "account_id" TEXT NOT NULL,
    "position" BIGINT NOT NULL DEFAULT 0,

    CONSTRAINT "change_heads_pkey" PRIMARY KEY ("account_id")
);

-- CreateTable
CREATE TABLE "change_consumers" (
    "account_id" TEXT NOT NULL,
    "consumer" TEXT NOT NULL,
    "position" BIGINT NOT NULL,

    CONSTRAINT "change_consumers_pkey" PRIMARY KEY ("account_id","consumer")
);

-- CreateIndex
CREATE INDEX "changes_account_id_object_id_idx" ON "changes"("account_id", "object_id");

-- CreateIndex
CREATE INDEX "changes_changed_at_idx" ON "changes"("changed_at");

-- CreateIndex
CREATE UNIQUE INDEX "changes_account_id_position_key" ON "changes"("account_id", "position");

-- ───────── the change feed (docs/decisions/0016-change-feed.md) ─────────

-- Who made a change and in which request. The server appends both to every statement it sends, as
-- an sqlcommenter comment (/*actor='api_key%3A…',request_id='…'*/, src/db/client.ts), so even a
-- single statement outside a transaction carries them; a script may set crm.actor and
-- crm.request_id transaction-locally instead. Values hold only [A-Za-z0-9._:-]; ':' arrives as %3A.
CREATE FUNCTION change_tag(tag text) RETURNS text LANGUAGE sql STABLE AS $$
  SELECT coalesce(
    nullif(current_setting('crm.' || tag, true), ''),
    replace(substring(right(current_query(), 400) FROM '/\*(?:[^*]*,)?' || tag || '=''([^'']*)''[^*]*\*/\s*;?\s*$'), '%3A', ':'))
$$;

-- One row of `changes` per created, updated or deleted row, in the writer's transaction.
-- Arguments: the object type, the column naming the object, then the columns the API never shows.
-- An update that changes nothing but internal columns or updated_at is not a change. A soft-delete
-- column going from null to a time is a delete (the data is a tombstone), and back is a restore;
-- the purge of a soft-deleted row records nothing more.
-- Timestamps are written in UTC, as the API shows them.
CREATE FUNCTION record_change() RETURNS trigger LANGUAGE plpgsql SET timezone = 'UTC' AS $$
DECLARE
  hidden text[] := array_append(TG_ARGV[2:], 'account_id');
  old_row jsonb;
  new_row jsonb;
  changed jsonb;
  act text;
  row_account text;
  row_id text;
BEGIN
  IF TG_OP <> 'INSERT' THEN old_row := to_jsonb(OLD); END IF;
  IF TG_OP <> 'DELETE' THEN new_row := to_jsonb(NEW); END IF;
  row_account := coalesce(new_row, old_row) ->> 'account_id';
  row_id := coalesce(new_row, old_row) ->> TG_ARGV[1];
  old_row := old_row - hidden;
  new_row := new_row - hidden;
  IF TG_OP = 'INSERT' THEN
    act := 'created';
  ELSIF TG_OP = 'DELETE' THEN
    -- Purging a soft-deleted row is not news: its delete was recorded when deleted_at was set.
    IF jsonb_typeof(old_row -> 'deleted_at') = 'string' THEN RETURN NULL; END IF;
    act := 'deleted';
    changed := old_row;
  ELSE
    SELECT jsonb_object_agg(o.key, o.value) INTO changed FROM jsonb_each(old_row) o
    WHERE o.key <> 'updated_at' AND o.value IS DISTINCT FROM new_row -> o.key;
    IF changed IS NULL THEN RETURN NULL; END IF;
    act := CASE
      WHEN NOT changed ? 'deleted_at' THEN 'updated'
      WHEN jsonb_typeof(new_row -> 'deleted_at') = 'null' THEN 'restored'
      WHEN jsonb_typeof(changed -> 'deleted_at') = 'null' THEN 'deleted'
      ELSE 'updated' END;
  END IF;
  INSERT INTO changes (account_id, object_type, object_id, action, data, previous, actor, request_id, changed_at)
  VALUES (row_account, TG_ARGV[0], row_id, act,
    CASE WHEN act = 'deleted' THEN jsonb_build_object('id', row_id, 'deleted', true) ELSE new_row END,
    changed, coalesce(change_tag('actor'), 'system'), change_tag('request_id'), clock_timestamp());
  RETURN NULL;
END $$;

CREATE TRIGGER customers_changes AFTER INSERT OR UPDATE OR DELETE ON customers
  FOR EACH ROW EXECUTE FUNCTION record_change('customer', 'id', 'search_text');
CREATE TRIGGER projects_changes AFTER INSERT OR UPDATE OR DELETE ON projects
  FOR EACH ROW EXECUTE FUNCTION record_change('project', 'id');
CREATE TRIGGER project_events_changes AFTER INSERT OR UPDATE OR DELETE ON project_events
  FOR EACH ROW EXECUTE FUNCTION record_change('project_event', 'id');
CREATE TRIGGER leads_changes AFTER INSERT OR UPDATE OR DELETE ON leads
  FOR EACH ROW EXECUTE FUNCTION record_change('lead', 'id', 'search_text');
CREATE TRIGGER quotes_changes AFTER INSERT OR UPDATE OR DELETE ON quotes
  FOR EACH ROW EXECUTE FUNCTION record_change('quote', 'id');
CREATE TRIGGER quote_line_items_changes AFTER INSERT OR UPDATE OR DELETE ON quote_line_items
  FOR EACH ROW EXECUTE FUNCTION record_change('quote_line_item', 'id');
CREATE TRIGGER appointments_changes AFTER INSERT OR UPDATE OR DELETE ON appointments
  FOR EACH ROW EXECUTE FUNCTION record_change('appointment', 'id');
CREATE TRIGGER communications_changes AFTER INSERT OR UPDATE OR DELETE ON communications
  FOR EACH ROW EXECUTE FUNCTION record_change('communication', 'id', 'test', 'next_attempt_at', 'lease_expires_at', 'lease_token');
CREATE TRIGGER conversations_changes AFTER INSERT OR UPDATE OR DELETE ON conversations
  FOR EACH ROW EXECUTE FUNCTION record_change('conversation', 'id');
CREATE TRIGGER messages_changes AFTER INSERT OR UPDATE OR DELETE ON messages
  FOR EACH ROW EXECUTE FUNCTION record_change('message', 'id', 'send_lease_expires_at');
CREATE TRIGGER transcript_entries_changes AFTER INSERT OR UPDATE OR DELETE ON transcript_entries
  FOR EACH ROW EXECUTE FUNCTION record_change('transcript_entry', 'id');
CREATE TRIGGER sms_opt_outs_changes AFTER INSERT OR UPDATE OR DELETE ON sms_opt_outs
  FOR EACH ROW EXECUTE FUNCTION record_change('opt_out', 'phone_hash');
CREATE TRIGGER templates_changes AFTER INSERT OR UPDATE OR DELETE ON templates
  FOR EACH ROW EXECUTE FUNCTION record_change('template', 'id');
CREATE TRIGGER campaigns_changes AFTER INSERT OR UPDATE OR DELETE ON campaigns
  FOR EACH ROW EXECUTE FUNCTION record_change('campaign', 'id');

-- Numbers an account's committed, not yet numbered changes, after every number handed out before
-- (the account's change_heads row, locked, serialises this): a reader that has seen position N
-- never later finds a change numbered below N. Within one call, changes keep the order they were
-- written in, which for any one row is the order its writers committed in (a writer of a row waits
-- for the previous writer's commit). At most `batch` changes a call, the oldest written first (a
-- change is never numbered before an earlier-written change of the same row, which committed
-- first). Returns how many it numbered.
-- Plans are fixed to index lookups: the unnumbered changes are found through (account_id, position)
-- by a plain index scan and numbered by primary key, one lookup each. Their share of the table
-- swings from all to none between two ANALYZEs, so the planner's estimates are often wrong (it
-- would scan or hash the whole table), and a plain index scan, unlike a bitmap scan, marks the
-- entries a numbering left dead, so the next call skips them.
CREATE FUNCTION sequence_changes(account text, batch integer DEFAULT 10000) RETURNS bigint LANGUAGE plpgsql
SET enable_seqscan = off SET enable_bitmapscan = off SET enable_hashjoin = off SET enable_mergejoin = off AS $$
DECLARE
  head bigint;
  numbered bigint;
BEGIN
  IF NOT EXISTS (SELECT 1 FROM changes WHERE account_id = account AND position IS NULL) THEN RETURN 0; END IF;
  INSERT INTO change_heads (account_id) VALUES (account) ON CONFLICT DO NOTHING;
  SELECT h.position INTO head FROM change_heads h WHERE h.account_id = account FOR UPDATE;
  -- A new statement, so a new snapshot: it sees every change committed before the lock was ours.
  -- MATERIALIZED: through (account_id, position), never by walking every account's ids in order.
  WITH pending AS MATERIALIZED (
    SELECT id FROM changes WHERE account_id = account AND position IS NULL
  ), todo AS (
    SELECT c.id, head + row_number() OVER (ORDER BY c.id) AS next_position
    FROM (SELECT id FROM pending ORDER BY id LIMIT batch) c
  )
  UPDATE changes c SET position = todo.next_position FROM todo WHERE c.id = todo.id;
  GET DIAGNOSTICS numbered = ROW_COUNT;
  UPDATE change_heads h SET position = head + numbered WHERE h.account_id = account;
  RETURN numbered;
END $$;
