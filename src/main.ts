/**
 * The only side effects: read the configuration, open and migrate the database, create the
 * default account on first start, listen, and shut down cleanly on SIGTERM/SIGINT.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import net, { type Socket } from 'node:net'
import { getRequestListener, type Http2Bindings, type HttpBindings } from '@hono/node-server'
import { type Logger, pino } from 'pino'
import { createApp } from './app.js'
import { exitOnStartupFailure } from './cli/fail.js'
import { closeRedis } from './context/redis.js'
import { connectDb, type Database, disconnectDb } from './db/client.js'
import { resolveSecretKey } from './db/data-dir.js'
import { migrate } from './db/migrate.js'
import { reachDatabase } from './db/reach.js'
import { type Config, loadConfig, StartupError } from './env.js'
import { answerUnreadableRequest } from './http/adaptor-errors.js'
import { bootstrapDefaultAccount } from './services/accounts.js'
import { backfillDefaultTemplates } from './services/automations/templates.js'
import { startWorker } from './services/worker/worker.js'

const SHUTDOWN_GRACE_MS = 8_000
/** While stopping, a connection with no request in progress is closed once it has been idle this long. */
const STOPPING_KEEP_ALIVE_MS = 1_000

async function main() {
  let config = loadConfig()
  const logger = pino({ level: config.LOG_LEVEL })
  config = { ...config, SECRET_KEY: await resolveSecretKey(config.SECRET_KEY, config.DATA_DIR) }

  const database = await openDatabase(config, logger)
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
  let stopping = false
  const server = createServer(
    getRequestListener(
      async (request: Request, env: HttpBindings | Http2Bindings) => {
        const response = await app.fetch(request, { clientIp: env.incoming.socket.remoteAddress })
        // Once stopping, every answer tells its client to close the connection and send no more on it.
        if (stopping) (env.outgoing as ServerResponse).setHeader('Connection', 'close')
        return response
      },
      { errorHandler: (error) => answerUnreadableRequest(error, logger) },
    ),
  )
  server.keepAliveTimeout = 65_000
  const idleSockets = trackIdleSockets(server)
  await listen(server, config)
  const address = server.address()
  logger.info(
    { port: typeof address === 'object' ? address?.port : config.PORT, url: config.PUBLIC_URL, database: database.kind },
    'listening',
  )
  // Sends due messages and delivers webhooks (services/worker/); more can run with `npm run worker`.
  const stopWorker = startWorker({ config, logger })

  const stop = async (signal: string) => {
    if (stopping) return
    stopping = true
    logger.info({ signal }, 'shutting down')
    const force = setTimeout(() => process.exit(1), SHUTDOWN_GRACE_MS + 1_500).unref()
    // No new claims from here; a send or delivery cut off by the deadline keeps its lease and is recovered.
    const workerStopped = stopWorker(SHUTDOWN_GRACE_MS - 1_000)
    const closed = new Promise((resolve) => server.once('close', resolve))
    // Stop accepting, but do not close idle connections at once as http.Server#close does: a
    // request may already be on its way on one (or unread in its buffer while this process is
    // busy), and closing would cut it. Each connection closes instead after its next answer
    // (`Connection: close`) or after a short idle pause.
    Reflect.apply(net.Server.prototype.close, server, [])
    server.keepAliveTimeout = STOPPING_KEEP_ALIVE_MS
    for (const socket of idleSockets) socket.setTimeout(STOPPING_KEEP_ALIVE_MS)
    setTimeout(() => {
      logger.warn('grace period over: closing the connections still open')
      server.closeAllConnections()
    }, SHUTDOWN_GRACE_MS).unref()
    await closed
    await workerStopped
    await closeRedis()
    await disconnectDb()
    clearTimeout(force)
    logger.info('stopped')
    process.exit(0)
  }
  process.on('SIGTERM', () => void stop('SIGTERM'))
  process.on('SIGINT', () => void stop('SIGINT'))
}

/** Opens the database; PostgreSQL that cannot be reached yet is retried for DATABASE_CONNECT_RETRY_MS. */
async function openDatabase(config: Config, logger: Logger): Promise<Database> {
  const database = await connectDb({
    databaseUrl: config.DATABASE_URL,
    dataDir: config.DATA_DIR,
    poolSize: config.DATABASE_POOL_SIZE,
    connectTimeoutMs: config.DATABASE_CONNECT_TIMEOUT_MS,
    queryTimeoutMs: config.DATABASE_QUERY_TIMEOUT_MS,
    statementTimeoutMs: config.DATABASE_STATEMENT_TIMEOUT_MS,
  })
  if (config.DATABASE_URL) {
    await reachDatabase(database, config.DATABASE_URL, config.DATABASE_CONNECT_RETRY_MS, (reason, delayMs) =>
      logger.warn({ reason, retry_in_ms: delayMs }, 'database not reachable yet: retrying'),
    )
  }
  return database
}

/** The connections with no request in progress (kept up to date as requests come and go). */
function trackIdleSockets(server: Server): Set<Socket> {
  const idle = new Set<Socket>()
  server.on('connection', (socket: Socket) => {
    idle.add(socket)
    socket.once('close', () => idle.delete(socket))
  })
  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    const socket = request.socket
    idle.delete(socket)
    response.once('finish', () => !socket.destroyed && idle.add(socket))
  })
  return idle
}

function listen(server: Server, config: Config): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      const where = `${config.HOST}:${config.PORT}`
      if (error.code === 'EADDRINUSE') reject(new StartupError('PORT', `${where} is already in use by another process`))
      else if (error.code === 'EACCES') reject(new StartupError('PORT', `no permission to listen on ${where}`))
      else if (error.code === 'EADDRNOTAVAIL' || error.code === 'ENOTFOUND')
        reject(new StartupError('HOST', `${config.HOST} is not an address of this machine (${error.code})`))
      else reject(error)
    })
    server.listen(config.PORT, config.HOST, resolve)
  })
}

main().catch(exitOnStartupFailure)
