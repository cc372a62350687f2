-- ───────── live subscriptions (docs/decisions/0019-live-subscriptions.md) ─────────

-- A NOTIFY on `crm_live` tells every listening server process that an account has new committed
-- changes ('c:<account>') or that a webhook delivery moved ('d:<account>:<endpoint>:<delivery>').
-- PostgreSQL delivers a NOTIFY only when its transaction commits (never for a rollback) and sends
-- one notice per distinct payload per transaction, so a bulk write of one account is one notice.
-- The notice carries no data: listeners read the change feed from their own cursor.
CREATE FUNCTION notify_live_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('crm_live', 'c:' || NEW.account_id);
  RETURN NULL;
END
$$;

CREATE TRIGGER changes_notify_live AFTER INSERT ON "changes"
  FOR EACH ROW EXECUTE FUNCTION notify_live_change();

CREATE FUNCTION notify_live_delivery() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('crm_live', 'd:' || NEW.account_id || ':' || NEW.endpoint_id || ':' || NEW.id);
  RETURN NULL;
END
$$;

CREATE TRIGGER webhook_deliveries_notify_live_insert AFTER INSERT ON "webhook_deliveries"
  FOR EACH ROW EXECUTE FUNCTION notify_live_delivery();

-- A worker's lease claim alone is not news: only what a delivery's reader sees.
CREATE TRIGGER webhook_deliveries_notify_live_update AFTER UPDATE ON "webhook_deliveries"
  FOR EACH ROW WHEN (
    OLD.status IS DISTINCT FROM NEW.status OR OLD.attempts IS DISTINCT FROM NEW.attempts
    OR OLD.last_status_code IS DISTINCT FROM NEW.last_status_code OR OLD.delivered_at IS DISTINCT FROM NEW.delivered_at)
  EXECUTE FUNCTION notify_live_delivery();
