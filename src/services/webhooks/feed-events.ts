/**
 * Webhooks from the change feed: the worker reads each account's feed past its own cursor (a
 * `change_consumers` row), turns the changes into events and queues them for the endpoints
 * subscribed, then moves the cursor, all in one transaction, so each change yields its events
 * exactly once. Deliveries then go through the same signed, retried outbox as every other event.
 */
import { db } from '../../db/client.js'
import { type FeedChange, feedChange } from '../changes/feed.js'
import { FEED_EVENTS, fireWebhookEvents, webhookBody } from './outbox.js'

const CONSUMER = 'webhooks'
const BATCH = 500
const MAX_BATCHES_PER_ACCOUNT = 20
const FEED_EVENT_NAMES = new Set<string>(FEED_EVENTS)
const SOFT_DELETABLE = new Set(['customer', 'project', 'lead', 'quote', 'appointment'])
const COMMUNICATION_EVENTS = new Set(['queued', 'delivered', 'cancelled'])

interface FeedEvent {
  event: string
  data: unknown
  change: FeedChange
}

/** The events one change makes (none for most); seed-defined names are left to the seed's code. */
export function eventsOf(change: FeedChange): FeedEvent[] {
  const { object_type: type, action, data, previous } = change
  const made = (event: string, payload: unknown = data): FeedEvent[] => [{ event, data: payload, change }]
  const status = (data as { status?: string } | null)?.status
  const statusChanged = action === 'created' || (previous !== null && 'status' in previous)
  let events: FeedEvent[] = []
  if (SOFT_DELETABLE.has(type)) events = made(`${type}.${action}`)
  else if (type === 'communication' && statusChanged && status && COMMUNICATION_EVENTS.has(status)) events = made(`communication.${status}`)
  else if (type === 'message' && action === 'created' && (data as { direction?: string }).direction === 'inbound')
    events = made('message.received')
  else if (type === 'conversation' && callEnded(change)) events = made('call.completed')
  else if (type === 'opt_out' && (action === 'created' || action === 'deleted'))
    events = made('opt_out.changed', { phone_hash: change.object_id, opted_out: action === 'created' })
  return events.filter((e) => FEED_EVENT_NAMES.has(e.event))
}

/** A voice conversation whose end was just recorded (the call report). */
function callEnded({ action, data, previous }: FeedChange): boolean {
  const call = data as { channel?: string; ended_at?: string | null } | null
  if (call?.channel !== 'voice' || !call.ended_at) return false
  return action === 'created' || (previous !== null && 'ended_at' in previous && previous.ended_at === null)
}

/** One `transcript.ready` per conversation whose entries a batch wrote, with those entries. */
function transcriptsOf(changes: FeedChange[]): FeedEvent[] {
  const byConversation = new Map<string, { change: FeedChange; entries: unknown[] }>()
  for (const change of changes) {
    if (change.object_type !== 'transcript_entry' || change.action !== 'created' || !change.data) continue
    const { conversation_id, speaker, text, at, position } = change.data as Record<string, unknown>
    const ready = byConversation.get(String(conversation_id)) ?? { change, entries: [] }
    ready.change = change
    ready.entries.push({ position, speaker, text, at })
    byConversation.set(String(conversation_id), ready)
  }
  return [...byConversation].map(([conversationId, { change, entries }]) => ({
    event: 'transcript.ready',
    data: { conversation_id: conversationId, entries },
    change,
  }))
}

const bodyOf = ({ event, data, change }: FeedEvent) =>
  webhookBody(event, data, {
    ...(change.previous && change.action !== 'created' ? { previous: change.previous } : {}),
    object_type: change.object_type,
    object_id: change.object_id,
    action: change.action,
    cursor: change.cursor,
    actor: change.actor,
    request_id: change.request_id,
  })

/**
 * Fans out the new changes of every account with an endpoint subscribed to a feed event (or of
 * `accountIds` only); returns how many events it queued. It reads numbered changes: the worker's
 * pass numbers the waiting ones just before (numberWaitingChanges).
 */
export async function fanOutChanges(accountIds?: readonly string[]): Promise<number> {
  const accounts = await db.$queryRaw<{ account_id: string }[]>`
    SELECT DISTINCT account_id FROM webhook_endpoints
    WHERE active AND events && ${[...FEED_EVENTS]}::text[] AND (${accountIds ? [...accountIds] : null}::text[] IS NULL OR account_id = ANY(${accountIds ? [...accountIds] : null}::text[]))`
  let queued = 0
  for (const { account_id } of accounts) queued += await fanOutAccount(account_id)
  return queued
}

async function fanOutAccount(accountId: string): Promise<number> {
  const [{ behind }] = await db.$queryRaw<{ behind: boolean }[]>`
    SELECT coalesce((SELECT position FROM change_heads WHERE account_id = ${accountId}), 0)
      > coalesce((SELECT position FROM change_consumers WHERE account_id = ${accountId} AND consumer = ${CONSUMER}), 0) AS behind`
  if (!behind) return 0
  let queued = 0
  for (let batch = 0; batch < MAX_BATCHES_PER_ACCOUNT; batch++) {
    const step = await fanOutBatch(accountId)
    queued += step.queued
    if (!step.more) break
  }
  return queued
}

async function fanOutBatch(accountId: string): Promise<{ queued: number; more: boolean }> {
  return db.$transaction(async (tx) => {
    await tx.$executeRaw`
      INSERT INTO change_consumers (account_id, consumer, position) VALUES (${accountId}, ${CONSUMER}, 0) ON CONFLICT DO NOTHING`
    // Another process fanning this account out holds the row: it is that process's turn.
    const [cursor] = await tx.$queryRaw<{ position: bigint }[]>`
      SELECT position FROM change_consumers WHERE account_id = ${accountId} AND consumer = ${CONSUMER} FOR UPDATE SKIP LOCKED`
    if (!cursor) return { queued: 0, more: false }
    const rows = await tx.$queryRaw<Parameters<typeof feedChange>[0][]>`
      SELECT position, object_type, object_id, action, data, previous, actor, request_id, changed_at
      FROM changes WHERE account_id = ${accountId} AND position > ${cursor.position} ORDER BY position LIMIT ${BATCH}`
    if (rows.length === 0) return { queued: 0, more: false }
    const changes = rows.map(feedChange)
    const events = [...changes.flatMap(eventsOf), ...transcriptsOf(changes)]
    const queued = await fireWebhookEvents(
      tx,
      events.map((e) => ({ accountId, event: e.event, body: bodyOf(e), since: e.change.changed_at })),
    )
    await tx.$executeRaw`
      UPDATE change_consumers SET position = ${rows.at(-1)!.position} WHERE account_id = ${accountId} AND consumer = ${CONSUMER}`
    return { queued, more: rows.length === BATCH }
  })
}
