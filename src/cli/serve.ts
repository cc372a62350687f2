/**
 * One server process: listens, optionally runs the background worker beside it, and shuts down
 * cleanly on SIGTERM/SIGINT. Run alone by `npm start` (WEB_CONCURRENCY=1), or as one of the
 * cluster's server processes, which share the port through the cluster primary (cli/cluster.ts).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import net, { type Socket } from 'node:net'
import { getRequestListener, type Http2Bindings, type HttpBindings } from '@hono/node-server'
import type { Logger } from 'pino'
import { createApp } from '../app.js'
import { closeRedis } from '../context/redis.js'
import { startUsageFlushing } from '../context/usage.js'
import { disconnectDb } from '../db/client.js'
import { type Config, StartupError } from '../env.js'
import { answerUnreadableRequest } from '../http/adaptor-errors.js'
import { stopTracing } from '../http/tracing.js'
import { endAllSubscriptions } from '../services/live/subscriptions.js'
import { startBackground } from './background.js'

const SHUTDOWN_GRACE_MS = 8_000
/** While stopping, a connection with no request in progress is closed once it has been idle this long. */
const STOPPING_KEEP_ALIVE_MS = 1_000

export interface ServeOptions {
  /** Runs the background worker in this process (a single-process start); cluster server processes leave it to worker processes. */
  worker: boolean
  /** The database kind, for the `listening` log line. */
  databaseKind: string
}

/** Listens; resolves once listening, and from then on handles SIGTERM/SIGINT by stopping and exiting. */
export async function serve(config: Config, logger: Logger, options: ServeOptions): Promise<void> {
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
    {
      port: typeof address === 'object' ? address?.port : config.PORT,
      url: config.PUBLIC_URL,
      database: options.databaseKind,
    },
    'listening',
  )
  // API key requests are counted in memory and added to the database every few seconds (context/usage.ts).
  const stopUsage = startUsageFlushing(logger)
  // Sends due messages, delivers webhooks and runs CSV imports; more can run with `npm run worker`.
  const stopBackground = options.worker ? startBackground(config, logger) : async () => {}

  const stop = async (signal: string) => {
    if (stopping) return
    stopping = true
    logger.info({ signal }, 'shutting down')
    const force = setTimeout(() => process.exit(1), SHUTDOWN_GRACE_MS + 1_500).unref()
    // No new claims from here; a send or delivery cut off by the deadline keeps its lease and is recovered.
    const workerStopped = stopBackground(SHUTDOWN_GRACE_MS - 1_000)
    const closed = new Promise((resolve) => server.once('close', resolve))
    // Stop accepting, but do not close idle connections at once as http.Server#close does: a
    // request may already be on its way on one (or unread in its buffer while this process is
    // busy), and closing would cut it. Each connection closes instead after its next answer
    // (`Connection: close`) or after a short idle pause.
    Reflect.apply(net.Server.prototype.close, server, [])
    // Subscription streams never end on their own: each is told to resume elsewhere, then completes.
    endAllSubscriptions()
    server.keepAliveTimeout = STOPPING_KEEP_ALIVE_MS
    for (const socket of idleSockets) socket.setTimeout(STOPPING_KEEP_ALIVE_MS)
    setTimeout(() => {
      logger.warn('grace period over: closing the connections still open')
      server.closeAllConnections()
    }, SHUTDOWN_GRACE_MS).unref()
    await closed
    // Every request has been answered: the counts are complete.
    await stopUsage()
    await workerStopped
    await closeRedis()
    await disconnectDb()
    await stopTracing().catch((error: unknown) => logger.warn({ err: error }, 'could not export the last spans'))
    clearTimeout(force)
    logger.info('stopped')
    process.exit(0)
  }
  process.on('SIGTERM', () => void stop('SIGTERM'))
  process.on('SIGINT', () => void stop('SIGINT'))
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
