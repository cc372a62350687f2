/**
 * `POST /api/v1/sms`: one SMS to a lead through the account's Twilio integration, paid with one
 * SMS credit. The credit is taken by a single conditional UPDATE (`sms_credits > 0`), so
 * concurrent sends can never spend the same last credit, and is given back if Twilio fails. The
 * message joins the lead's SMS conversation (found or created), so it shows up in /v1; it is
 * stored before Twilio is called and sent after that commit (./sms-delivery.ts).
 * Test keys, and accounts in test mode, never reach Twilio and spend no credits.
 */
import { afterCommit } from '../db/ambient.js'
import { db } from '../db/client.js'
import type { Config } from '../env.js'
import { AppError, badRequest, notFound } from '../errors.js'
import { appendOutbound } from './conversations.js'
import { isOptedOut } from './opt-out.js'
import { deliverSms, sendLease, twilioCredentials } from './sms-delivery.js'

export const MAX_SMS_CHARS = 1600 // Twilio's limit for Body

export interface SmsSender {
  accountId: string
  config: Config
  /** A test key: store the message, skip Twilio and credits. */
  test: boolean
}

export async function sendLeadSms(sender: SmsSender, leadId: string, text: string): Promise<{ messageId: string }> {
  if (!leadId.trim() || !text.trim()) throw badRequest("'lead_id' and 'message' are required")
  if (text.length > MAX_SMS_CHARS) throw badRequest(`message must be at most ${MAX_SMS_CHARS} characters`)
  const { accountId } = sender
  const lead = await db.lead.findFirst({
    where: { id: leadId, accountId },
    select: { id: true, phone: true, account: { select: { testMode: true } } },
  })
  if (!lead) throw notFound('Lead not found or does not belong to your company')
  if (!lead.phone) throw badRequest('Lead has no phone number')
  if (await isOptedOut(accountId, lead.phone)) throw badRequest('Lead has opted out of SMS')

  // An account in test mode never reaches a provider (docs/delivery.md), whoever sends.
  if (sender.test || lead.account.testMode)
    return store(accountId, lead.id, lead.phone, text, { provider: 'test', providerMessageId: null, status: 'sent' })

  const credentials = await twilioCredentials(accountId, sender.config)
  const lease = sendLease(sender.config)
  // Credit, message and (with an Idempotency-Key) the answer commit together; Twilio is called after.
  const { messageId } = await db.$transaction(async (tx) => {
    const { count } = await tx.account.updateMany({
      where: { id: accountId, smsCredits: { gt: 0 } },
      data: { smsCredits: { decrement: 1 } },
    })
    if (count === 0) throw new AppError('PAYMENT_REQUIRED', 'Insufficient SMS credits')
    const appended = await appendOutbound(tx, {
      accountId,
      channel: 'sms',
      participant: lead.phone!,
      leadId: lead.id,
      content: text,
      sender: 'agent',
      provider: 'twilio',
      providerMessageId: null,
      status: 'queued',
    })
    await tx.message.updateMany({ where: { id: appended.messageId }, data: { sendLeaseExpiresAt: lease } })
    return appended
  })
  await afterCommit(() => deliverSms(sender.config, credentials, { id: messageId, accountId, to: lead.phone!, content: text, lease }))
  return { messageId }
}

/** Appends the outbound message to the lead's SMS conversation, creating it on first use. */
async function store(
  accountId: string,
  leadId: string,
  participant: string,
  content: string,
  sent: { provider: string; providerMessageId: string | null; status: string },
): Promise<{ messageId: string }> {
  const { messageId } = await db.$transaction((tx) =>
    appendOutbound(tx, { accountId, channel: 'sms', participant, leadId, content, sender: 'agent', ...sent }),
  )
  return { messageId }
}
