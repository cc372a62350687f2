/**
 * SMS opt-out (shared spec automations.md, Opt-out): an inbound `STOP` records the number in
 * sms_opt_outs, and every later sms/iMessage to it is cancelled with the reason instead of sent.
 * Dispatch calls `cancelIfOptedOut` before it claims a message, so the API and the worker
 * honour it alike.
 */
import { db } from '../db.js'
import type { Prisma } from '../generated/prisma/client.js'
import type { Channel } from '../generated/prisma/enums.js'

export const OPTED_OUT_REASON = 'The recipient opted out of SMS (replied STOP)'
const TEXT_CHANNELS: readonly Channel[] = ['sms', 'imessage']

/** `STOP` in any case, trimmed; `START`/`UNSTOP` opt back in (the carriers' own keywords). */
export function optOutKeyword(text: string): 'stop' | 'start' | null {
  const word = text.trim().toUpperCase()
  if (word === 'STOP') return 'stop'
  if (word === 'START' || word === 'UNSTOP') return 'start'
  return null
}

/** STOP also cancels the texts already waiting for that number, so the API shows at once that they will not go. */
export async function recordOptOut(tx: Prisma.TransactionClient, accountId: string, phone: string, keyword: 'stop' | 'start'): Promise<void> {
  if (keyword === 'start') {
    await tx.smsOptOut.deleteMany({ where: { accountId, phone } })
    return
  }
  await tx.smsOptOut.createMany({ data: [{ accountId, phone }], skipDuplicates: true })
  await tx.communication.updateMany({
    where: { accountId, to: phone, channel: { in: [...TEXT_CHANNELS] }, status: { in: ['scheduled', 'queued', 'failed'] } },
    data: { status: 'cancelled', lastError: OPTED_OUT_REASON, leaseExpiresAt: null, nextAttemptAt: null },
  })
}

/**
 * Cancels a pending text message to an opted-out number; returns the reason when it did.
 * Conditional on the pending states, so a message already claimed by a send is left alone.
 */
export async function cancelIfOptedOut(message: { id: string; accountId: string; channel: Channel; to: string }): Promise<string | null> {
  if (!TEXT_CHANNELS.includes(message.channel)) return null
  const optOut = await db.smsOptOut.findUnique({ where: { accountId_phone: { accountId: message.accountId, phone: message.to } }, select: { phone: true } })
  if (!optOut) return null
  await db.communication.updateMany({
    where: { id: message.id, status: { in: ['scheduled', 'queued', 'failed'] } },
    data: { status: 'cancelled', lastError: OPTED_OUT_REASON, leaseExpiresAt: null, nextAttemptAt: null },
  })
  return OPTED_OUT_REASON
}
