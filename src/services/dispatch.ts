/**
 * Sending communications now, through their providers (./senders.ts). Two entry points share
 * every step: `dispatchCommunication` (the dispatch mutation: one message, errors for the
 * caller) and `dispatchClaimed` (the background worker: a batch, outcomes recorded together).
 *
 * Exactly-once per attempt: a message is taken with one conditional UPDATE (pending → sending)
 * before its provider is called, so of two concurrent dispatches only one sends. The take
 * carries a lease so that a process dying mid-send leaves the message recoverable by a worker
 * instead of stuck in `sending`.
 */
import type { Logger } from 'pino'
import { db } from '../db.js'
import type { Config } from '../env.js'
import { AppError, conflict, errorCodeOf, notFound } from '../errors.js'
import type { CommunicationStatus } from '../generated/prisma/enums.js'
import { appendOutboundMany } from './conversations.js'
import { loadIntegrations, loadSettings, revealSettings, type StoredIntegration } from './integrations.js'
import { cancelOptedOut, OPTED_OUT_REASON } from './opt-out.js'
import { ProviderError } from './providers/http.js'
import { type Outgoing, type Provider, providerOf, type Send, senderFor, testSend } from './senders.js'
import { fireWebhookEvents, webhookBody } from './webhooks/outbox.js'
import { communicationJson } from './webhooks/payloads.js'

/** `test` never reaches a provider (test keys, accounts in test mode). */
export type DispatchMode = 'live' | 'test'

/** Longer than any provider request can take, so a live send never loses its claim. */
const LEASE_MS = 5 * 60_000

type Taken = Awaited<ReturnType<typeof takeForSending>>[number]

interface Outcome {
  message: Taken
  provider: string
  providerMessageId?: string
  /** Why the provider did not take it. */
  error?: string
  /** Not a provider's answer but a fault of ours: rethrown to the API caller. */
  fault?: unknown
}

export interface DispatchOptions {
  /** How long the `sending` claim lasts before a worker may recover it (the worker passes WORKER_LEASE_MS). */
  leaseMs?: number
}

export async function dispatchCommunication(
  config: Config,
  accountId: string,
  communicationId: string,
  mode: DispatchMode,
  options: DispatchOptions = {},
): Promise<void> {
  const message = await db.communication.findFirst({
    where: { id: communicationId, accountId },
    include: { account: { select: { testMode: true } }, campaign: { select: { status: true } } },
  })
  if (!message) throw notFound('Communication not found')
  refuseUnsendable(message.status, message.campaign?.status)
  if ((await cancelOptedOut([message.id])).length) throw conflict(`Communication is cancelled: ${OPTED_OUT_REASON}`)
  const test = mode === 'test' || message.test || message.account.testMode
  const provider = test ? 'test' : providerOf(message.channel)
  // Configuration problems are the caller's to fix: answered before the take, message unchanged.
  const send = provider === 'test' ? testSend : senderFor(config, accountId, provider, await loadSettings(config, accountId, provider))

  const [taken] = await takeForSending([message.id], ['queued', 'scheduled', 'failed'], options.leaseMs ?? LEASE_MS)
  if (!taken) {
    const now = await db.communication.findUnique({
      where: { id: message.id },
      select: { status: true, campaign: { select: { status: true } } },
    })
    refuseUnsendable(now?.status ?? 'cancelled', now?.campaign?.status)
    throw conflict('Communication is already being sent')
  }
  const outcome = await attempt(taken, provider, send)
  // Once the provider has it, a failure to record that must not make the message look unsent:
  // it stays `sending` until its lease expires, for a worker to settle.
  await recordOutcomes([outcome])
  if (outcome.fault) throw outcome.fault
  if (outcome.error) throw new AppError('PROVIDER_ERROR', outcome.error)
}

/** A message the worker claimed (services/worker/claims.ts). */
export interface Claimed {
  id: string
  accountId: string
  channel: Taken['channel']
  /** Never reaches a provider: created through a test key, or its account is in test mode. */
  testMode: boolean
}

export interface BatchOptions {
  leaseMs: number
  /** Provider calls in flight at once. */
  concurrency: number
  logger?: Logger
}

/**
 * Sends a batch the worker claimed: opted-out numbers cancelled, unconfigured providers noted
 * on the message (it stays pending), the rest taken and sent `concurrency` at a time. Outcomes
 * are recorded as they come, grouped into one transaction per round trip (group commit), so a
 * batch costs a few statements per group rather than a dozen per message; a lane moves on only
 * once its outcome is recorded, so a crash can repeat at most one send per lane.
 */
export async function dispatchClaimed(
  config: Config,
  claimed: Claimed[],
  options: BatchOptions,
): Promise<{ sent: number; failed: number }> {
  const cancelled = new Set(await cancelOptedOut(claimed.map((m) => m.id)))
  const live = claimed.filter((m) => !cancelled.has(m.id) && !m.testMode)
  const integrations = await loadIntegrations(
    [...new Set(live.map((m) => m.accountId))],
    [...new Set(live.map((m) => providerOf(m.channel)))],
  )
  const senders = new Map<string, { provider: string; send: Send } | { refusal: string }>()
  const senderOf = (m: Claimed) => {
    const provider = m.testMode ? 'test' : providerOf(m.channel)
    const key = `${m.accountId}:${provider}`
    if (!senders.has(key)) senders.set(key, resolveSender(config, m.accountId, provider, integrations.get(key)))
    return senders.get(key)!
  }

  const ready: string[] = []
  const refused = new Map<string, string[]>() // reason → ids
  for (const m of claimed) {
    if (cancelled.has(m.id)) continue
    const sender = senderOf(m)
    if (!('refusal' in sender)) ready.push(m.id)
    else if (refused.has(sender.refusal)) refused.get(sender.refusal)!.push(m.id)
    else refused.set(sender.refusal, [m.id])
  }
  for (const [reason, ids] of refused) await noteRefusal(ids, reason) // they stay pending, checked again later
  const taken = await takeForSending(ready, ['queued', 'failed'], options.leaseMs)
  const byId = new Map(claimed.map((m) => [m.id, m]))
  const record = groupCommit(recordOutcomes, (error, outcomes) =>
    options.logger?.error(
      { err: error, communication_ids: outcomes.map((o) => o.message.id) },
      'could not record sends; they are settled when their lease expires',
    ),
  )
  let sent = 0
  await inParallel(taken, options.concurrency, async (message) => {
    const sender = senderOf(byId.get(message.id)!) as { provider: string; send: Send }
    const outcome = await attempt(message, sender.provider, sender.send)
    if (outcome.providerMessageId) sent++
    else
      options.logger?.warn(
        { communication_id: message.id, account_id: message.accountId, reason: outcome.error, err: outcome.fault },
        'send failed; retried after backoff unless it was the last attempt',
      )
    await record(outcome)
  })
  return { sent, failed: claimed.length - sent }
}

function resolveSender(config: Config, accountId: string, provider: Provider | 'test', integration: StoredIntegration | undefined) {
  if (provider === 'test') return { provider, send: testSend }
  try {
    return { provider, send: senderFor(config, accountId, provider, integration ? revealSettings(integration, config) : null) }
  } catch (error) {
    if (errorCodeOf(error) === 'BAD_REQUEST') return { refusal: (error as Error).message }
    return { refusal: 'The integration cannot be read: its secrets were sealed with another SECRET_KEY' }
  }
}

/** Sends refused before they started (e.g. no integration yet): the messages keep their state and say why. */
async function noteRefusal(ids: string[], reason: string): Promise<void> {
  await db.communication.updateMany({
    where: { id: { in: ids }, status: { in: ['queued', 'failed'] } },
    data: { leaseExpiresAt: null, lastError: reason },
  })
}

/** pending → sending, one attempt more, leased; only the messages still in `from` (and not in a paused campaign) come back. */
function takeForSending(ids: string[], from: CommunicationStatus[], leaseMs: number) {
  if (ids.length === 0) return Promise.resolve([])
  return db.communication.updateManyAndReturn({
    where: { id: { in: ids }, status: { in: from }, OR: [{ campaignId: null }, { campaign: { status: { not: 'paused' } } }] },
    data: { status: 'sending', attempts: { increment: 1 }, leaseExpiresAt: new Date(Date.now() + leaseMs) },
    include: { customer: { select: { name: true, firstName: true, lastName: true } } },
  })
}

async function attempt(message: Taken & Outgoing, provider: string, send: Send): Promise<Outcome> {
  try {
    return { message, provider, providerMessageId: await send(message) }
  } catch (error) {
    if (error instanceof ProviderError) return { message, provider, error: error.message }
    return { message, provider, error: 'Unexpected error while sending', fault: error }
  }
}

/**
 * Records outcomes in one transaction: sent text messages join their conversations, every
 * communication gets its final state, and `communication.sent`/`.failed` webhooks are queued.
 * Calls become `voice` conversations from the provider's end-of-call report instead.
 */
async function recordOutcomes(outcomes: Outcome[]): Promise<void> {
  const texts = outcomes.filter((o) => o.providerMessageId !== undefined && o.message.channel !== 'call')
  await db.$transaction(async (tx) => {
    const appended = await appendOutboundMany(
      tx,
      texts.map(({ message, provider, providerMessageId }) => ({
        accountId: message.accountId,
        channel: message.channel as Exclude<typeof message.channel, 'call'>,
        participant: message.to,
        customerId: message.customerId,
        content: message.content,
        sender: message.templateId ? 'system' : 'agent',
        provider,
        providerMessageId: providerMessageId!,
        status: 'sent',
      })),
    )
    const conversationOf = new Map(texts.map((o, i) => [o.message.id, appended[i].conversationId]))
    // Each row as it will be stored, computed once: the UPDATE writes these values and the
    // webhook payloads are made from them, so no re-read is needed.
    const now = new Date()
    const after = outcomes.map(({ message: { customer: _customer, ...row }, provider, providerMessageId, error }) =>
      providerMessageId !== undefined
        ? {
            ...row,
            status: 'sent' as const,
            provider,
            providerMessageId,
            sentAt: now,
            lastError: null,
            leaseExpiresAt: null,
            nextAttemptAt: null,
            conversationId: conversationOf.get(row.id) ?? row.conversationId,
            updatedAt: now,
          }
        : { ...row, status: 'failed' as const, provider, lastError: error ?? null, leaseExpiresAt: null, updatedAt: now },
    )
    const columns = after.map((r) => ({
      id: r.id,
      status: r.status,
      provider: r.provider,
      provider_message_id: r.providerMessageId,
      sent_at: r.sentAt,
      last_error: r.lastError,
      next_attempt_at: r.nextAttemptAt,
      conversation_id: r.conversationId,
    }))
    await tx.$executeRaw`
      UPDATE communications c SET status = t.status::communication_status, provider = t.provider, provider_message_id = t.provider_message_id,
        sent_at = t.sent_at, last_error = t.last_error, lease_expires_at = NULL, next_attempt_at = t.next_attempt_at, conversation_id = t.conversation_id, updated_at = ${now}
      FROM json_to_recordset(${JSON.stringify(columns)}::json)
        AS t(id text, status text, provider text, provider_message_id text, sent_at timestamptz, last_error text, next_attempt_at timestamptz, conversation_id text)
      WHERE c.id = t.id`
    await fireWebhookEvents(
      tx,
      after.map((row) => {
        const event = row.status === 'sent' ? ('communication.sent' as const) : ('communication.failed' as const)
        return { accountId: row.accountId, event, body: webhookBody(event, communicationJson(row)) }
      }),
    )
  })
}

function refuseUnsendable(status: string, campaignStatus: string | undefined) {
  if (status === 'sent' || status === 'delivered') throw conflict('Communication was already sent')
  if (status === 'cancelled') throw conflict('Communication is cancelled')
  if (status === 'sending') throw conflict('Communication is already being sent')
  if (campaignStatus === 'paused') throw conflict('Its campaign is paused: resume the campaign first')
}

/**
 * Group commit: `record(item)` resolves once the item is flushed. A flush starts `gatherMs`
 * after the first item (so lanes answering at about the same time share it); items arriving
 * while a flush runs go together in the next. Each caller waits for its own item, so at most
 * one unrecorded outcome per lane exists at any moment.
 */
function groupCommit<T>(
  flush: (items: T[]) => Promise<void>,
  onError: (error: unknown, items: T[]) => void,
  gatherMs = 2,
): (item: T) => Promise<void> {
  let pending: { item: T; done: () => void }[] = []
  let busy = false
  const drain = async () => {
    while (pending.length) {
      const group = pending
      pending = []
      const items = group.map((g) => g.item)
      await flush(items).catch((error: unknown) => onError(error, items))
      for (const g of group) g.done()
    }
    busy = false
  }
  return (item) =>
    new Promise<void>((done) => {
      pending.push({ item, done })
      if (busy) return
      busy = true
      setTimeout(drain, gatherMs)
    })
}

async function inParallel<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await fn(items[next++])
  })
  await Promise.all(lanes)
}
