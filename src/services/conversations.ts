/**
 * Outbound messages join the conversation with their recipient (crm-api.md: conversations come
 * from, among others, outbound messages sent through this server), so /v1 shows them.
 */
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

/** Appends to the newest conversation with this participant on this channel, opening one on first use. */
export async function appendOutbound(tx: Prisma.TransactionClient, message: OutboundMessage): Promise<{ conversationId: string; messageId: string }> {
  const { accountId, channel, participant, leadId } = message
  // Serialises sends to one recipient so two concurrent first messages open one conversation.
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`${accountId}:${channel}:${participant}`}))`
  const now = new Date()
  const existing = await tx.conversation.findFirst({
    where: { accountId, channel, participant, ...(leadId ? { leadId } : {}) },
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    select: { id: true },
  })
  const conversation = existing
    ? await tx.conversation.update({ where: { id: existing.id }, data: { messageCount: { increment: 1 }, lastMessageAt: now }, select: { id: true } })
    : await tx.conversation.create({
        data: { accountId, channel, participant, customerId: message.customerId ?? null, leadId, messageCount: 1, lastMessageAt: now, startedAt: now },
        select: { id: true },
      })
  const created = await tx.message.create({
    select: { id: true },
    data: {
      accountId, conversationId: conversation.id, direction: 'outbound', channel, sender: message.sender, content: message.content,
      status: message.status, provider: message.provider, providerMessageId: message.providerMessageId, createdAt: now,
    },
  })
  return { conversationId: conversation.id, messageId: created.id }
}
