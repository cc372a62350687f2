/**
 * Inbound text messages (Sendblue, Twilio): each lands as an `inbound` message in the sender's
 * conversation, found by phone number within the account and created on first contact, linked
 * to the customer and the lead with that phone. `STOP` records an opt-out. A provider repeating
 * a delivery (same provider message id) stores nothing twice.
 */
import { db } from '../../db/client.js'
import type { ConversationChannel } from '../../generated/prisma/enums.js'
import { optOutKeyword, recordOptOut } from '../opt-out.js'

export interface InboundText {
  accountId: string
  provider: 'sendblue' | 'twilio'
  providerMessageId: string | null
  /** The sender, E.164. */
  from: string
  content: string
  /** The channel of a conversation created for it. */
  channel: Extract<ConversationChannel, 'sms' | 'imessage'>
}

export async function recordInbound(
  input: InboundText,
  at = new Date(),
): Promise<{ conversationId: string; duplicate: boolean; optOut: 'stop' | 'start' | null }> {
  const { accountId, from: participant, provider, providerMessageId } = input
  const keyword = optOutKeyword(input.content)
  return db.$transaction(async (tx) => {
    // The same lock as lead SMS sends (services/sms.ts): one conversation per number, even when
    // a reply and a send (or two deliveries of one reply) arrive together.
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`${accountId}:sms:${participant}`}))`
    if (providerMessageId) {
      const seen = await tx.message.findFirst({ where: { accountId, provider, providerMessageId }, select: { conversationId: true } })
      if (seen) return { conversationId: seen.conversationId, duplicate: true, optOut: keyword }
    }
    const channels: ConversationChannel[] = provider === 'twilio' ? ['sms'] : ['sms', 'imessage']
    const [existing, customer, lead] = await Promise.all([
      tx.conversation.findFirst({
        where: { accountId, participant, channel: { in: channels } },
        orderBy: [{ lastMessageAt: { sort: 'desc', nulls: 'last' } }, { createdAt: 'desc' }],
        select: { id: true, channel: true, customerId: true, leadId: true },
      }),
      tx.customer.findFirst({ where: { accountId, phone: participant }, orderBy: { createdAt: 'desc' }, select: { id: true } }),
      tx.lead.findFirst({ where: { accountId, phone: participant }, orderBy: { createdAt: 'desc' }, select: { id: true } }),
    ])
    const conversation = existing
      ? await tx.conversation.update({
          where: { id: existing.id },
          data: {
            messageCount: { increment: 1 },
            lastMessageAt: at,
            status: 'open',
            customerId: existing.customerId ?? customer?.id,
            leadId: existing.leadId ?? lead?.id,
          },
          select: { id: true, channel: true },
        })
      : await tx.conversation.create({
          data: {
            accountId,
            channel: input.channel,
            participant,
            customerId: customer?.id,
            leadId: lead?.id,
            messageCount: 1,
            lastMessageAt: at,
            startedAt: at,
          },
          select: { id: true, channel: true },
        })
    await tx.message.create({
      data: {
        accountId,
        conversationId: conversation.id,
        direction: 'inbound',
        channel: conversation.channel,
        sender: 'customer',
        content: input.content,
        status: 'received',
        provider,
        providerMessageId,
        createdAt: at,
      },
    })
    if (keyword) await recordOptOut(tx, accountId, participant, keyword)
    return { conversationId: conversation.id, duplicate: false, optOut: keyword }
  })
}
