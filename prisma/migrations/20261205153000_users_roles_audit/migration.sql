-- CreateEnum
CREATE TYPE "Role" AS ENUM ('owner', 'admin', 'member', 'viewer');

-- CreateEnum
CREATE TYPE "UserLinkKind" AS ENUM ('invitation', 'password_reset');

-- DropIndex
DROP INDEX "portal_sessions_account_id_idx";

-- AlterTable
ALTER TABLE "accounts" ADD COLUMN     "access_code_sign_in" BOOLEAN NOT NULL DEFAULT true;

-- AlterTable
ALTER TABLE "api_keys" ADD COLUMN     "created_by_id" TEXT;

-- AlterTable
ALTER TABLE "portal_sessions" ADD COLUMN     "address" TEXT,
ADD COLUMN     "last_seen_at" TIMESTAMPTZ(3),
ADD COLUMN     "user_agent" TEXT,
ADD COLUMN     "user_id" TEXT;

-- CreateTable
CREATE TABLE "users" (
    "id" TEXT NOT NULL,
    "account_id" TEXT NOT NULL,
    "email" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "role" "Role" NOT NULL,
    "password_hash" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "users_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "user_links" (
    "id" TEXT NOT NULL,
    "account_id" TEXT NOT NULL,
    "user_id" TEXT NOT NULL,
    "kind" "UserLinkKind" NOT NULL,
    "token_hash" TEXT NOT NULL,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "used_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "user_links_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "audit_log" (
    "id" TEXT NOT NULL,
    "account_id" TEXT NOT NULL,
    "actor" TEXT NOT NULL,
    "address" TEXT,
    "request_id" TEXT,
    "action" TEXT NOT NULL,
    "object_type" TEXT NOT NULL,
    "object_id" TEXT,
    "changes" JSONB,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "audit_log_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "users_email_key" ON "users"("email");

-- CreateIndex
CREATE INDEX "users_account_id_created_at_idx" ON "users"("account_id", "created_at");

-- CreateIndex
CREATE UNIQUE INDEX "user_links_token_hash_key" ON "user_links"("token_hash");

-- CreateIndex
CREATE INDEX "user_links_user_id_idx" ON "user_links"("user_id");

-- CreateIndex
CREATE INDEX "audit_log_account_id_created_at_id_idx" ON "audit_log"("account_id", "created_at" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "audit_log_account_id_object_type_created_at_id_idx" ON "audit_log"("account_id", "object_type", "created_at" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "audit_log_account_id_actor_created_at_id_idx" ON "audit_log"("account_id", "actor", "created_at" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "audit_log_account_id_object_id_idx" ON "audit_log"("account_id", "object_id");

-- CreateIndex
CREATE INDEX "audit_log_created_at_idx" ON "audit_log"("created_at");

-- CreateIndex
CREATE INDEX "api_keys_created_by_id_idx" ON "api_keys"("created_by_id");

-- CreateIndex
CREATE INDEX "portal_sessions_account_id_created_at_idx" ON "portal_sessions"("account_id", "created_at");

-- CreateIndex
CREATE INDEX "portal_sessions_user_id_idx" ON "portal_sessions"("user_id");

-- AddForeignKey
ALTER TABLE "portal_sessions" ADD CONSTRAINT "portal_sessions_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_created_by_id_fkey" FOREIGN KEY ("created_by_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "users" ADD CONSTRAINT "users_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "accounts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "user_links" ADD CONSTRAINT "user_links_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "accounts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "user_links" ADD CONSTRAINT "user_links_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- ───────── the audit log (docs/decisions/0021-users-roles-audit.md) ─────────

-- One audit entry per change of an audited row, in the writer's transaction, attributed by the
-- same sqlcommenter tags as the change feed (change_tag, migration change_feed) plus the address.
-- Arguments: the object type, the column naming the account, then column names marked
-- '*name' (a secret: recorded only as {"changed": true}) or '-name' (internal: never recorded).
CREATE FUNCTION record_audit() RETURNS trigger LANGUAGE plpgsql SET timezone = 'UTC' AS $$
DECLARE
  secrets text[] := ARRAY(SELECT substr(a, 2) FROM unnest(TG_ARGV[2:]) a WHERE a LIKE '*%');
  hidden text[] := ARRAY(SELECT substr(a, 2) FROM unnest(TG_ARGV[2:]) a WHERE a LIKE '-%') || ARRAY['account_id', 'updated_at', 'created_at'];
  old_row jsonb;
  new_row jsonb;
  changed jsonb;
  act text;
  row_account text;
BEGIN
  IF TG_OP <> 'INSERT' THEN old_row := to_jsonb(OLD); END IF;
  IF TG_OP <> 'DELETE' THEN new_row := to_jsonb(NEW); END IF;
  row_account := coalesce(new_row, old_row) ->> TG_ARGV[1];
  IF row_account IS NULL THEN RETURN NULL; END IF;
  SELECT jsonb_object_agg(k, CASE
      WHEN k = ANY(secrets) THEN jsonb_build_object('changed', true)
      WHEN TG_OP = 'INSERT' THEN jsonb_build_object('to', new_row -> k)
      WHEN TG_OP = 'DELETE' THEN jsonb_build_object('from', old_row -> k)
      ELSE jsonb_build_object('from', old_row -> k, 'to', new_row -> k) END)
  INTO changed
  FROM jsonb_object_keys(coalesce(new_row, old_row)) k
  WHERE k <> ALL(hidden) AND k <> 'id'
    AND (TG_OP <> 'UPDATE' OR old_row -> k IS DISTINCT FROM new_row -> k);
  IF TG_OP = 'UPDATE' AND changed IS NULL THEN RETURN NULL; END IF;
  -- Spending SMS credits is recorded by the sends themselves; only grants and corrections are audited.
  IF TG_TABLE_NAME = 'accounts' AND TG_OP = 'UPDATE' AND changed - 'sms_credits' = '{}'::jsonb
     AND (new_row ->> 'sms_credits')::int < (old_row ->> 'sms_credits')::int THEN RETURN NULL; END IF;
  act := CASE TG_OP WHEN 'INSERT' THEN 'created' WHEN 'DELETE' THEN 'deleted' ELSE 'updated' END;
  IF TG_TABLE_NAME = 'portal_sessions' THEN
    act := CASE WHEN TG_OP = 'INSERT' THEN 'signed_in' WHEN new_row ->> 'ended_at' IS NOT NULL AND changed ? 'ended_at' THEN 'ended' ELSE NULL END;
    IF act IS NULL THEN RETURN NULL; END IF;
  END IF;
  INSERT INTO audit_log (id, account_id, actor, address, request_id, action, object_type, object_id, changes, created_at)
  VALUES (gen_random_uuid()::text, row_account, coalesce(change_tag('actor'), 'system'), change_tag('address'),
    change_tag('request_id'), TG_ARGV[0] || '.' || act, TG_ARGV[0], coalesce(new_row, old_row) ->> 'id', changed, clock_timestamp());
  RETURN NULL;
END $$;

-- Deletes (hard or soft) and restores of domain records: only what and by whom, never the record's
-- data, so an erased person leaves nothing personal here.
CREATE FUNCTION record_audit_delete() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  act text;
  old_row jsonb := to_jsonb(OLD);
BEGIN
  IF TG_OP = 'DELETE' THEN
    IF jsonb_typeof(old_row -> 'deleted_at') = 'string' THEN RETURN NULL; END IF;
    act := 'deleted';
  ELSIF (old_row -> 'deleted_at') IS NOT DISTINCT FROM (to_jsonb(NEW) -> 'deleted_at') THEN
    RETURN NULL;
  ELSE
    act := CASE WHEN jsonb_typeof(to_jsonb(NEW) -> 'deleted_at') = 'null' THEN 'restored' ELSE 'deleted' END;
  END IF;
  INSERT INTO audit_log (id, account_id, actor, address, request_id, action, object_type, object_id, created_at)
  VALUES (gen_random_uuid()::text, old_row ->> 'account_id', coalesce(change_tag('actor'), 'system'), change_tag('address'),
    change_tag('request_id'), TG_ARGV[0] || '.' || act, TG_ARGV[0], old_row ->> TG_ARGV[1], clock_timestamp());
  RETURN NULL;
END $$;

CREATE TRIGGER api_keys_audit AFTER INSERT OR UPDATE OR DELETE ON api_keys
  FOR EACH ROW EXECUTE FUNCTION record_audit('api_key', 'account_id', '*key_hash', '-last_used_at');
CREATE TRIGGER users_audit AFTER INSERT OR UPDATE OR DELETE ON users
  FOR EACH ROW EXECUTE FUNCTION record_audit('user', 'account_id', '*password_hash');
CREATE TRIGGER user_links_audit AFTER INSERT ON user_links
  FOR EACH ROW EXECUTE FUNCTION record_audit('user_link', 'account_id', '*token_hash');
CREATE TRIGGER portal_sessions_audit AFTER INSERT OR UPDATE ON portal_sessions
  FOR EACH ROW EXECUTE FUNCTION record_audit('session', 'account_id', '-token_hash', '-last_seen_at', '-expires_at', '-kind');
CREATE TRIGGER integrations_audit AFTER INSERT OR UPDATE OR DELETE ON integrations
  FOR EACH ROW EXECUTE FUNCTION record_audit('integration', 'account_id', '*secrets_encrypted');
CREATE TRIGGER webhook_endpoints_audit AFTER INSERT OR UPDATE OR DELETE ON webhook_endpoints
  FOR EACH ROW EXECUTE FUNCTION record_audit('webhook_endpoint', 'account_id', '*secret_encrypted');
CREATE TRIGGER templates_audit AFTER INSERT OR UPDATE OR DELETE ON templates
  FOR EACH ROW EXECUTE FUNCTION record_audit('template', 'account_id', '-unknown_placeholders');
CREATE TRIGGER accounts_audit AFTER UPDATE ON accounts
  FOR EACH ROW EXECUTE FUNCTION record_audit('account', 'id', '*access_code_hash', '-quote_sequence');

CREATE TRIGGER customers_audit AFTER UPDATE OF deleted_at OR DELETE ON customers
  FOR EACH ROW EXECUTE FUNCTION record_audit_delete('customer', 'id');
CREATE TRIGGER projects_audit AFTER UPDATE OF deleted_at OR DELETE ON projects
  FOR EACH ROW EXECUTE FUNCTION record_audit_delete('project', 'id');
CREATE TRIGGER leads_audit AFTER UPDATE OF deleted_at OR DELETE ON leads
  FOR EACH ROW EXECUTE FUNCTION record_audit_delete('lead', 'id');
CREATE TRIGGER quotes_audit AFTER UPDATE OF deleted_at OR DELETE ON quotes
  FOR EACH ROW EXECUTE FUNCTION record_audit_delete('quote', 'id');
CREATE TRIGGER appointments_audit AFTER UPDATE OF deleted_at OR DELETE ON appointments
  FOR EACH ROW EXECUTE FUNCTION record_audit_delete('appointment', 'id');
CREATE TRIGGER project_events_audit AFTER DELETE ON project_events
  FOR EACH ROW EXECUTE FUNCTION record_audit_delete('project_event', 'id');
CREATE TRIGGER campaigns_audit AFTER DELETE ON campaigns
  FOR EACH ROW EXECUTE FUNCTION record_audit_delete('campaign', 'id');
CREATE TRIGGER conversations_audit AFTER DELETE ON conversations
  FOR EACH ROW EXECUTE FUNCTION record_audit_delete('conversation', 'id');
CREATE TRIGGER sms_opt_outs_audit AFTER DELETE ON sms_opt_outs
  FOR EACH ROW EXECUTE FUNCTION record_audit_delete('opt_out', 'phone_hash');

-- Append-only: no statement changes an entry, and only entries older than a year may be deleted.
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' AND OLD.created_at < now() - interval '1 year' THEN RETURN OLD; END IF;
  RAISE EXCEPTION 'audit_log is append-only' USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
