/**
 * Tells a database outage (the server cannot be reached, closed the connection, or did not answer
 * within DATABASE_CONNECT_TIMEOUT_MS / DATABASE_QUERY_TIMEOUT_MS) from a statement the database
 * refused. An outage is answered 503 with Retry-After on every surface: the caller did nothing
 * wrong and the same request may succeed shortly; anything else stays a fault (500).
 */
import { AppError } from '../errors.js'

/** Prisma's codes for "cannot reach", "timed out", "connection closed" and "no connection from the pool in time". */
const PRISMA_CODES = new Set(['P1001', 'P1002', 'P1008', 'P1017', 'P2024'])
/** Driver-adapter error kinds that mean the same. */
const ADAPTER_KINDS = new Set(['DatabaseNotReachable', 'ConnectionClosed', 'SocketTimeout', 'TooManyConnections'])
/** Socket errors of the connection itself. */
const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'EHOSTUNREACH', 'EPIPE'])
/** SQLSTATEs: connection exceptions (08…), the server shutting down or starting (57P01–57P03), too many connections. */
const SQLSTATE = /^(08...|57P0[123]|53300)$/
/** node-postgres' own messages for a connection or query that ran out of time or was cut. */
const PG_MESSAGES = [
  'Query read timeout',
  'timeout exceeded when trying to connect',
  'Connection terminated',
  'Client has encountered a connection error',
]

/** Whether `test` holds for the error or one of the errors it wraps (GraphQL, Prisma, driver). */
function anyInChain(error: unknown, test: (error: OutageFields) => boolean): boolean {
  for (let current = error, depth = 0; current && depth < 6; depth++) {
    if (typeof current === 'object' && test(current as OutageFields)) return true
    const next = current as { originalError?: unknown; cause?: unknown }
    current = next.originalError ?? next.cause
  }
  return false
}

export const isDatabaseUnavailable = (error: unknown): boolean => anyInChain(error, isOutage)

/** PostgreSQL cancelled a statement that ran past DATABASE_STATEMENT_TIMEOUT_MS (SQLSTATE 57014). */
export const isStatementTimeout = (error: unknown): boolean =>
  anyInChain(error, (e) => e.meta?.driverAdapterError?.cause?.originalCode === '57014')

/**
 * The answer to a request the database could not serve (an outage or a statement past its
 * timeout), or null for any other error. Neither is the caller's fault, and both may succeed on
 * a retry: 503 with Retry-After.
 */
export function databaseFailure(error: unknown): AppError | null {
  if (isStatementTimeout(error)) {
    return new AppError(
      'SERVICE_UNAVAILABLE',
      'The database did not answer in time: try again, or ask for less (smaller pages, fewer nested lists)',
      {
        headers: { 'Retry-After': String(RETRY_AFTER_SECONDS) },
      },
    )
  }
  return isDatabaseUnavailable(error) ? databaseUnavailable() : null
}

/** The fields of Prisma, driver-adapter, node-postgres and socket errors that tell an outage. */
interface OutageFields {
  code?: unknown
  errorCode?: unknown
  message?: unknown
  meta?: { driverAdapterError?: { cause?: { kind?: string; code?: unknown; originalCode?: string } } }
  cause?: { kind?: string; code?: unknown }
}

function isOutage(error: OutageFields): boolean {
  const code = error.code ?? error.errorCode
  if (typeof code === 'string' && (PRISMA_CODES.has(code) || SOCKET_CODES.has(code) || SQLSTATE.test(code))) return true
  const cause = error.meta?.driverAdapterError?.cause ?? error.cause
  if (cause?.kind && (ADAPTER_KINDS.has(cause.kind) || (cause.kind === 'postgres' && SQLSTATE.test(String(cause.code))))) return true
  const message = typeof error.message === 'string' ? error.message : ''
  return PG_MESSAGES.some((known) => message.startsWith(known))
}

export const RETRY_AFTER_SECONDS = 5

/** The answer to a request the database could not serve. */
export const databaseUnavailable = () =>
  new AppError('SERVICE_UNAVAILABLE', 'The database is unavailable; try again shortly', {
    headers: { 'Retry-After': String(RETRY_AFTER_SECONDS) },
  })
