/**
 * Sending a batch the worker claimed, `concurrency` provider calls at a time, through the same
 * steps as the API's dispatch (../dispatch.ts). Each step costs a fixed number of statements per
 * group of messages, never one per message:
 *
 * - opted-out numbers are cancelled in one statement, the integrations of every account read in one;
 * - a lane takes its message (→ `sending`, one attempt more, the send's lease) only when its
 *   provider call is about to start, and lanes starting together share one take (`gathered`);
 *   a message whose turn has not come is only claimed: no attempt charged, and recoverable by
 *   another worker if this one dies;
 * - while the batch runs, one statement every third of a lease renews the claims not yet
 *   started, so a batch longer than a lease keeps them;
 * - outcomes are recorded by group commit: those arriving together in one transaction, written
 *   only where this pass still holds the message.
 *
 * A lane takes its next message only once its last outcome is recorded, so a crash can repeat
 * at most one send per lane.
 */
import type { Logger } from 'pino'
import type { Config } from '../../env.js'
import { errorCodeOf } from '../../errors.js'
import { metrics, sendLag } from '../../http/metrics.js'
import { inSpan } from '../../http/tracing.js'
import { attempt, type Lease, type Outcome, recordOutcomes, type Taken, takeForSending } from '../dispatch.js'
import { loadIntegrations, revealSettings, type StoredIntegration } from '../integrations.js'
import { cancelOptedOut } from '../opt-out.js'
import { type Provider, providerOf, type Send, senderFor, testSend } from '../senders.js'
import { noteRefusal, renewClaims } from './claims.js'
import { gathered, inParallel } from './lanes.js'

/** A message the worker claimed (./claims.ts). */
export interface Claimed {
  id: string
  accountId: string
  channel: Taken['channel']
  /** Never reaches a provider: created through a test key, or its account is in test mode. */
  test: boolean
  /** The traceparent stored when it was queued: its send continues that trace. */
  traceContext: string | null
}

export interface BatchOptions {
  /** The pass's lease: its claims carry the token, and each take starts a send's lease of `ms`. */
  lease: Lease
  /** Provider calls in flight at once. */
  concurrency: number
  logger?: Logger
}

type Sender = { provider: string; send: Send } | { refusal: string }

export async function dispatchClaimed(
  config: Config,
  claimed: Claimed[],
  options: BatchOptions,
): Promise<{ sent: number; failed: number }> {
  const { lease, logger } = options
  const cancelled = new Set(await cancelOptedOut(claimed.map((m) => m.id)))
  const senderOf = await resolveSenders(
    config,
    claimed.filter((m) => !cancelled.has(m.id)),
  )

  const ready: Claimed[] = []
  const refused = new Map<string, string[]>() // reason → ids
  for (const m of claimed) {
    if (cancelled.has(m.id)) continue
    const sender = senderOf(m)
    if (!('refusal' in sender)) ready.push(m)
    else if (refused.has(sender.refusal)) refused.get(sender.refusal)!.push(m.id)
    else refused.set(sender.refusal, [m.id])
  }
  for (const [reason, ids] of refused) await noteRefusal(ids, reason, lease) // they stay pending, checked again later

  const waiting = new Set(ready.map((m) => m.id))
  const stopRenewing = keepClaimed(waiting, lease, logger)
  const take = gathered((ids: string[]) => takeClaimed(ids, lease), 0)
  const record = gathered((outcomes: Outcome[]) => recordReporting(outcomes, logger), 2)

  let sent = 0
  try {
    await inParallel(ready, options.concurrency, async (claim) => {
      waiting.delete(claim.id)
      const attributes = { communication_id: claim.id, account_id: claim.accountId, channel: claim.channel }
      await inSpan('worker.send', { kind: 'consumer', parent: claim.traceContext, attributes }, async () => {
        const message = await take(claim.id).catch((error: unknown) => {
          logger?.error(
            { err: error, communication_id: claim.id },
            'could not take a claimed message; it is claimed again once its claim expires',
          )
          return undefined
        })
        if (!message) return // cancelled, paused, dispatched through the API, or its claim was lost meanwhile
        const sender = senderOf(claim) as { provider: string; send: Send }
        const outcome = await attempt(message, sender.provider, sender.send)
        if (outcome.providerMessageId) {
          sent++
          const dueAt = message.scheduledFor ?? message.createdAt
          if (metrics.on) sendLag.observe({ channel: message.channel }, Math.max(0, Date.now() - dueAt.getTime()) / 1000)
        } else
          logger?.warn(
            { communication_id: message.id, account_id: message.accountId, reason: outcome.error, err: outcome.fault },
            'send failed; retried after backoff unless it was the last attempt',
          )
        await record(outcome)
      })
    })
  } finally {
    stopRenewing()
  }
  return { sent, failed: claimed.length - sent }
}

/** Renews, every third of a lease, the claims in `waiting` (those whose turn has not come); returns stop. */
function keepClaimed(waiting: Set<string>, lease: Lease, logger: Logger | undefined): () => void {
  const renewal = setInterval(() => {
    renewClaims([...waiting], lease).catch((error: unknown) => logger?.error({ err: error }, 'could not renew the claims of a batch'))
  }, lease.ms / 3)
  renewal.unref()
  return () => clearInterval(renewal)
}

/** One take for lanes starting together; answers each id's row, or undefined where it was not taken. */
async function takeClaimed(ids: string[], lease: Lease): Promise<(Taken | undefined)[]> {
  const taken = new Map((await takeForSending(ids, lease, 'claimed')).map((m) => [m.id, m]))
  return ids.map((id) => taken.get(id))
}

/** One group commit; a failure or a lost lease is logged (the lanes move on either way). */
async function recordReporting(outcomes: Outcome[], logger: Logger | undefined): Promise<undefined[]> {
  try {
    const lost = await recordOutcomes(outcomes)
    if (lost.length) {
      const communications = lost.map((o) => ({
        id: o.message.id,
        provider_message_id: o.providerMessageId ?? null,
        error: o.error ?? null,
      }))
      logger?.warn({ communications }, 'outcomes not recorded: their lease was lost and another process took the messages over')
    }
  } catch (error) {
    const ids = outcomes.map((o) => o.message.id)
    logger?.error({ err: error, communication_ids: ids }, 'could not record sends; they are settled when their lease expires')
  }
  return outcomes.map(() => undefined)
}

/** Reads the integrations of every account in the batch in one query; answers each message's sender. */
async function resolveSenders(config: Config, messages: Claimed[]): Promise<(m: Claimed) => Sender> {
  const live = messages.filter((m) => !m.test)
  const integrations = await loadIntegrations(
    [...new Set(live.map((m) => m.accountId))],
    [...new Set(live.map((m) => providerOf(m.channel)))],
  )
  const senders = new Map<string, Sender>()
  return (m) => {
    const provider = m.test ? 'test' : providerOf(m.channel)
    const key = `${m.accountId}:${provider}`
    if (!senders.has(key)) senders.set(key, senderFrom(config, m.accountId, provider, integrations.get(key)))
    return senders.get(key)!
  }
}

function senderFrom(config: Config, accountId: string, provider: Provider | 'test', integration: StoredIntegration | undefined): Sender {
  if (provider === 'test') return { provider, send: testSend }
  try {
    return { provider, send: senderFor(config, accountId, provider, integration ? revealSettings(integration, config) : null) }
  } catch (error) {
    if (errorCodeOf(error) === 'BAD_REQUEST') return { refusal: (error as Error).message }
    return { refusal: 'The integration cannot be read: its secrets were sealed with another SECRET_KEY' }
  }
}
