/**
 * Outbound messages join the conversation with their recipient (crm-api.md: conversations come
 * from, among others, outbound messages sent through this server), so /v1 shows them.
 * The worker records a whole batch of sends at once, so appending is written for many messages
 * in a fixed number of statements; one message is the batch of one.
 *
 * The statements are raw SQL reading their rows from one JSON parameter (json_to_recordset):
 * Prisma compiles a createMany afresh for every row count (no plan cache), which cost ~1 ms of
 * CPU per row here, and expands array parameters element by element.
 */
import { v7 as uuidv7 } from 'uuid'
import type { Prisma } from '../generated/prisma/client.js'
import type { ConversationChannel, MessageSender } from '../generated/prisma/enums.js'

export interface OutboundMessage {
  accountId: string
  channel: ConversationChannel
  participant: string
  customerId?: string | null
  /** A lead's messages keep to that lead's conversation with the number. */
  leadId?: string
  content: string
  sender: MessageSender
  provider: string
  providerMessageId: string | null
  status: string
}

export interface Appended {
  conversationId: string
  messageId: string
}

/** Appends to the newest conversation with this participant on this channel, opening one on first use. */
export async function appendOutbound(tx: Prisma.TransactionClient, message: OutboundMessage): Promise<Appended> {
  const [appended] = await appendOutboundMany(tx, [message])
  return appended
}

interface Thread {
  first: OutboundMessage
  count: number
  id?: string
}

/** `appendOutbound` for many messages; the answer is in the order of `messages`. */
export async function appendOutboundMany(tx: Prisma.TransactionClient, messages: OutboundMessage[]): Promise<Appended[]> {
  if (messages.length === 0) return []
  const now = new Date()
  // Serialises sends to one recipient so two concurrent first messages open one conversation.
  // Sorted, so two transactions wanting the same locks take them in the same order (no deadlock).
  const lockKeys = [...new Set(messages.map((m) => `${m.accountId}:${m.channel}:${m.participant}`))].sort()
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(key)) FROM unnest(${lockKeys}::text[]) AS key`

  const threads = new Map<string, Thread>()
  for (const m of messages) {
    const thread = threads.get(threadKey(m))
    if (thread) thread.count++
    else threads.set(threadKey(m), { first: m, count: 1 })
  }
  const wanted = [...threads].map(([key, { first: m }]) => ({
    key,
    account_id: m.accountId,
    channel: m.channel,
    participant: m.participant,
    lead_id: m.leadId ?? null,
  }))
  const existing = await tx.$queryRaw<{ key: string; id: string }[]>`
    SELECT DISTINCT ON (t.key) t.key, c.id
    FROM json_to_recordset(${JSON.stringify(wanted)}::json) AS t(key text, account_id text, channel text, participant text, lead_id text)
    JOIN conversations c ON c.account_id = t.account_id AND c.channel = t.channel::conversation_channel
      AND c.participant = t.participant AND (t.lead_id IS NULL OR c.lead_id = t.lead_id)
    ORDER BY t.key, c.created_at DESC, c.id DESC`
  for (const row of existing) threads.get(row.key)!.id = row.id

  const known = [...threads.values()].filter((t) => t.id)
  if (known.length) {
    await tx.$executeRaw`
      UPDATE conversations c SET message_count = c.message_count + t.added, last_message_at = ${now}, updated_at = ${now}
      FROM json_to_recordset(${JSON.stringify(known.map((t) => ({ id: t.id, added: t.count })))}::json) AS t(id text, added int)
      WHERE c.id = t.id`
  }
  const fresh = [...threads.values()].filter((t) => !t.id)
  if (fresh.length) {
    for (const thread of fresh) thread.id = uuidv7() // UUIDv7, like the schema's default
    const rows = fresh.map(({ id, count, first: m }) => ({
      id,
      account_id: m.accountId,
      channel: m.channel,
      participant: m.participant,
      customer_id: m.customerId ?? null,
      lead_id: m.leadId ?? null,
      added: count,
    }))
    await tx.$executeRaw`
      INSERT INTO conversations (id, account_id, channel, participant, customer_id, lead_id, message_count, last_message_at, started_at, created_at, updated_at)
      SELECT t.id, t.account_id, t.channel::conversation_channel, t.participant, t.customer_id, t.lead_id, t.added, ${now}, ${now}, ${now}, ${now}
      FROM json_to_recordset(${JSON.stringify(rows)}::json) AS t(id text, account_id text, channel text, participant text, customer_id text, lead_id text, added int)`
  }

  const appended = messages.map((m) => ({ conversationId: threads.get(threadKey(m))!.id!, messageId: uuidv7() }))
  const rows = messages.map((m, i) => ({
    id: appended[i].messageId,
    account_id: m.accountId,
    conversation_id: appended[i].conversationId,
    channel: m.channel,
    sender: m.sender,
    content: m.content,
    status: m.status,
    provider: m.provider,
    provider_message_id: m.providerMessageId,
  }))
  await tx.$executeRaw`
    INSERT INTO messages (id, account_id, conversation_id, direction, channel, sender, content, status, provider, provider_message_id, created_at, updated_at)
    SELECT t.id, t.account_id, t.conversation_id, 'outbound', t.channel::conversation_channel, t.sender::message_sender, t.content, t.status, t.provider, t.provider_message_id, ${now}, ${now}
    FROM json_to_recordset(${JSON.stringify(rows)}::json)
      AS t(id text, account_id text, conversation_id text, channel text, sender text, content text, status text, provider text, provider_message_id text)`
  return appended
}

const threadKey = (m: Pick<OutboundMessage, 'accountId' | 'channel' | 'participant' | 'leadId'>) =>
  JSON.stringify([m.accountId, m.channel, m.participant, m.leadId ?? null])
