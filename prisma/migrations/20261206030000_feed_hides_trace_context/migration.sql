-- A communication's trace context is the worker's bookkeeping for tracing, not the record's data:
-- the change feed (and the webhooks and subscriptions it feeds) leaves it out, as it does the lease.
DROP TRIGGER communications_changes ON communications;
CREATE TRIGGER communications_changes AFTER INSERT OR UPDATE OR DELETE ON communications
  FOR EACH ROW EXECUTE FUNCTION record_change('communication', 'id', 'test', 'next_attempt_at', 'lease_expires_at', 'lease_token', 'trace_context');
