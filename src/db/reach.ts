/**
 * Start-up's first contact with PostgreSQL. A database that cannot be reached yet (still starting,
 * a network blip) is retried with backoff for DATABASE_CONNECT_RETRY_MS; one that answers with a
 * refusal (no such database, wrong password) stops start-up at once. Either way the failure is one
 * line naming DATABASE_URL, never a stack trace.
 */
import { StartupError } from '../env.js'
import type { Database } from './client.js'
import { isDatabaseUnavailable } from './outage.js'

const FIRST_DELAY_MS = 250
const MAX_DELAY_MS = 5_000

export async function reachDatabase(
  database: Database,
  databaseUrl: string,
  retryMs: number,
  onRetry: (reason: string, delayMs: number) => void,
): Promise<void> {
  // Counted from the first failure: the first attempt also pays for the client's start-up.
  let giveUpAt: number | undefined
  const where = describeServer(databaseUrl)
  for (let delay = FIRST_DELAY_MS; ; delay = Math.min(delay * 2, MAX_DELAY_MS)) {
    try {
      await database.prisma.$queryRaw`SELECT 1`
      return
    } catch (error) {
      const reason = reasonOf(error)
      if (!isDatabaseUnavailable(error)) throw new StartupError('DATABASE_URL', `PostgreSQL at ${where} refused us: ${reason}`)
      giveUpAt ??= Date.now() + retryMs
      const wait = Math.min(delay, giveUpAt - Date.now())
      if (wait <= 0) {
        throw new StartupError(
          'DATABASE_URL',
          `cannot reach PostgreSQL at ${where} (${reason}); gave up after ${Math.round(retryMs / 1000)} s (DATABASE_CONNECT_RETRY_MS)`,
        )
      }
      onRetry(reason, wait)
      await new Promise((resolve) => setTimeout(resolve, wait))
    }
  }
}

/** host:port/database, without the credentials. */
function describeServer(databaseUrl: string): string {
  const url = new URL(databaseUrl)
  return `${url.hostname}:${url.port || 5432}${url.pathname}`
}

/** The first line of the deepest message: Prisma's own messages start with a code excerpt. */
function reasonOf(error: unknown): string {
  const adapter = (error as { meta?: { driverAdapterError?: { cause?: Record<string, unknown> } } }).meta?.driverAdapterError?.cause
  if (adapter) {
    if (adapter.kind === 'DatabaseDoesNotExist') return `database ${JSON.stringify(adapter.db)} does not exist`
    if (adapter.kind === 'AuthenticationFailed') return `authentication failed for user ${JSON.stringify(adapter.user)}`
    if (adapter.kind === 'DatabaseNotReachable') return 'connection refused or host not found'
    if (typeof adapter.originalMessage === 'string') return adapter.originalMessage
    if (typeof adapter.message === 'string') return adapter.message
    return String(adapter.kind)
  }
  const lines = String((error as Error)?.message ?? error)
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
  return lines.at(-1) ?? 'unknown error'
}
