/**
 * The background worker: one pass (`runOnce`) turns due `scheduled` messages into `queued`,
 * recovers sends whose process died (and SMS of POST /api/v1/sms never handed to Twilio), claims due messages of auto-dispatch accounts under a lease
 * of its own and sends them (./batch.ts, through the same steps as the API's dispatch), numbers the
 * change feed's newly committed changes and turns them into webhook events, purges changes and API key usage past their retention, then
 * delivers due outgoing webhooks, and purges records deleted more than 30 days ago (../deletes.ts).
 * `startWorker` repeats passes until stopped; it runs inside the
 * server (main.ts) and on its own (`npm run worker`, src/cli/worker.ts). Tests drive
 * `runOnce({ now })` with their own clock.
 */
import type { Logger } from 'pino'
import { pruneUsage } from '../../context/usage.js'
import { asActor } from '../../db/change-tags.js'
import type { Config } from '../../env.js'
import { numberWaitingChanges, SEQUENCE_BATCH } from '../changes/feed.js'
import { purgeOldChanges } from '../changes/retention.js'
import { purgeDeleted } from '../deletes.js'
import { type Lease, newLease } from '../dispatch.js'
import { sendAbandonedSms } from '../sms-delivery.js'
import { deliverDueWebhooks } from '../webhooks/delivery.js'
import { fanOutChanges } from '../webhooks/feed-events.js'
import { dispatchClaimed } from './batch.js'
import { type ClaimedMessage, claimDue, deferUntil, promoteDue, recoverExpired } from './claims.js'
import { windowOpensAt } from './window.js'

export interface PassOptions {
  config: Config
  logger?: Logger
  /** The scheduling clock: what is due, when retries and quiet hours end. */
  now?: Date
  /** Only these accounts (tests that share a database); absent = every account. */
  accountIds?: string[]
}

export interface PassResult {
  promoted: number
  recovered: number
  claimed: number
  sent: number
  /** Claimed but not sent: provider failures, cancelled meanwhile, not configured. */
  failed: number
  deferred: number
  webhooks: number
  /** Changes of the feed given their position. */
  numbered: number
  /** Deleted records past their restore window, hard-deleted. */
  purged: number
}

/** One pass; the changes it makes are attributed to `worker` in the change feed. */
export const runOnce = (options: PassOptions): Promise<PassResult> => asActor('worker', () => pass(options))

async function pass(options: PassOptions): Promise<PassResult> {
  const { config, logger } = options
  const now = options.now ?? new Date()
  const scope = options.accountIds ?? config.WORKER_ACCOUNTS
  const promoted = await promoteDue(now, scope)
  const recovered = await recoverExpired(now, scope)
  if (recovered) logger?.warn({ recovered }, 'recovered sends whose worker stopped mid-send')
  const lease = newLease(config.WORKER_LEASE_MS)
  const claimed = await claimDue(now, config.WORKER_BATCH_SIZE, lease, scope)
  const ready = await deferQuietHours(claimed, now, lease)
  const { sent, failed } = await dispatchClaimed(config, ready, { lease, concurrency: config.WORKER_CONCURRENCY, logger })
  const smsResent = await sendAbandonedSms(config, scope, logger, config.WORKER_BATCH_SIZE)
  if (smsResent) logger?.warn({ sms: smsResent }, 'sent SMS whose request stopped before handing them to Twilio')
  const numbered = await numberWaitingChanges(scope)
  await fanOutChanges(scope)
  await purgeOldChanges()
  await pruneUsage()
  let webhooks = 0
  for (const accountId of scope ?? [undefined])
    webhooks += await deliverDueWebhooks({ config, now, logger, limit: config.WORKER_BATCH_SIZE, accountId })
  const purged = await purgeDeleted(now, scope)
  if (purged) logger?.info({ purged }, 'purged records deleted more than 30 days ago')
  return { promoted, recovered, claimed: claimed.length, sent, failed, deferred: claimed.length - ready.length, webhooks, numbered, purged }
}

/** Hands back the messages whose account's window is closed, until it opens; returns the rest. */
async function deferQuietHours(claimed: ClaimedMessage[], now: Date, lease: Lease): Promise<ClaimedMessage[]> {
  const ready: ClaimedMessage[] = []
  const waiting = new Map<number, string[]>()
  for (const message of claimed) {
    const opensAt = windowOpensAt(now, { timeZone: message.timeZone, start: message.windowStart, end: message.windowEnd })
    if (!opensAt) ready.push(message)
    else waiting.set(opensAt.getTime(), [...(waiting.get(opensAt.getTime()) ?? []), message.id])
  }
  for (const [at, ids] of waiting) await deferUntil(ids, new Date(at), lease)
  return ready
}

/**
 * Runs passes until stopped: a pass that filled its batch is followed at once by the next,
 * otherwise the worker sleeps WORKER_POLL_MS. The returned stop() waits for the pass in
 * progress at most `graceMs`; a send cut off by exiting is recovered as a failed attempt once its
 * lease expires, and claims not yet started are taken over, uncharged, once their claim expires.
 */
export function startWorker(options: { config: Config; logger?: Logger }): (graceMs?: number) => Promise<void> {
  const { config, logger } = options
  let stopped = false
  let timer: NodeJS.Timeout | undefined
  let running: Promise<void> = Promise.resolve()
  const tick = async () => {
    let busy = false
    try {
      const result = await runOnce({ config, logger })
      busy = result.claimed >= config.WORKER_BATCH_SIZE || result.webhooks >= config.WORKER_BATCH_SIZE || result.numbered >= SEQUENCE_BATCH
      if (result.claimed || result.promoted) logger?.debug(result, 'worker pass')
    } catch (error) {
      logger?.error({ err: error }, 'worker pass failed')
    }
    if (!stopped) timer = setTimeout(() => (running = tick()), busy ? 0 : config.WORKER_POLL_MS)
  }
  running = tick()
  return async (graceMs = 5_000) => {
    stopped = true
    clearTimeout(timer)
    await Promise.race([running, new Promise((resolve) => setTimeout(resolve, graceMs).unref())])
  }
}
