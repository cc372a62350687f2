/**
 * `POST /api/v1/sms`: one SMS to a lead through the account's Twilio integration, paid with one
 * SMS credit. The credit is taken by a single conditional UPDATE (`sms_credits > 0`), so
 * concurrent sends can never spend the same last credit, and is given back if Twilio fails. The
 * sent message joins the lead's SMS conversation (found or created), so it shows up in /v1.
 * Test keys never reach Twilio and spend no credits.
 */
import { db } from '../db/client.js'
import type { Config } from '../env.js'
import { AppError, badRequest, notFound } from '../errors.js'
import { appendOutbound } from './conversations.js'
import { loadSettings } from './integrations.js'
import { sendTwilioSms, type TwilioCredentials, TwilioError } from './providers/twilio.js'

export const MAX_SMS_CHARS = 1600 // Twilio's limit for Body

export interface SmsSender {
  accountId: string
  config: Config
  /** A test key: store the message, skip Twilio and credits. */
  test: boolean
}

/** Twilio's message states, reduced to the ones our messages use. */
const messageStatus = (twilio: string) =>
  ['sent', 'delivered'].includes(twilio) ? twilio : ['failed', 'undelivered'].includes(twilio) ? 'failed' : 'queued'

export async function sendLeadSms(sender: SmsSender, leadId: string, text: string): Promise<{ messageId: string }> {
  if (!leadId.trim() || !text.trim()) throw badRequest("'lead_id' and 'message' are required")
  if (text.length > MAX_SMS_CHARS) throw badRequest(`message must be at most ${MAX_SMS_CHARS} characters`)
  const { accountId } = sender
  const lead = await db.lead.findFirst({ where: { id: leadId, accountId }, select: { id: true, phone: true } })
  if (!lead) throw notFound('Lead not found or does not belong to your company')
  if (!lead.phone) throw badRequest('Lead has no phone number')
  const optedOut = await db.smsOptOut.findUnique({ where: { accountId_phone: { accountId, phone: lead.phone } }, select: { phone: true } })
  if (optedOut) throw badRequest('Lead has opted out of SMS')

  if (sender.test) return store(accountId, lead.id, lead.phone, text, { provider: 'test', providerMessageId: null, status: 'sent' })

  const credentials = await twilioCredentials(accountId, sender.config)
  const { count } = await db.account.updateMany({ where: { id: accountId, smsCredits: { gt: 0 } }, data: { smsCredits: { decrement: 1 } } })
  if (count === 0) throw new AppError('PAYMENT_REQUIRED', 'Insufficient SMS credits')
  let sent: Awaited<ReturnType<typeof sendTwilioSms>>
  try {
    sent = await sendTwilioSms(sender.config.TWILIO_API_URL, credentials, {
      to: lead.phone,
      body: text,
      statusCallback: `${sender.config.PUBLIC_URL}/callbacks/twilio/${accountId}/status`,
    })
  } catch (error) {
    await db.account.update({ where: { id: accountId }, data: { smsCredits: { increment: 1 } } })
    if (error instanceof TwilioError) throw new AppError('PROVIDER_ERROR', 'Failed to send SMS')
    throw error
  }
  return store(accountId, lead.id, lead.phone, text, {
    provider: 'twilio',
    providerMessageId: sent.sid,
    status: messageStatus(sent.status),
  })
}

/** The account's `twilio` integration (stored through /hub/v1/integrations); `api_key` is the auth token. */
async function twilioCredentials(accountId: string, config: Config): Promise<TwilioCredentials> {
  let settings: Record<string, unknown> | null
  try {
    settings = await loadSettings(config, accountId, 'twilio')
  } catch {
    settings = null // secrets sealed under another SECRET_KEY are as good as none
  }
  const { account_sid: accountSid, api_key: authToken, from_number: fromNumber } = settings ?? {}
  if (typeof accountSid !== 'string' || typeof authToken !== 'string' || typeof fromNumber !== 'string')
    throw badRequest('Twilio is not configured')
  return { accountSid, authToken, fromNumber }
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
