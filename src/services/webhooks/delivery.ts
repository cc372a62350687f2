/**
 * Durable webhook delivery. Deliveries are rows (see ./outbox.ts); `deliverDueWebhooks` claims a
 * batch of due ones with FOR UPDATE SKIP LOCKED and a lease (so several processes share the work
 * and a crashed process's claim expires), POSTs each signed body, logs the attempt and either
 * marks the delivery succeeded or schedules the next retry: 1 min, 5 min, 30 min, 2 h, 6 h,
 * 12 h after the failed attempts, then `failed` (seven attempts over about 21 hours).
 */
import type { Logger } from 'pino'
import { decryptSecret } from '../../crypto.js'
import { db } from '../../db/client.js'
import type { Config } from '../../env.js'
import { Prisma } from '../../generated/prisma/client.js'
import { metrics, webhookDeliveries } from '../../http/metrics.js'
import { inSpan, spanFailed } from '../../http/tracing.js'
import { type PostResult, postWebhook } from './post.js'
import { signatureHeaders } from './signing.js'

export const RETRY_DELAYS_MS = [60_000, 5 * 60_000, 30 * 60_000, 2 * 3_600_000, 6 * 3_600_000, 12 * 3_600_000]
export const DELIVERY_TIMEOUT_MS = 10_000
/** Longer than one attempt can take, so only a crashed process's claim ever expires. */
const LEASE_MS = 60_000
const BATCH = 100

export interface DeliverOptions {
  config: Pick<Config, 'SECRET_KEY' | 'ALLOW_PRIVATE_WEBHOOK_URLS'>
  /** The scheduler's clock (which deliveries are due, when retries fall); tests move it forward. */
  now?: Date
  limit?: number
  /** Confines the run to one account (tests; a manual redelivery). */
  accountId?: string
  logger?: Logger
}

interface Claimed {
  id: string
  accountId: string
  endpointId: string
  event: string
  body: string
  attempts: number
  traceContext: string | null
}

/** Delivers every due delivery (up to `limit`) once; returns how many were attempted. */
export async function deliverDueWebhooks(options: DeliverOptions): Promise<number> {
  const now = options.now ?? new Date()
  const leaseUntil = new Date(now.getTime() + LEASE_MS)
  const onlyAccount = options.accountId ? Prisma.sql`AND account_id = ${options.accountId}` : Prisma.empty
  const claimed = await db.$queryRaw<Claimed[]>`
    UPDATE webhook_deliveries SET lease_expires_at = ${leaseUntil}, updated_at = now()
    WHERE id IN (
      SELECT id FROM webhook_deliveries
      WHERE status = 'pending' AND next_attempt_at <= ${now}
        AND (lease_expires_at IS NULL OR lease_expires_at <= ${now}) ${onlyAccount}
      ORDER BY next_attempt_at
      LIMIT ${options.limit ?? BATCH}
      FOR UPDATE SKIP LOCKED)
    RETURNING id, account_id AS "accountId", endpoint_id AS "endpointId", event, body, attempts, trace_context AS "traceContext"`
  if (claimed.length === 0) return 0
  const endpoints = await db.webhookEndpoint.findMany({ where: { id: { in: [...new Set(claimed.map((d) => d.endpointId))] } } })
  const byId = new Map(endpoints.map((e) => [e.id, e]))
  const outcomes = await Promise.all(claimed.map((delivery) => tracedAttempt(delivery, byId.get(delivery.endpointId), now, options)))
  await record(outcomes, leaseUntil)
  return claimed.length
}

interface Outcome {
  delivery: Claimed
  number: number
  result: PostResult
  error: string | null
  status: 'pending' | 'succeeded' | 'failed'
  nextAttemptAt: Date | null
}

/** One attempt as a client span continuing the trace that fired the event, timed for metrics. */
function tracedAttempt(
  delivery: Claimed,
  endpoint: { url: string; secretEncrypted: string } | undefined,
  now: Date,
  options: DeliverOptions,
): Promise<Outcome> {
  const attributes = { delivery_id: delivery.id, account_id: delivery.accountId, event: delivery.event, attempt: delivery.attempts + 1 }
  return inSpan('webhook delivery', { kind: 'client', parent: delivery.traceContext, attributes }, async (span) => {
    const outcome = await attempt(delivery, endpoint, now, options)
    const outcomeLabel = outcome.status === 'pending' ? 'retrying' : outcome.status
    if (metrics.on) webhookDeliveries.observe({ outcome: outcomeLabel }, outcome.result.durationMs / 1000)
    span.set({ 'http.response.status_code': outcome.result.statusCode ?? undefined, outcome: outcomeLabel })
    if (outcome.error) spanFailed(outcome.error)
    return outcome
  })
}

async function attempt(
  delivery: Claimed,
  endpoint: { url: string; secretEncrypted: string } | undefined,
  now: Date,
  options: DeliverOptions,
): Promise<Outcome> {
  const number = delivery.attempts + 1
  let result: PostResult
  try {
    result = endpoint
      ? await postWebhook(endpoint.url, delivery.body, headersFor(delivery, endpoint, options), {
          allowPrivate: options.config.ALLOW_PRIVATE_WEBHOOK_URLS,
          timeoutMs: DELIVERY_TIMEOUT_MS,
        })
      : { statusCode: null, excerpt: null, error: 'Endpoint no longer exists', durationMs: 0 }
  } catch (error) {
    // e.g. a secret that no longer decrypts after SECRET_KEY changed: logged as a failed attempt.
    result = { statusCode: null, excerpt: null, error: `Could not send: ${(error as Error).message}`, durationMs: 0 }
  }
  const ok = result.statusCode !== null && result.statusCode >= 200 && result.statusCode < 300 && !result.error
  if (ok) return { delivery, number, result, error: null, status: 'succeeded', nextAttemptAt: null }
  const error = result.error ?? `Receiver answered ${result.statusCode}`
  options.logger?.warn({ delivery_id: delivery.id, attempt: number, error }, 'webhook delivery failed')
  const retryIn = RETRY_DELAYS_MS[number - 1]
  if (retryIn === undefined) return { delivery, number, result, error, status: 'failed', nextAttemptAt: null }
  return { delivery, number, result, error, status: 'pending', nextAttemptAt: new Date(now.getTime() + retryIn) }
}

/**
 * Logs a batch's attempts and settles its deliveries in two statements (not two per delivery:
 * that is what keeps throughput up). A delivery is only updated while our lease on it holds; a
 * claim that expired belongs to whoever took it next.
 */
async function record(outcomes: Outcome[], leaseUntil: Date): Promise<void> {
  const deliveredAt = new Date()
  const rows = outcomes.map(
    (o) => Prisma.sql`(${o.delivery.id}, ${o.number}::int, ${o.result.statusCode}::int, ${o.error}::text, ${o.status}::text,
      ${o.status === 'succeeded' ? deliveredAt : null}::timestamptz, ${o.nextAttemptAt}::timestamptz)`,
  )
  await db.$transaction([
    db.webhookAttempt.createMany({
      data: outcomes.map((o) => ({
        accountId: o.delivery.accountId,
        deliveryId: o.delivery.id,
        attemptNumber: o.number,
        statusCode: o.result.statusCode,
        durationMs: o.result.durationMs,
        responseExcerpt: o.result.excerpt,
        error: o.error,
      })),
    }),
    db.$executeRaw`
      UPDATE webhook_deliveries AS d SET
        attempts = v.attempts, last_status_code = v.status_code, last_error = v.error, lease_expires_at = NULL,
        status = v.status::delivery_status, delivered_at = v.delivered_at, next_attempt_at = v.next_attempt_at,
        updated_at = now()
      FROM (VALUES ${Prisma.join(rows)}) AS v(id, attempts, status_code, error, status, delivered_at, next_attempt_at)
      WHERE d.id = v.id AND d.lease_expires_at = ${leaseUntil}`,
  ])
}

function headersFor(delivery: Claimed, endpoint: { secretEncrypted: string }, options: DeliverOptions): Record<string, string> {
  const secret = decryptSecret(endpoint.secretEncrypted, options.config.SECRET_KEY!)
  // The receiver compares webhook-timestamp with its own clock, so it is always real time.
  const timestamp = Math.floor(Date.now() / 1000)
  return { 'X-Webhook-Event': delivery.event, ...signatureHeaders(secret, delivery.id, delivery.body, timestamp) }
}

/** Runs deliveries in the background until stopped; a full batch is followed at once by the next. */
export function startWebhookDelivery(options: Omit<DeliverOptions, 'now'> & { intervalMs?: number }): () => Promise<void> {
  let stopped = false
  let timer: NodeJS.Timeout | undefined
  let running: Promise<void> = Promise.resolve()
  const limit = options.limit ?? BATCH
  const tick = async () => {
    let attempted = 0
    try {
      attempted = await deliverDueWebhooks({ ...options, limit })
    } catch (error) {
      options.logger?.error({ err: error }, 'webhook delivery loop failed')
    }
    if (!stopped) timer = setTimeout(() => (running = tick()), attempted === limit ? 0 : (options.intervalMs ?? 1000))
  }
  running = tick()
  return async () => {
    stopped = true
    clearTimeout(timer)
    await running
  }
}
