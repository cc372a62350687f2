/**
 * Firing an outgoing webhook event: one WebhookDelivery row per active endpoint of the account
 * subscribed to it, written in the caller's transaction (an outbox), so an event exists exactly
 * when the change that caused it was committed. Delivery happens later (./delivery.ts); the API
 * call that fired the event never waits for a receiver.
 */
import type { Prisma } from '../../generated/prisma/client.js'
import { traceparent, tracingOn } from '../../http/tracing.js'

/**
 * The seed's events (shared spec leads-api.md): fired by the code that makes the change, with
 * their documented payloads. `test` is sent on request only.
 */
export const SEED_EVENTS = [
  'lead.created',
  'lead.updated',
  'quote.accepted',
  'quote.declined',
  'appointment.booked',
  'sale.completed',
  'project.status_changed',
  'communication.sent',
  'communication.failed',
] as const

/**
 * Events made from the change feed (./feed-events.ts). A name the seed defines is never made from
 * the feed: its seed event is sent instead, once.
 */
export const FEED_EVENTS = [
  ...['customer', 'project', 'quote', 'appointment'].flatMap((type) =>
    ['created', 'updated', 'deleted', 'restored'].map((action) => `${type}.${action}`),
  ),
  'lead.deleted',
  'lead.restored',
  'communication.queued',
  'communication.delivered',
  'communication.cancelled',
  'message.received',
  'call.completed',
  'transcript.ready',
  'opt_out.changed',
]

/** Every event an endpoint can subscribe to. */
export const WEBHOOK_EVENTS: readonly string[] = [...SEED_EVENTS, ...FEED_EVENTS]
export type WebhookEvent = (typeof SEED_EVENTS)[number]

/** The exact body every attempt sends and signs: `{"event","timestamp","data", …extra}`. */
export const webhookBody = (event: string, data: unknown, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ event, timestamp: new Date().toISOString(), data, ...extra })

/**
 * Queues `event` for every subscribed endpoint in one INSERT … SELECT (no read-then-write
 * race with an endpoint being added or removed). `extra` adds top-level keys, e.g. `previous`.
 */
export function fireWebhookEvent(
  tx: Prisma.TransactionClient,
  accountId: string,
  event: WebhookEvent,
  data: unknown,
  extra: Record<string, unknown> = {},
): Promise<number> {
  return fireWebhookEvents(tx, [{ accountId, event, body: webhookBody(event, data, extra) }])
}

/**
 * Many events in the same one statement (the worker records a batch of sends at once). An event
 * with `since` goes only to endpoints that existed by then (the feed's changes are fanned out
 * after the fact: an endpoint does not receive what happened before it was added). An event's
 * delivery continues the trace of `traceContext`, by default the active span's (tracing on).
 */
export async function fireWebhookEvents(
  tx: Prisma.TransactionClient,
  events: { accountId: string; event: string; body: string; since?: string; traceContext?: string | null }[],
): Promise<number> {
  if (events.length === 0) return 0
  const active = tracingOn() ? traceparent() : null
  const traced = active ? events.map((e) => ({ ...e, traceContext: e.traceContext ?? active })) : events
  return tx.$executeRaw`
    INSERT INTO webhook_deliveries (id, account_id, endpoint_id, event, body, trace_context)
    SELECT gen_random_uuid()::text, e.account_id, e.id, t.event, t.body, t."traceContext"
    FROM json_to_recordset(${JSON.stringify(traced)}::json) AS t("accountId" text, event text, body text, since timestamptz, "traceContext" text)
    JOIN webhook_endpoints e ON e.account_id = t."accountId" AND e.active AND t.event = ANY(e.events)
      AND (t.since IS NULL OR e.created_at <= t.since)`
}
