/** Rows the public API has no write path for yet (conversations arrive from providers). */
import { db } from '../../src/db/client.js'

type Channel = 'sms' | 'imessage' | 'voice' | 'email'

export async function seedConversation(
  accountId: string,
  options: {
    channel?: Channel
    status?: 'open' | 'closed'
    startedAt?: Date
    createdAt?: Date
    participant?: string
    messages?: { sender?: 'customer' | 'agent' | 'ai' | 'system'; content: string; at?: Date }[]
    transcript?: { speaker: string; text: string; at: Date }[]
    metadata?: Record<string, unknown>
  } = {},
) {
  const channel = options.channel ?? 'sms'
  const messages = options.messages ?? []
  const conversation = await db.conversation.create({
    data: {
      accountId,
      channel,
      status: options.status ?? 'open',
      participant: options.participant ?? '+15555550100',
      startedAt: options.startedAt ?? options.createdAt ?? new Date(),
      createdAt: options.createdAt ?? new Date(),
      messageCount: messages.length,
      lastMessageAt: messages.at(-1)?.at ?? null,
      metadata: (options.metadata ?? {}) as object,
    },
  })
  if (messages.length) {
    await db.message.createMany({
      data: messages.map((m, i) => ({
        accountId,
        conversationId: conversation.id,
        direction: m.sender === 'customer' || !m.sender ? ('inbound' as const) : ('outbound' as const),
        channel,
        sender: m.sender ?? 'customer',
        content: m.content,
        status: m.sender === 'customer' || !m.sender ? 'received' : 'sent',
        createdAt: m.at ?? new Date(Date.now() + i),
      })),
    })
  }
  if (options.transcript?.length) {
    await db.transcriptEntry.createMany({
      data: options.transcript.map((e, position) => ({ accountId, conversationId: conversation.id, position, ...e })),
    })
  }
  return conversation
}
