/**
 * A background worker process without the HTTP server: `npm run worker`, or one of the worker
 * processes the cluster primary starts beside its server processes. Needs DATABASE_URL (the
 * embedded database belongs to the one server process, whose built-in worker already sends).
 * Stops on SIGTERM/SIGINT, giving the pass in progress up to 7 seconds.
 */
import type { Logger } from 'pino'
import { connectDb, disconnectDb } from '../db/client.js'
import { migrate } from '../db/migrate.js'
import { reachDatabase } from '../db/reach.js'
import type { Config } from '../env.js'
import { enableMetrics } from '../http/metrics.js'
import { startTracing, stopTracing } from '../http/tracing.js'
import { startCsvImports } from '../schema/csv/runner.js'
import { startWorker } from '../services/worker/worker.js'

/** Resolves once the worker runs; from then on SIGTERM/SIGINT stop it and exit. */
export async function runWorkerProcess(config: Config & { DATABASE_URL: string }, logger: Logger): Promise<void> {
  await startTracing({ endpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT, serviceName: config.OTEL_SERVICE_NAME })
  // A cluster's /metrics sums every process, this one's sends and provider calls included.
  if (config.METRICS_TOKEN) enableMetrics()
  const database = await connectDb({
    databaseUrl: config.DATABASE_URL,
    poolSize: config.DATABASE_POOL_SIZE,
    connectTimeoutMs: config.DATABASE_CONNECT_TIMEOUT_MS,
    queryTimeoutMs: config.DATABASE_QUERY_TIMEOUT_MS,
    statementTimeoutMs: config.DATABASE_STATEMENT_TIMEOUT_MS,
  })
  await reachDatabase(database, config.DATABASE_URL, config.DATABASE_CONNECT_RETRY_MS, (reason, delayMs) =>
    logger.warn({ reason, retry_in_ms: delayMs }, 'database not reachable yet: retrying'),
  )
  await migrate(database.scripts) // idempotent and lock-guarded: a worker may start before the server
  const stopWorker = startWorker({ config, logger })
  // CSV imports (dry runs and upserts) run beside the worker, so a long import never delays sends.
  const stopImports = startCsvImports({
    leaseMs: config.WORKER_LEASE_MS,
    pollMs: config.WORKER_POLL_MS,
    logger,
    accountIds: config.WORKER_ACCOUNTS,
  })
  const stop = (graceMs: number) => Promise.all([stopWorker(graceMs), stopImports(graceMs)])
  logger.info({ pid: process.pid, lease_ms: config.WORKER_LEASE_MS, batch: config.WORKER_BATCH_SIZE }, 'worker started')

  let stopping = false
  const shutdown = async (signal: string) => {
    if (stopping) return
    stopping = true
    logger.info({ signal }, 'worker stopping')
    setTimeout(() => process.exit(1), 9_500).unref()
    await stop(7_000)
    await disconnectDb()
    await stopTracing().catch(() => {})
    process.exit(0)
  }
  process.on('SIGTERM', () => void shutdown('SIGTERM'))
  process.on('SIGINT', () => void shutdown('SIGINT'))
}
