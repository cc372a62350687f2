/**
 * SMS opt-out (shared spec automations.md, Opt-out): an inbound `STOP` records the number in
 * sms_opt_outs, and every later sms/iMessage to it is cancelled with the reason instead of sent.
 * Dispatch calls `cancelOptedOut` before it claims messages, so the API and the worker
 * honour it alike.
 *
 * The list keeps only a hash of each number (`optOutHash`), never the number: erasing a person
 * (./erasure.ts) removes their phone everywhere while their STOP keeps being honoured. The hash
 * is salted with the account id; the migration that introduced it and `cancelOptedOut` compute
 * the same value in SQL.
 */
import { sha256 } from '../crypto.js'
import { db } from '../db/client.js'
import type { Prisma } from '../generated/prisma/client.js'
import type { Channel } from '../generated/prisma/enums.js'

export const OPTED_OUT_REASON = 'The recipient opted out of SMS (replied STOP)'
const TEXT_CHANNELS: readonly Channel[] = ['sms', 'imessage']

/** What the STOP list stores for a number: SHA-256 (hex) of "<account id>:<E.164 phone>". */
export const optOutHash = (accountId: string, phone: string) => sha256(`${accountId}:${phone}`)

/** Whether the number answered STOP (and not START since). */
export async function isOptedOut(accountId: string, phone: string): Promise<boolean> {
  const phoneHash = optOutHash(accountId, phone)
  return (await db.smsOptOut.findUnique({ where: { accountId_phoneHash: { accountId, phoneHash } }, select: { accountId: true } })) !== null
}

/** `STOP` in any case, trimmed; `START`/`UNSTOP` opt back in (the carriers' own keywords). */
export function optOutKeyword(text: string): 'stop' | 'start' | null {
  const word = text.trim().toUpperCase()
  if (word === 'STOP') return 'stop'
  if (word === 'START' || word === 'UNSTOP') return 'start'
  return null
}

/** STOP also cancels the texts already waiting for that number, so the API shows at once that they will not go. */
export async function recordOptOut(
  tx: Prisma.TransactionClient,
  accountId: string,
  phone: string,
  keyword: 'stop' | 'start',
): Promise<void> {
  if (keyword === 'start') {
    await tx.smsOptOut.deleteMany({ where: { accountId, phoneHash: optOutHash(accountId, phone) } })
    return
  }
  await tx.smsOptOut.createMany({ data: [{ accountId, phoneHash: optOutHash(accountId, phone) }], skipDuplicates: true })
  await tx.communication.updateMany({
    where: { accountId, to: phone, channel: { in: [...TEXT_CHANNELS] }, status: { in: ['scheduled', 'queued', 'failed'] } },
    data: { status: 'cancelled', lastError: OPTED_OUT_REASON, leaseExpiresAt: null, nextAttemptAt: null },
  })
}

/**
 * Cancels the pending text messages among `ids` whose number opted out; returns their ids.
 * Conditional on the pending states, so a message already claimed by a send is left alone.
 */
export async function cancelOptedOut(ids: string[]): Promise<string[]> {
  if (ids.length === 0) return []
  const cancelled = await db.$queryRaw<{ id: string }[]>`
    UPDATE communications c SET status = 'cancelled', last_error = ${OPTED_OUT_REASON}, lease_expires_at = NULL, next_attempt_at = NULL, updated_at = now()
    WHERE c.id = ANY(${ids}::text[]) AND c.channel IN ('sms', 'imessage') AND c.status IN ('scheduled', 'queued', 'failed')
      AND EXISTS (SELECT 1 FROM sms_opt_outs o WHERE o.account_id = c.account_id
        AND o.phone_hash = encode(sha256(convert_to(c.account_id || ':' || c."to", 'UTF8')), 'hex'))
    RETURNING c.id`
  return cancelled.map((row) => row.id)
}
