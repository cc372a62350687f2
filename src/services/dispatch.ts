/**
 * Sending communications now, through their providers (./senders.ts). Two entry points share
 * these steps: `dispatchCommunication` (the dispatch mutation: one message, errors for the
 * caller) and the worker's batches (worker/batch.ts: many messages, outcomes recorded together).
 *
 * Exactly-once per attempt: a message is taken with one conditional UPDATE (pending → sending,
 * one attempt more) right before its provider is called, so of two concurrent dispatches only
 * one sends. The take carries a lease, so that a process dying mid-send leaves the message
 * recoverable by a worker instead of stuck in `sending`, and a lease token, so that an outcome
 * is recorded only by the process still holding the message: one whose lease ran out and whose
 * message another process took over writes nothing.
 */
import { randomUUID } from 'node:crypto'
import { afterCommit } from '../db/ambient.js'
import { db } from '../db/client.js'
import type { Config } from '../env.js'
import { AppError, conflict, notFound } from '../errors.js'
import { type Communication, Prisma } from '../generated/prisma/client.js'
import { metrics, providerCalls, secondsSince } from '../http/metrics.js'
import { inSpan, spanFailed, traceparent } from '../http/tracing.js'
import { appendOutboundMany } from './conversations.js'
import { loadSettings } from './integrations.js'
import { cancelOptedOut, OPTED_OUT_REASON } from './opt-out.js'
import { ProviderError } from './providers/http.js'
import { type Outgoing, providerOf, type Send, senderFor, testSend } from './senders.js'
import { fireWebhookEvents, webhookBody } from './webhooks/outbox.js'
import { communicationJson } from './webhooks/payloads.js'

/** `test` never reaches a provider (test keys, accounts in test mode). */
export type DispatchMode = 'live' | 'test'

/** Longer than any provider request can take, so an API dispatch never loses its lease. */
const LEASE_MS = 5 * 60_000

/** Who holds a message and for how long: one worker pass (its claims and takes), or one API dispatch. */
export interface Lease {
  token: string
  ms: number
}

export const newLease = (ms: number): Lease => ({ token: randomUUID(), ms })

export interface Outcome {
  message: Taken
  provider: string
  providerMessageId?: string
  /** Why the provider did not take it. */
  error?: string
  /** Not a provider's answer but a fault of ours: rethrown to the API caller. */
  fault?: unknown
  /** The traceparent of the send: the webhook events it fires continue its trace. */
  traceContext?: string | null
}

export async function dispatchCommunication(config: Config, accountId: string, communicationId: string, mode: DispatchMode): Promise<void> {
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

  const [taken] = await takeForSending([message.id], newLease(LEASE_MS), 'pending')
  if (!taken) {
    const now = await db.communication.findUnique({
      where: { id: message.id },
      select: { status: true, campaign: { select: { status: true } } },
    })
    refuseUnsendable(now?.status ?? 'cancelled', now?.campaign?.status)
    throw conflict('Communication is already being sent')
  }
  // Inside an idempotent request the take commits first (with the answer: the message `sending`),
  // and the provider is called after: a process dying in between leaves the lease to expire.
  await afterCommit(async () => {
    const outcome = await attempt(taken, provider, send)
    // Once the provider has it, a failure to record that must not make the message look unsent:
    // it stays `sending` until its lease expires, for a worker to settle.
    const [lost] = await recordOutcomes([outcome])
    if (lost) throw conflict('The send outlasted its lease and another process took the message over: its outcome was not recorded')
    if (outcome.fault) throw outcome.fault
    if (outcome.error) throw new AppError('PROVIDER_ERROR', outcome.error)
  })
}

/** A communication as stored, with what a provider call needs of its customer. */
export type Taken = Communication & Pick<Outgoing, 'customer'>

/** Every column of `communications` under its Prisma field name (the columns are the fields in snake_case). */
const communicationColumns = Prisma.join(
  Object.values(Prisma.CommunicationScalarFieldEnum).map((field) =>
    Prisma.raw(`c."${field.replace(/[A-Z]/g, (l) => `_${l.toLowerCase()}`)}" AS "${field}"`),
  ),
)

/**
 * pending → sending, one attempt more, leased: the messages among `ids` still pending (and not in
 * a paused campaign) come back. `'claimed'` (the worker) takes only what the lease's pass claimed
 * and still holds; `'pending'` (the API) takes a queued, scheduled or failed message whoever
 * claimed it, so a worker's claim never blocks an explicit dispatch (the worker's take then
 * finds it gone). Raw SQL, because the worker takes once per group of lanes and Prisma's
 * updateManyAndReturn compiles its query on every call: ~6 ms of CPU for a group of 25 on this
 * project's test machine, against ~2 ms for this statement.
 */
export async function takeForSending(ids: string[], lease: Lease, from: 'claimed' | 'pending'): Promise<Taken[]> {
  if (ids.length === 0) return []
  const held =
    from === 'claimed'
      ? Prisma.sql`c.status IN ('queued', 'failed') AND c.lease_token = ${lease.token}`
      : Prisma.sql`c.status IN ('queued', 'scheduled', 'failed')`
  return db.$queryRaw<Taken[]>`
    UPDATE communications c SET status = 'sending', attempts = c.attempts + 1, lease_token = ${lease.token},
      lease_expires_at = ${new Date(Date.now() + lease.ms)}, updated_at = now()
    WHERE c.id = ANY(${ids}::text[]) AND ${held}
      AND NOT EXISTS (SELECT 1 FROM campaigns g WHERE g.id = c.campaign_id AND g.status = 'paused')
    RETURNING ${communicationColumns},
      (SELECT json_build_object('name', u.name, 'firstName', u.first_name, 'lastName', u.last_name) FROM customers u WHERE u.id = c.customer_id AND u.deleted_at IS NULL) AS customer`
}

/** One provider call, timed (metrics) and traced as a client span. */
export function attempt(message: Taken & Outgoing, provider: string, send: Send): Promise<Outcome> {
  const traceContext = traceparent()
  const attributes = { provider, communication_id: message.id, channel: message.channel }
  return inSpan(`provider ${provider}`, { kind: 'client', attributes }, async () => {
    const started = performance.now()
    const outcome = await sendOnce(message, provider, send)
    if (metrics.on)
      providerCalls.observe(
        { provider, outcome: outcome.providerMessageId ? 'ok' : outcome.fault ? 'fault' : 'error' },
        secondsSince(started),
      )
    if (outcome.error) spanFailed(outcome.fault ?? outcome.error)
    return { ...outcome, traceContext }
  })
}

async function sendOnce(message: Taken & Outgoing, provider: string, send: Send): Promise<Outcome> {
  try {
    return { message, provider, providerMessageId: await send(message) }
  } catch (error) {
    if (error instanceof ProviderError) return { message, provider, error: error.message }
    return { message, provider, error: 'Unexpected error while sending', fault: error }
  }
}

/** Raised inside the recording transaction to roll it back when some leases turn out lost. */
class LeasesLost extends Error {
  constructor(readonly held: Set<string>) {
    super('some leases were lost')
  }
}

/**
 * Records outcomes in one transaction: sent text messages join their conversations, every
 * communication gets its final state, and `communication.sent`/`.failed` webhooks are queued.
 * Calls become `voice` conversations from the provider's end-of-call report instead.
 *
 * An outcome is written only while its message is still `sending` under the token that took it.
 * One whose lease was lost (its process stalled past the lease and another process recovered
 * the message) writes nothing, not even the conversation entry, and is returned for the caller
 * to report. Holding costs no extra statement: the final UPDATE answers which rows it wrote, and
 * only when one is missing is the transaction rolled back and run again without the lost ones.
 */
export async function recordOutcomes(outcomes: Outcome[]): Promise<Outcome[]> {
  const lost: Outcome[] = []
  let held = outcomes
  while (held.length) {
    try {
      await writeOutcomes(held)
      break
    } catch (error) {
      if (!(error instanceof LeasesLost)) throw error
      lost.push(...held.filter((o) => !error.held.has(o.message.id)))
      held = held.filter((o) => error.held.has(o.message.id))
    }
  }
  return lost
}

async function writeOutcomes(outcomes: Outcome[]): Promise<void> {
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
    const released = { leaseExpiresAt: null, leaseToken: null, updatedAt: now }
    const after = outcomes.map(({ message: { customer: _customer, ...row }, provider, providerMessageId, error }) =>
      providerMessageId !== undefined
        ? {
            ...row,
            ...released,
            status: 'sent' as const,
            provider,
            providerMessageId,
            sentAt: now,
            lastError: null,
            nextAttemptAt: null,
            conversationId: conversationOf.get(row.id) ?? row.conversationId,
          }
        : { ...row, ...released, status: 'failed' as const, provider, lastError: error ?? null },
    )
    const columns = after.map((r, i) => ({
      id: r.id,
      lease_token: outcomes[i].message.leaseToken,
      status: r.status,
      provider: r.provider,
      provider_message_id: r.providerMessageId,
      sent_at: r.sentAt,
      last_error: r.lastError,
      next_attempt_at: r.nextAttemptAt,
      conversation_id: r.conversationId,
    }))
    const written = await tx.$queryRaw<{ id: string }[]>`
      UPDATE communications c SET status = t.status::communication_status, provider = t.provider, provider_message_id = t.provider_message_id,
        sent_at = t.sent_at, last_error = t.last_error, lease_expires_at = NULL, lease_token = NULL, next_attempt_at = t.next_attempt_at,
        conversation_id = t.conversation_id, updated_at = ${now}
      FROM json_to_recordset(${JSON.stringify(columns)}::json)
        AS t(id text, lease_token text, status text, provider text, provider_message_id text, sent_at timestamptz, last_error text,
          next_attempt_at timestamptz, conversation_id text)
      WHERE c.id = t.id AND c.status = 'sending' AND c.lease_token = t.lease_token
      RETURNING c.id`
    if (written.length < outcomes.length) throw new LeasesLost(new Set(written.map((row) => row.id)))
    await fireWebhookEvents(
      tx,
      after.map((row, i) => {
        const event = row.status === 'sent' ? ('communication.sent' as const) : ('communication.failed' as const)
        return { accountId: row.accountId, event, body: webhookBody(event, communicationJson(row)), traceContext: outcomes[i].traceContext }
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
