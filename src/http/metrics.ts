/**
 * The process's Prometheus metrics (prom-client), in one registry of their own: what the server
 * does (requests, rate-limit refusals, GraphQL cost), what it waits on (database, providers,
 * webhook receivers) and what is waiting (the worker's queue, the webhook backlog). Every label
 * takes a bounded set of values: routes are the router's templates, never raw paths.
 * docs/operations.md#metrics lists each metric; ./metrics-cluster.ts sums the processes of a cluster.
 */
import client from 'prom-client'
import { currentDatabase, db, statementTiming } from '../db/client.js'
import { Prisma } from '../generated/prisma/client.js'

export const registry = new client.Registry()

/**
 * Whether this process records metrics: off until `enableMetrics()` (an app whose configuration
 * sets METRICS_TOKEN), so a server nobody scrapes pays nothing per request.
 */
export const metrics = { on: false }

export function enableMetrics(): void {
  if (metrics.on) return
  metrics.on = true
  client.collectDefaultMetrics({ register: registry })
  statementTiming.observe = (durationSeconds, failed) => statementDuration.observe({ outcome: failed ? 'error' : 'ok' }, durationSeconds)
}

const seconds = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

export const httpRequests = new client.Counter({
  name: 'crm_http_requests_total',
  help: 'HTTP requests answered, by method, route template and status',
  labelNames: ['method', 'route', 'status'] as const,
  registers: [registry],
})

export const httpDuration = new client.Histogram({
  name: 'crm_http_request_duration_seconds',
  help: 'Time from a request reaching the router to its answer, by method, route template and status',
  labelNames: ['method', 'route', 'status'] as const,
  buckets: seconds,
  registers: [registry],
})

export const rateLimitRefusals = new client.Counter({
  name: 'crm_rate_limit_refusals_total',
  help: 'Requests refused with 429, by limit: account (RATE_LIMIT_PER_MINUTE) or sign_in (the sign-in throttle)',
  labelNames: ['limit'] as const,
  registers: [registry],
})

export const graphqlCost = new client.Histogram({
  name: 'crm_graphql_operation_cost',
  help: 'Cost of /graphql operations (docs/graphql.md#limits), by outcome: accepted or refused (over GRAPHQL_MAX_COST)',
  labelNames: ['outcome'] as const,
  buckets: [1, 10, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000, 50_000],
  registers: [registry],
})

const statementDuration = new client.Histogram({
  name: 'crm_db_statement_duration_seconds',
  help: 'Time from sending one SQL statement to its answer, by outcome: ok or error',
  labelNames: ['outcome'] as const,
  buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5],
  registers: [registry],
})

new client.Gauge({
  name: 'crm_db_statements_in_flight',
  help: 'SQL statements sent and not yet answered',
  registers: [registry],
  collect() {
    this.set(statementTiming.inFlight)
  },
})

new client.Gauge({
  name: 'crm_db_pool_connections',
  help: 'PostgreSQL pool connections, by state: busy, idle, waiting (requests waiting for one) and max (DATABASE_POOL_SIZE); absent on the embedded database',
  labelNames: ['state'] as const,
  registers: [registry],
  collect() {
    const pool = currentDatabase()?.poolUse?.()
    if (!pool) return
    this.set({ state: 'busy' }, pool.total - pool.idle)
    this.set({ state: 'idle' }, pool.idle)
    this.set({ state: 'waiting' }, pool.waiting)
    this.set({ state: 'max' }, pool.max)
  },
})

export const sendLag = new client.Histogram({
  name: 'crm_worker_send_lag_seconds',
  help: 'From when a message fell due (its scheduled time, or its creation) to its provider accepting it, by channel',
  labelNames: ['channel'] as const,
  buckets: [0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3_600],
  registers: [registry],
})

export const providerCalls = new client.Histogram({
  name: 'crm_provider_call_duration_seconds',
  help: 'Provider calls (sendblue, vapi, email, twilio, test), by provider and outcome: ok, error (the provider refused or failed) or fault (ours)',
  labelNames: ['provider', 'outcome'] as const,
  buckets: seconds,
  registers: [registry],
})

export const webhookDeliveries = new client.Histogram({
  name: 'crm_webhook_delivery_duration_seconds',
  help: 'Webhook delivery attempts, by outcome: succeeded, retrying (failed, tried again later) or failed (the last attempt failed)',
  labelNames: ['outcome'] as const,
  buckets: seconds,
  registers: [registry],
})

/**
 * Queue sizes are read from the database when scraped: one statement each, on indexed status
 * columns. Every process sees the same numbers, so a cluster reports the largest, not the sum.
 */
const QUEUE_STATES = ['queued', 'scheduled', 'failed', 'sending'] as const
new client.Gauge({
  name: 'crm_worker_queue_depth',
  help: 'Messages waiting in the worker queue, by state: queued, scheduled, failed (awaiting a retry) and sending',
  labelNames: ['state'] as const,
  aggregator: 'max',
  registers: [registry],
  async collect() {
    if (!currentDatabase()) return
    const rows = await db.$queryRaw<{ status: string; count: bigint }[]>`
      SELECT status::text AS status, count(*) AS count FROM communications
      WHERE status IN (${Prisma.join([...QUEUE_STATES])}) GROUP BY status`.catch(() => undefined)
    if (!rows) return
    for (const state of QUEUE_STATES) this.set({ state }, Number(rows.find((r) => r.status === state)?.count ?? 0))
  },
})

new client.Gauge({
  name: 'crm_webhook_backlog',
  help: 'Webhook deliveries not yet delivered, by state: due (to be attempted now) or waiting (a retry later)',
  labelNames: ['state'] as const,
  aggregator: 'max',
  registers: [registry],
  async collect() {
    if (!currentDatabase()) return
    const [row] =
      (await db.$queryRaw<{ due: bigint; waiting: bigint }[]>`
      SELECT count(*) FILTER (WHERE next_attempt_at <= now()) AS due, count(*) FILTER (WHERE next_attempt_at > now()) AS waiting
      FROM webhook_deliveries WHERE status = 'pending'`.catch(() => undefined)) ?? []
    if (!row) return
    this.set({ state: 'due' }, Number(row.due))
    this.set({ state: 'waiting' }, Number(row.waiting))
  },
})

const subscriptions = new client.Gauge({
  name: 'crm_subscriptions',
  help: 'GraphQL subscriptions open in this process',
  registers: [registry],
})

/** Counts one subscription as open; call the returned function (once) when it ends. */
export function subscriptionOpened(): () => void {
  subscriptions.inc()
  let open = true
  return () => {
    if (open) subscriptions.dec()
    open = false
  }
}

/** Seconds since `started` (a performance.now() reading). */
export const secondsSince = (started: number) => (performance.now() - started) / 1000
