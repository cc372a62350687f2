/**
 * `npm run worker`: the background worker on its own, without the HTTP server, so an operator
 * can run more senders than API processes. Needs DATABASE_URL: the embedded database belongs to
 * the one server process, whose built-in worker already sends. Stops on SIGTERM/SIGINT.
 */
import { pino } from 'pino'
import { connectDb, disconnectDb } from '../db/client.js'
import { resolveSecretKey } from '../db/data-dir.js'
import { migrate } from '../db/migrate.js'
import { reachDatabase } from '../db/reach.js'
import { type Config, loadConfig } from '../env.js'
import { startWorker } from '../services/worker/worker.js'
import { exitOnStartupFailure } from './fail.js'

async function main() {
  let config: Config = loadConfig()
  const databaseUrl = config.DATABASE_URL
  if (!databaseUrl) {
    console.error(
      'config error: DATABASE_URL: a separate worker needs PostgreSQL; with the embedded database the server process runs the worker itself',
    )
    process.exit(1)
  }
  const logger = pino({ level: config.LOG_LEVEL })
  config = { ...config, SECRET_KEY: await resolveSecretKey(config.SECRET_KEY, config.DATA_DIR) }
  const database = await connectDb({
    databaseUrl,
    poolSize: config.DATABASE_POOL_SIZE,
    connectTimeoutMs: config.DATABASE_CONNECT_TIMEOUT_MS,
    queryTimeoutMs: config.DATABASE_QUERY_TIMEOUT_MS,
    statementTimeoutMs: config.DATABASE_STATEMENT_TIMEOUT_MS,
  })
  await reachDatabase(database, databaseUrl, config.DATABASE_CONNECT_RETRY_MS, (reason, delayMs) =>
    logger.warn({ reason, retry_in_ms: delayMs }, 'database not reachable yet: retrying'),
  )
  await migrate(database.scripts) // idempotent and lock-guarded: a worker may start before the server
  const stop = startWorker({ config, logger })
  logger.info({ pid: process.pid, lease_ms: config.WORKER_LEASE_MS, batch: config.WORKER_BATCH_SIZE }, 'worker started')

  let stopping = false
  const shutdown = async (signal: string) => {
    if (stopping) return
    stopping = true
    logger.info({ signal }, 'worker stopping')
    setTimeout(() => process.exit(1), 9_500).unref()
    await stop(7_000)
    await disconnectDb()
    process.exit(0)
  }
  process.on('SIGTERM', () => void shutdown('SIGTERM'))
  process.on('SIGINT', () => void shutdown('SIGINT'))
}

main().catch(exitOnStartupFailure)
