/**
 * The Redis connection behind the shared counters (./limiters.ts), tuned to fail fast: once the
 * first connection attempt is over, a command never waits for a connection (no offline queue),
 * and it never waits long for an answer, so an unreachable or frozen Redis costs a request at
 * most REDIS_COMMAND_TIMEOUT_MS before the counters fall back to this process's memory. The connection reconnects on its own, and one log
 * line marks each change of state (down, back up).
 */
import { Redis } from 'ioredis'
import type { Logger } from 'pino'

export type RedisState = 'up' | 'down' | 'not configured'

export interface RedisTimeouts {
  connectTimeoutMs: number
  commandTimeoutMs: number
}

interface Link {
  client: Redis
  /** `connecting` until the first answer; readiness reports it as down. */
  state: 'connecting' | 'up' | 'down'
  logger?: Logger
  probe?: NodeJS.Timeout
}

const links = new Map<string, Link>()
const RECONNECT_MAX_DELAY_MS = 2_000
const PROBE_INTERVAL_MS = 1_000

/** The one client for this URL, created (and connecting) on first use. */
export function redisClient(url: string, timeouts: RedisTimeouts, logger?: Logger): Redis {
  let link = links.get(url)
  if (!link) {
    const client = new Redis(url, {
      // Commands wait for the first connection attempt only (see below), so the requests of a
      // process that just started are counted in Redis rather than in memory.
      enableOfflineQueue: true,
      connectTimeout: timeouts.connectTimeoutMs,
      commandTimeout: timeouts.commandTimeoutMs,
      // One attempt per command: the caller falls back at once rather than retrying inside a request.
      maxRetriesPerRequest: 0,
      retryStrategy: (attempt) => Math.min(attempt * 200, RECONNECT_MAX_DELAY_MS),
    })
    const created: Link = { client, state: 'connecting', logger }
    link = created
    links.set(url, created)
    // From the first attempt's outcome on, a command sent while disconnected fails at once and
    // the request is counted in memory: ioredis reads this option on every command.
    const noMoreQueueing = () => {
      client.options.enableOfflineQueue = false
    }
    client.once('ready', noMoreQueueing)
    client.once('error', noMoreQueueing)
    client.on('ready', () => markUp(created))
    client.on('error', (error) => markDown(created, error.message))
    client.on('close', () => markDown(created, 'connection closed'))
    // A frozen server keeps its connection open and answers nothing: a ping that times out
    // reconnects, and until the server answers again commands are refused at once instead of
    // each waiting out the timeout.
    created.probe = setInterval(() => {
      if (client.status !== 'ready') return
      client.ping().catch((error: Error) => {
        markDown(created, error.message)
        if (client.status === 'ready') client.disconnect(true)
      })
    }, PROBE_INTERVAL_MS).unref()
  }
  if (logger) link.logger ??= logger
  return link.client
}

/** What readiness reports for this configuration. */
export function redisState(url: string | undefined): RedisState {
  if (!url) return 'not configured'
  return links.get(url)?.state === 'up' ? 'up' : 'down'
}

export async function closeRedis(): Promise<void> {
  const open = [...links.values()]
  links.clear()
  for (const link of open) clearInterval(link.probe)
  await Promise.all(open.map(({ client }) => client.quit().catch(() => client.disconnect())))
}

function markUp(link: Link) {
  if (link.state === 'up') return
  link.logger?.info(link.state === 'connecting' ? 'redis connected' : 'redis is back up: counters are shared again')
  link.state = 'up'
}

function markDown(link: Link, reason: string) {
  if (link.state === 'down') return
  link.state = 'down'
  link.logger?.warn({ reason }, 'redis is down: requests are counted in this process until it is back')
}
