/**
 * A background worker process without the HTTP server: `npm run worker`, or one of the worker
 * processes the cluster primary starts beside its server processes. Needs DATABASE_URL (the
 * embedded database belongs to the one server process, whose built-in worker already sends).
 * Stops on SIGTERM/SIGINT, giving the pass in progress up to 7 seconds.
 */
import type { Logger } from 'pino'
import { disconnectDb } from '../db/client.js'
import { migrate } from '../db/migrate.js'
import type { Config } from '../env.js'
import { enableMetrics } from '../http/metrics.js'
import { startTracing, stopTracing } from '../http/tracing.js'
import { startBackground } from './background.js'
import { openDatabase } from './prepare.js'

/** How long a stopping worker waits for the pass in progress; a send cut off keeps its lease and is recovered. */
const WORKER_GRACE_MS = 7_000
/** Past this, a worker that has not stopped exits anyway (the cluster's deadline is later still). */
const WORKER_EXIT_DEADLINE_MS = 9_500

/** Resolves once the worker runs; from then on SIGTERM/SIGINT stop it and exit. */
export async function runWorkerProcess(config: Config & { DATABASE_URL: string }, logger: Logger): Promise<void> {
  await startTracing({ endpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT, serviceName: config.OTEL_SERVICE_NAME })
  // A cluster's /metrics sums every process, this one's sends and provider calls included.
  if (config.METRICS_TOKEN) enableMetrics()
  const database = await openDatabase(config, logger)
  // A cluster's primary migrated before starting its children; `npm run worker` may start before
  // any server (migrations are idempotent and lock-guarded).
  if (!config.CRM_PROCESS_ROLE) await migrate(database.scripts)
  const stop = startBackground(config, logger)
  logger.info({ pid: process.pid, lease_ms: config.WORKER_LEASE_MS, batch: config.WORKER_BATCH_SIZE }, 'worker started')

  let stopping = false
  const shutdown = async (signal: string) => {
    if (stopping) return
    stopping = true
    logger.info({ signal }, 'worker stopping')
    setTimeout(() => process.exit(1), WORKER_EXIT_DEADLINE_MS).unref()
    await stop(WORKER_GRACE_MS)
    await disconnectDb()
    await stopTracing().catch(() => {})
    process.exit(0)
  }
  process.on('SIGTERM', () => void shutdown('SIGTERM'))
  process.on('SIGINT', () => void shutdown('SIGINT'))
}
