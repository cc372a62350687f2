/**
 * `npm run worker`: the background worker on its own, without the HTTP server, so an operator
 * can run more senders than API processes. Needs DATABASE_URL: the embedded database belongs to
 * the one server process, whose built-in worker already sends. Stops on SIGTERM/SIGINT.
 */
import { pino } from 'pino'
import { connectDb, disconnectDb } from '../db/client.js'
import { resolveSecretKey } from '../db/data-dir.js'
import { migrate } from '../db/migrate.js'
import { type Config, ConfigError, loadConfig } from '../env.js'
import { startWorker } from '../services/worker/worker.js'

async function main() {
  let config: Config
  try {
    config = loadConfig()
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error
    for (const problem of error.problems) console.error(`config error: ${problem}`)
    process.exit(1)
  }
  if (!config.DATABASE_URL) {
    console.error(
      'config error: DATABASE_URL: a separate worker needs PostgreSQL; with the embedded database the server process runs the worker itself',
    )
    process.exit(1)
  }
  const logger = pino({ level: config.LOG_LEVEL })
  config = { ...config, SECRET_KEY: await resolveSecretKey(config.SECRET_KEY, config.DATA_DIR) }
  const database = await connectDb({
    databaseUrl: config.DATABASE_URL,
    poolSize: config.DATABASE_POOL_SIZE,
    statementTimeoutMs: config.DATABASE_STATEMENT_TIMEOUT_MS,
  })
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

main().catch((error) => {
  console.error(error)
  process.exit(1)
})
