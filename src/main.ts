/**
 * The only side effects: read the configuration, open and migrate the database, create the
 * default account on first start, listen, and shut down cleanly on SIGTERM/SIGINT.
 */
import { createServer } from 'node:http'
import { getRequestListener, type Http2Bindings, type HttpBindings } from '@hono/node-server'
import { pino } from 'pino'
import { createApp } from './app.js'
import { closeRedis } from './context/limiters.js'
import { connectDb, disconnectDb } from './db/client.js'
import { resolveSecretKey } from './db/data-dir.js'
import { migrate } from './db/migrate.js'
import { type Config, ConfigError, loadConfig } from './env.js'
import { answerUnreadableRequest } from './http/adaptor-errors.js'
import { bootstrapDefaultAccount } from './services/accounts.js'
import { backfillDefaultTemplates } from './services/automations/templates.js'
import { startWorker } from './services/worker/worker.js'

const SHUTDOWN_GRACE_MS = 8_000

async function main() {
  let config: Config
  try {
    config = loadConfig()
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error
    for (const problem of error.problems) console.error(`config error: ${problem}`)
    process.exit(1)
  }
  const logger = pino({ level: config.LOG_LEVEL })
  config = { ...config, SECRET_KEY: await resolveSecretKey(config.SECRET_KEY, config.DATA_DIR) }

  const database = await connectDb({ databaseUrl: config.DATABASE_URL, dataDir: config.DATA_DIR, poolSize: config.DATABASE_POOL_SIZE })
  const applied = await migrate(database.scripts)
  if (applied.length) logger.info({ migrations: applied }, 'applied migrations')

  // Accounts created before the template library existed get it now (idempotent).
  const backfilled = await backfillDefaultTemplates()
  if (backfilled) logger.info({ accounts: backfilled }, 'seeded the default template library')
  const bootstrapped = await bootstrapDefaultAccount(config.BOOTSTRAP_ACCESS_CODE)
  if (bootstrapped) {
    // Printed once, on the very first start: the only time this code is ever shown.
    console.log(
      `\n  Portal:       ${config.PUBLIC_URL}/portal\n  Account:      ${bootstrapped.account.name}\n  Access code:  ${bootstrapped.accessCode}\n`,
    )
  }

  if (process.argv.includes('--demo')) {
    const { seedDemoData } = await import('./db/demo.js')
    await seedDemoData(logger)
  }

  const app = createApp(config, logger)
  const server = createServer(
    getRequestListener(
      (request: Request, env: HttpBindings | Http2Bindings) => app.fetch(request, { clientIp: env.incoming.socket.remoteAddress }),
      { errorHandler: (error) => answerUnreadableRequest(error, logger) },
    ),
  )
  server.keepAliveTimeout = 65_000
  await new Promise<void>((resolve) => server.listen(config.PORT, config.HOST, resolve))
  const address = server.address()
  logger.info(
    { port: typeof address === 'object' ? address?.port : config.PORT, url: config.PUBLIC_URL, database: database.kind },
    'listening',
  )
  // Sends due messages and delivers webhooks (services/worker/); more can run with `npm run worker`.
  const stopWorker = startWorker({ config, logger })

  let stopping = false
  const stop = async (signal: string) => {
    if (stopping) return
    stopping = true
    logger.info({ signal }, 'shutting down')
    const force = setTimeout(() => process.exit(1), SHUTDOWN_GRACE_MS + 1_500).unref()
    // No new claims from here; a send or delivery cut off by the deadline keeps its lease and is recovered.
    const workerStopped = stopWorker(SHUTDOWN_GRACE_MS - 1_000)
    server.close() // stop accepting; in-flight requests finish
    server.closeIdleConnections()
    setTimeout(() => server.closeAllConnections(), SHUTDOWN_GRACE_MS).unref()
    await new Promise((resolve) => server.once('close', resolve))
    await workerStopped
    await closeRedis()
    await disconnectDb()
    clearTimeout(force)
    process.exit(0)
  }
  process.on('SIGTERM', () => void stop('SIGTERM'))
  process.on('SIGINT', () => void stop('SIGINT'))
}

main().catch((error) => {
  console.error(error)
  process.exit(1)
})
