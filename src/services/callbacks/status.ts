/**
 * Provider status callbacks: a message the provider accepted moves on to `sent`, `delivered` or
 * `failed`, both as a communication (Hub) and as a conversation message (e.g. a lead SMS),
 * matched by provider and provider message id within the account. Moves only go forward
 * (callbacks arrive out of order and are repeated), so applying one twice changes nothing.
 */
import { db } from '../../db/client.js'

export type DeliveryState = 'sent' | 'delivered' | 'failed'

/** The states a message may leave for each reported state. */
const FROM: Record<DeliveryState, string[]> = {
  sent: ['queued', 'sending'],
  delivered: ['queued', 'sending', 'sent'],
  failed: ['queued', 'sending', 'sent'],
}

export function sendblueState(status: unknown): DeliveryState | null {
  const value = String(status ?? '').toUpperCase()
  if (value === 'SENT') return 'sent'
  if (value === 'DELIVERED' || value === 'READ') return 'delivered'
  if (value === 'FAILED' || value === 'ERROR') return 'failed'
  return null // QUEUED, PENDING, …: nothing new
}

export function twilioState(status: unknown): DeliveryState | null {
  const value = String(status ?? '').toLowerCase()
  if (value === 'sent') return 'sent'
  if (value === 'delivered' || value === 'read') return 'delivered'
  if (value === 'failed' || value === 'undelivered') return 'failed'
  return null // queued, accepted, sending, scheduled, …
}

export interface StatusReport {
  accountId: string
  provider: 'sendblue' | 'twilio'
  providerMessageId: string
  state: DeliveryState | null
  error?: string | null
}

/** Applies a report; `known` is false when no communication or message has that id. */
export async function applyStatus(report: StatusReport, at = new Date()): Promise<{ known: boolean; changed: number }> {
  const { accountId, provider, providerMessageId, state } = report
  const match = { accountId, provider, providerMessageId }
  if (!state) {
    const [communications, messages] = await Promise.all([db.communication.count({ where: match }), db.message.count({ where: match })])
    return { known: communications + messages > 0, changed: 0 }
  }
  const reason =
    state === 'failed'
      ? `${provider === 'twilio' ? 'Twilio' : 'Sendblue'} reported the message failed${report.error ? `: ${report.error.slice(0, 200)}` : ''}`
      : null
  const [communications, messages] = await db.$transaction([
    db.communication.updateMany({
      where: { ...match, status: { in: FROM[state] as never[] } },
      data: {
        status: state,
        ...(state === 'delivered' ? { deliveredAt: at } : {}),
        ...(state === 'failed' ? { lastError: reason } : {}),
      },
    }),
    db.message.updateMany({ where: { ...match, status: { in: FROM[state] } }, data: { status: state } }),
  ])
  const changed = communications.count + messages.count
  if (changed > 0) return { known: true, changed }
  const [c, m] = await Promise.all([db.communication.count({ where: match }), db.message.count({ where: match })])
  return { known: c + m > 0, changed: 0 }
}
