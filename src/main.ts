/**
 * `npm start`. The only side effects: read the configuration (`.env` filling in the
 * environment), prepare the database once (migrations, the default account on first start), and
 * serve. With WEB_CONCURRENCY=1 and at most one worker process (the default on the embedded
 * database) this one process serves and runs the worker; otherwise it becomes the cluster primary
 * (cli/cluster.ts) and its children play the roles it gives them.
 */
import './cli/env-file.js'
import cluster from 'node:cluster'
import { type Logger, pino } from 'pino'
import { startCluster } from './cli/cluster.js'
import { exitOnStartupFailure } from './cli/fail.js'
import { openDatabase, prepareDatabase, printPortalBanner } from './cli/prepare.js'
import { serve } from './cli/serve.js'
import { runWorkerProcess } from './cli/worker-process.js'
import { disconnectDb } from './db/client.js'
import { resolveSecretKey } from './db/data-dir.js'
import { type Config, loadConfig } from './env.js'
import { serveClusterMetrics } from './http/metrics-cluster.js'
import { startTracing } from './http/tracing.js'

const demo = process.argv.includes('--demo')

async function main() {
  const loaded = loadConfig()
  const logger = pino({ level: loaded.LOG_LEVEL })
  if (await startTracing({ endpoint: loaded.OTEL_EXPORTER_OTLP_ENDPOINT, serviceName: loaded.OTEL_SERVICE_NAME }))
    logger.info({ endpoint: loaded.OTEL_EXPORTER_OTLP_ENDPOINT }, 'exporting traces')
  const config = { ...loaded, SECRET_KEY: await resolveSecretKey(loaded.SECRET_KEY, loaded.DATA_DIR) }
  if (cluster.isWorker) return runChild(config, logger)
  if (config.WEB_CONCURRENCY === 1 && config.WORKER_PROCESSES <= 1) return runAlone(config, logger)
  return runPrimary(config, logger)
}

/** One process does everything: the embedded database's only mode, and WEB_CONCURRENCY=1's. */
async function runAlone(config: Config, logger: Logger) {
  const database = await openDatabase(config, logger)
  const prepared = await prepareDatabase(database, config, logger, demo)
  await serve(config, logger, { worker: config.WORKER_PROCESSES === 1, databaseKind: database.kind })
  printPortalBanner(config, prepared)
}

async function runPrimary(config: Config, logger: Logger) {
  const database = await openDatabase(config, logger)
  const prepared = await prepareDatabase(database, config, logger, demo)
  await disconnectDb()
  // A server process asked for /metrics answers for the whole cluster, gathered here.
  serveClusterMetrics()
  // Every child uses the key this start resolved (one generated into DATA_DIR is read once, here).
  const processes = startCluster(config, logger, config.SECRET_KEY ? { SECRET_KEY: config.SECRET_KEY } : {})
  let exiting = false
  const exit = async (signal: NodeJS.Signals) => {
    if (exiting) return
    exiting = true
    logger.info({ signal }, 'shutting down every process')
    const code = await processes.stop(signal)
    logger.info('stopped')
    process.exit(code)
  }
  process.on('SIGTERM', () => void exit('SIGTERM'))
  process.on('SIGINT', () => void exit('SIGINT'))
  try {
    await processes.ready
  } catch {
    // The child that failed printed why (its start-up error line); the others are stopped with it.
    await processes.stop('SIGTERM')
    process.exit(1)
  }
  logger.info({ web: config.WEB_CONCURRENCY, workers: config.WORKER_PROCESSES, url: config.PUBLIC_URL }, 'every process is running')
  printPortalBanner(config, prepared)
}

/** A child of the cluster primary, which prepared the database already. */
async function runChild(config: Config, logger: Logger) {
  if (config.CRM_PROCESS_ROLE === 'worker') {
    await runWorkerProcess({ ...config, DATABASE_URL: config.DATABASE_URL! }, logger)
    process.send?.('ready')
    return
  }
  const database = await openDatabase(config, logger)
  await serve(config, logger, { worker: false, databaseKind: database.kind })
}

main().catch(exitOnStartupFailure)
