/**
 * Sending one communication now, through its provider: sms/imessage → Sendblue, call → Vapi,
 * email → the email integration. Called by the dispatch mutation and meant for the background
 * worker too: it takes ids and a mode, not a request.
 *
 * Exactly-once per attempt: the message is claimed with one conditional UPDATE (queued, scheduled
 * or failed → sending) before the provider is called, so of two concurrent dispatches only one
 * sends. The claim carries a lease so that a process dying mid-send leaves the message
 * recoverable by a worker instead of stuck in `sending`.
 */
import { randomUUID } from 'node:crypto'
import { db } from '../db.js'
import type { Config } from '../env.js'
import { AppError, badRequest, conflict, notFound } from '../errors.js'
import type { Channel } from '../generated/prisma/enums.js'
import { appendOutbound } from './conversations.js'
import { loadSettings } from './integrations.js'
import { cancelIfOptedOut } from './opt-out.js'
import { sendEmail } from './providers/email.js'
import { ProviderError } from './providers/http.js'
import { sendblueSend } from './providers/sendblue.js'
import { vapiCreateCall } from './providers/vapi.js'
import { fireWebhookEvent } from './webhooks/outbox.js'
import { communicationJson } from './webhooks/payloads.js'

/** `test` never reaches a provider (test keys, accounts in test mode). */
export type DispatchMode = 'live' | 'test'

const DISPATCHABLE = ['queued', 'scheduled', 'failed'] as const
/** Longer than any provider request can take, so a live send never loses its claim. */
const LEASE_MS = 5 * 60_000

type Message = NonNullable<Awaited<ReturnType<typeof loadMessage>>>
type Send = () => Promise<string>

function loadMessage(accountId: string, id: string) {
  return db.communication.findFirst({
    where: { id, accountId },
    include: { account: { select: { testMode: true } }, campaign: { select: { status: true } }, customer: { select: { name: true, firstName: true, lastName: true } } },
  })
}

export interface DispatchOptions {
  /** How long the `sending` claim lasts before a worker may recover it (the worker passes WORKER_LEASE_MS). */
  leaseMs?: number
}

export async function dispatchCommunication(config: Config, accountId: string, communicationId: string, mode: DispatchMode, options: DispatchOptions = {}): Promise<void> {
  const message = await loadMessage(accountId, communicationId)
  if (!message) throw notFound('Communication not found')
  refuseUnsendable(message.status, message.campaign?.status)
  const optedOut = await cancelIfOptedOut(message)
  if (optedOut) throw conflict(`Communication is cancelled: ${optedOut}`)
  const test = mode === 'test' || message.account.testMode
  const provider = test ? 'test' : providerOf(message.channel)
  // Configuration problems are the caller's to fix: answered before the claim, message unchanged.
  const send: Send = test ? async () => `test_${randomUUID()}` : await liveSender(config, accountId, message)

  const claimed = await db.communication.updateMany({
    where: { id: message.id, accountId, status: { in: [...DISPATCHABLE] } },
    data: { status: 'sending', attempts: { increment: 1 }, leaseExpiresAt: new Date(Date.now() + (options.leaseMs ?? LEASE_MS)) },
  })
  if (claimed.count === 0) {
    const now = await db.communication.findUnique({ where: { id: message.id }, select: { status: true } })
    refuseUnsendable(now?.status ?? 'cancelled', undefined)
    throw conflict('Communication is already being sent')
  }

  let providerMessageId: string
  try {
    providerMessageId = await send()
  } catch (error) {
    const reason = error instanceof ProviderError ? error.message : 'Unexpected error while sending'
    await db.$transaction(async (tx) => {
      const failed = await tx.communication.update({ where: { id: message.id }, data: { status: 'failed', provider, lastError: reason, leaseExpiresAt: null } })
      await fireWebhookEvent(tx, message.accountId, 'communication.failed', communicationJson(failed))
    })
    if (error instanceof ProviderError) throw new AppError('PROVIDER_ERROR', reason)
    throw error
  }
  // Outside the try: once the provider has it, a failure to record that must not make the
  // message look unsent (it stays `sending` until its lease expires, for a worker to settle).
  await recordSent(message, provider, providerMessageId)
}

/**
 * Marks the message sent and, for text channels, appends it to the recipient's conversation, in
 * one transaction. Calls become `voice` conversations from the provider's end-of-call report.
 */
function recordSent(message: Message, provider: string, providerMessageId: string) {
  return db.$transaction(async (tx) => {
    const channel = message.channel === 'call' ? null : message.channel
    const conversationId = channel
      ? (await appendOutbound(tx, {
          accountId: message.accountId, channel, participant: message.to, customerId: message.customerId, content: message.content,
          sender: message.templateId ? 'system' : 'agent', provider, providerMessageId, status: 'sent',
        })).conversationId
      : message.conversationId
    const sent = await tx.communication.update({
      where: { id: message.id },
      data: { status: 'sent', provider, providerMessageId, sentAt: new Date(), lastError: null, leaseExpiresAt: null, nextAttemptAt: null, conversationId },
    })
    await fireWebhookEvent(tx, message.accountId, 'communication.sent', communicationJson(sent))
  })
}

function refuseUnsendable(status: string, campaignStatus: string | undefined) {
  if (status === 'sent' || status === 'delivered') throw conflict('Communication was already sent')
  if (status === 'cancelled') throw conflict('Communication is cancelled')
  if (status === 'sending') throw conflict('Communication is already being sent')
  if (campaignStatus === 'paused') throw conflict('Its campaign is paused: resume the campaign first')
}

const providerOf = (channel: Channel) => (channel === 'call' ? 'vapi' : channel === 'email' ? 'email' : 'sendblue')

/** The provider call for this message, or a 400 naming what is not configured. */
async function liveSender(config: Config, accountId: string, message: Message): Promise<Send> {
  const provider = providerOf(message.channel)
  const settings = await loadSettings(config, accountId, provider)
  const endpoint = { timeoutMs: config.PROVIDER_TIMEOUT_MS }
  const callbackUrl = `${config.PUBLIC_URL}/callbacks/${provider}/${accountId}`
  const need = (name: string, label: string) => {
    const value = settings?.[name]
    if (value === undefined || value === '') throw badRequest(`The ${label} integration has no ${name}: store it with PUT /hub/v1/integrations/${provider}`)
    return String(value)
  }

  if (provider === 'email') {
    if (!settings) throw badRequest('No email provider is connected')
    const smtp = { host: need('host', 'email'), port: Number(settings.port ?? 587), username: settings.username ? String(settings.username) : null, password: need('api_key', 'email'), from: need('from_address', 'email') }
    return () => sendEmail(smtp, { to: message.to, subject: message.subject, text: message.content }, config.PROVIDER_TIMEOUT_MS)
  }
  if (provider === 'sendblue') {
    if (!settings) throw badRequest('No Sendblue integration is connected: store one with PUT /hub/v1/integrations/sendblue')
    const credentials = { apiKey: need('api_key', 'Sendblue'), apiSecret: need('api_secret', 'Sendblue'), fromNumber: need('from_number', 'Sendblue') }
    return () => sendblueSend({ ...endpoint, baseUrl: config.SENDBLUE_API_URL }, credentials, { number: message.to, content: message.content, statusCallback: callbackUrl })
  }
  if (!settings) throw badRequest('No Vapi integration is connected: store one with PUT /hub/v1/integrations/vapi')
  const credentials = { apiKey: need('api_key', 'Vapi'), assistantId: need('assistant_id', 'Vapi'), phoneNumberId: need('phone_number_id', 'Vapi') }
  const customer = message.customer
  const customerName = customer?.name ?? ([customer?.firstName, customer?.lastName].filter(Boolean).join(' ') || null)
  return () =>
    vapiCreateCall({ ...endpoint, baseUrl: config.VAPI_API_URL }, credentials, {
      number: message.to, customerName, content: message.content, serverUrl: callbackUrl,
      metadata: { account_id: accountId, communication_id: message.id },
    })
}
