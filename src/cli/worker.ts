/**
 * `npm run worker`: the background worker on its own, without the HTTP server, so an operator
 * can run more senders than API processes (cli/worker-process.ts).
 */
import './env-file.js'
import { pino } from 'pino'
import { resolveSecretKey } from '../db/data-dir.js'
import { loadConfig } from '../env.js'
import { exitOnStartupFailure } from './fail.js'
import { runWorkerProcess } from './worker-process.js'

async function main() {
  const config = loadConfig()
  const databaseUrl = config.DATABASE_URL
  if (!databaseUrl) {
    console.error(
      'config error: DATABASE_URL: a separate worker needs PostgreSQL; with the embedded database the server process runs the worker itself',
    )
    process.exit(1)
  }
  const logger = pino({ level: config.LOG_LEVEL })
  await runWorkerProcess(
    { ...config, DATABASE_URL: databaseUrl, SECRET_KEY: await resolveSecretKey(config.SECRET_KEY, config.DATA_DIR) },
    logger,
  )
}

main().catch(exitOnStartupFailure)
