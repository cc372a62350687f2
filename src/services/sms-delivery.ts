/**
 * Handing the SMS of POST /api/v1/sms to Twilio. The message is stored `queued` with a send lease
 * in the transaction that spends its credit (and, with an Idempotency-Key, stores the answer), so
 * the send itself runs only after that commit: right away by the request, or, when its process
 * died first, by the worker once the lease has run out (`sendAbandonedSms`). An outcome is
 * written only under the lease that sent it; a failed send is removed and gives its credit back.
 *
 * A process that dies after Twilio accepted a message but before the outcome is written makes the
 * worker send it again: Twilio has no idempotency key for sends (docs/delivery.md).
 */
import type { Logger } from 'pino'
import { db } from '../db/client.js'
import type { Config } from '../env.js'
import { AppError, badRequest } from '../errors.js'
import { Prisma } from '../generated/prisma/client.js'
import { loadSettings } from './integrations.js'
import { sendTwilioSms, TWILIO_TIMEOUT_MS, type TwilioCredentials, TwilioError } from './providers/twilio.js'

export interface QueuedSms {
  id: string
  accountId: string
  to: string
  content: string
  /** The lease the send runs under: the outcome is written only while the message still carries it. */
  lease: Date
}

/** Twilio's message states, reduced to the ones our messages use. */
const messageStatus = (twilio: string) =>
  ['sent', 'delivered'].includes(twilio) ? twilio : ['failed', 'undelivered'].includes(twilio) ? 'failed' : 'queued'

/** Outlasts any Twilio request by far (its own timeout is fixed), so a live sender never loses its message. */
export const sendLease = (config: Config) => new Date(Date.now() + Math.max(config.WORKER_LEASE_MS, 2 * TWILIO_TIMEOUT_MS))

/** Sends one queued SMS; a provider refusal is recorded, the credit given back, and thrown as a 502. */
export async function deliverSms(config: Config, credentials: TwilioCredentials, sms: QueuedSms): Promise<void> {
  let sent: Awaited<ReturnType<typeof sendTwilioSms>>
  try {
    sent = await sendTwilioSms(config.TWILIO_API_URL, credentials, {
      to: sms.to,
      body: sms.content,
      statusCallback: `${config.PUBLIC_URL}/callbacks/twilio/${sms.accountId}/status`,
    })
  } catch (error) {
    await settle(sms, { status: 'failed' })
    if (error instanceof TwilioError) throw new AppError('PROVIDER_ERROR', 'Failed to send SMS')
    throw error
  }
  await settle(sms, { status: messageStatus(sent.status), providerMessageId: sent.sid })
}

/**
 * Writes a send's outcome while the message still carries its lease. A failed send leaves no
 * message (nor a conversation it alone opened) and gives its credit back, as if never asked.
 */
async function settle(sms: QueuedSms, outcome: { status: string; providerMessageId?: string }) {
  await db.$transaction(async (tx) => {
    const mine = { id: sms.id, accountId: sms.accountId, sendLeaseExpiresAt: sms.lease }
    if (outcome.status !== 'failed') {
      await tx.message.updateMany({ where: mine, data: { ...outcome, sendLeaseExpiresAt: null } })
      return
    }
    const removed = await tx.message.findFirst({ where: mine, select: { conversationId: true } })
    if (!removed || (await tx.message.deleteMany({ where: mine })).count === 0) return
    await tx.account.updateMany({ where: { id: sms.accountId }, data: { smsCredits: { increment: 1 } } })
    await tx.$executeRaw`DELETE FROM conversations c WHERE c.id = ${removed.conversationId} AND c.account_id = ${sms.accountId}
      AND NOT EXISTS (SELECT 1 FROM messages m WHERE m.conversation_id = c.id)`
  })
}

/** The account's `twilio` integration (stored through /hub/v1/integrations); `api_key` is the auth token. */
export async function twilioCredentials(accountId: string, config: Config): Promise<TwilioCredentials> {
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

/**
 * The worker's part: takes up to `limit` SMS whose lease ran out unsent (their process died) under
 * a new lease and sends them, one at a time. Returns how many it took.
 */
export async function sendAbandonedSms(
  config: Config,
  accountIds: readonly string[] | undefined,
  logger?: Logger,
  limit = 100,
): Promise<number> {
  const lease = sendLease(config)
  const scope = accountIds?.length ? Prisma.sql`AND account_id IN (${Prisma.join(accountIds)})` : Prisma.empty
  const taken = await db.$queryRaw<Omit<QueuedSms, 'lease'>[]>`
    UPDATE messages m SET send_lease_expires_at = ${lease}
    FROM conversations c
    WHERE m.id IN (
        SELECT id FROM messages WHERE send_lease_expires_at <= ${new Date()} ${scope}
        ORDER BY send_lease_expires_at LIMIT ${limit} FOR UPDATE SKIP LOCKED)
      AND c.id = m.conversation_id
    RETURNING m.id, m.account_id AS "accountId", c.participant AS "to", m.content`
  for (const sms of taken) {
    try {
      await deliverSms(config, await twilioCredentials(sms.accountId, config), { ...sms, lease })
    } catch (error) {
      if (error instanceof AppError && error.code === 'BAD_REQUEST') await settle({ ...sms, lease }, { status: 'failed' })
      logger?.warn({ err: error, message_id: sms.id }, 'an SMS left unsent by a stopped process could not be sent')
    }
  }
  return taken.length
}
