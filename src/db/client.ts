/**
 * The one PrismaClient and its adapter choice: PostgreSQL through @prisma/adapter-pg (a pooled
 * connection) when DATABASE_URL is set, otherwise an embedded PGlite database persisted under
 * DATA_DIR. Import `db` where data is needed; `connectDb` is called once by main.ts (and by
 * tests), `disconnectDb` at shutdown.
 */
import path from 'node:path'
import { PrismaPg } from '@prisma/adapter-pg'
import type { SqlDriverAdapter, SqlDriverAdapterFactory, Transaction } from '@prisma/driver-adapter-utils'
import pg from 'pg'
import { PrismaClient } from '../generated/prisma/client.js'
import { routed } from './ambient.js'
import { changeTags } from './change-tags.js'
import { lockDataDir, prepareDataDir } from './data-dir.js'
import { initialisePgliteDir } from './pglite-init.js'
import { softDelete } from './soft-delete.js'
import { tenancy } from './tenancy.js'

/** Runs whole SQL scripts (migrations) on one connection, inside one transaction. */
export interface ScriptRunner {
  transaction<T>(fn: (run: (sql: string, params?: unknown[]) => Promise<Record<string, unknown>[]>) => Promise<T>): Promise<T>
}

/**
 * Notices on a PostgreSQL NOTIFY channel. `onListening(false)` means notices may be missed from
 * now on (the listening connection was lost); `onListening(true)` that they arrive again.
 */
export type Listen = (channel: string, onNotice: (payload: string) => void, onListening: (listening: boolean) => void) => void

export interface Database {
  prisma: PrismaClient
  kind: 'pglite' | 'postgres'
  scripts: ScriptRunner
  listen: Listen
  /** PostgreSQL only: the pool's connections (metrics). */
  poolUse?: () => { total: number; idle: number; waiting: number; max: number }
  close(): Promise<void>
}

export let db: PrismaClient = undefined as unknown as PrismaClient
let current: Database | undefined

/** PostgreSQL cancelled the statement: it ran past DATABASE_STATEMENT_TIMEOUT_MS (SQLSTATE 57014). */
/** SQL statements sent to the database since start-up: tests pin query counts with it. */
export const sqlStatements = { count: 0 }

/**
 * Statements awaiting their answer, and who is told each one's duration (src/http/metrics.ts);
 * with no observer nothing is timed.
 */
export const statementTiming: { inFlight: number; observe?: (seconds: number, failed: boolean) => void } = { inFlight: 0 }

export interface DbOptions {
  databaseUrl?: string
  /** Directory of the embedded database; `memory://` for a throwaway one. */
  dataDir?: string
  poolSize?: number
  /**
   * Whether queries are confined to the request's account (./tenancy.ts). Always on in the
   * product; only the bench turns it off, to measure what it costs.
   */
  confined?: boolean
  /** Longest wait for a connection (opening one, or a free one from the pool). */
  connectTimeoutMs?: number
  /** Longest wait for one statement's answer, measured client-side. */
  queryTimeoutMs?: number
  /**
   * PostgreSQL only: the server cancels any one statement running longer (0 or unset: no limit).
   * Migrations and other scripts run without it. PGlite runs in this process on one connection
   * and has no timer to cancel a statement with; there, request cancellation bounds the work.
   */
  statementTimeoutMs?: number
}

export async function connectDb(options: DbOptions): Promise<Database> {
  if (current) return current
  const wrap = options.confined === false ? softDeletingClient : confinedClient
  const database = options.databaseUrl ? openPostgres(options.databaseUrl, options, wrap) : await openPglite(options.dataDir, wrap)
  current = database
  // Queries go to the request's transaction while an idempotent request runs (./ambient.ts).
  db = routed(database.prisma)
  return database
}

/** The open database (for the few modules that need more than the Prisma client). */
export function currentDatabase(): Database | undefined {
  return current
}

export async function disconnectDb(): Promise<void> {
  const database = current
  current = undefined
  await database?.close()
}

/** Migrations may legitimately run long: they get no client-side deadline (the largest timer). */
const NO_DEADLINE_MS = 2 ** 31 - 1

// pg reads a per-query `query_timeout` that its types do not declare.
const noDeadline = (text: string, values?: unknown[]) => ({ text, values, query_timeout: NO_DEADLINE_MS }) as pg.QueryConfig

function openPostgres(connectionString: string, options: DbOptions, wrap: ClientWrapper): Database {
  const connectionTimeoutMillis = options.connectTimeoutMs ?? 5_000
  const pool = new pg.Pool({
    connectionString,
    max: options.poolSize ?? 10,
    idleTimeoutMillis: 30_000,
    connectionTimeoutMillis,
    query_timeout: options.queryTimeoutMs ?? 10_000,
    statement_timeout: options.statementTimeoutMs || undefined,
    // Notices a peer that vanished without closing (a dead host, a dropped route).
    keepAlive: true,
  })
  pool.on('error', () => {}) // an idle client dropped by the server; the pool replaces it
  const prisma = wrap(new PrismaClient({ adapter: countingFactory(new PrismaPg(pool)), comments: [changeTags] }))
  const listeners: (() => Promise<void>)[] = []
  return {
    prisma,
    kind: 'postgres',
    poolUse: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount, max: options.poolSize ?? 10 }),
    listen: (channel, onNotice, onListening) =>
      void listeners.push(pgListener({ connectionString, connectionTimeoutMillis, keepAlive: true }, channel, onNotice, onListening)),
    scripts: {
      async transaction(fn) {
        const client = await pool.connect()
        try {
          await client.query('BEGIN')
          // A migration may rightly run for minutes: the deadlines are for requests.
          await client.query('SET LOCAL statement_timeout = 0')
          const result = await fn(async (sql, params) => (await client.query(noDeadline(sql, params))).rows)
          await client.query('COMMIT')
          return result
        } catch (error) {
          await client.query('ROLLBACK').catch(() => {})
          throw error
        } finally {
          client.release()
        }
      },
    },
    async close() {
      await Promise.all(listeners.map((stop) => stop()))
      await prisma.$disconnect()
      await pool.end()
    },
  }
}

/**
 * PGlite's WebAssembly memory only grows, so PostgreSQL's buffers and sort memory stay resident
 * once touched: smaller than PostgreSQL's defaults (128 MB buffers, 4 MB per sort, 64 MB for index
 * builds), they keep the embedded server's resident memory about 100 MB lower. Larger sorts spill
 * to temporary files, which a small installation's data rarely needs (docs/performance.md).
 */
const EMBEDDED_MEMORY_SETTINGS = ['-c', 'shared_buffers=16MB', '-c', 'work_mem=2MB', '-c', 'maintenance_work_mem=16MB']

async function openPglite(dataDir = './data', wrap: ClientWrapper = confinedClient): Promise<Database> {
  // Loaded only when embedded: PGlite's WebAssembly build costs ~50 MB a PostgreSQL deployment never needs.
  const [{ PGlite }, { pg_trgm }, { PrismaPGlite }] = await Promise.all([
    import('@electric-sql/pglite'),
    import('@electric-sql/pglite/contrib/pg_trgm'),
    import('pglite-prisma-adapter'),
  ])
  const inMemory = dataDir.startsWith('memory://')
  const startParams = [...PGlite.defaultStartParams, ...EMBEDDED_MEMORY_SETTINGS]
  let unlock = async () => {}
  if (!inMemory) {
    await prepareDataDir(dataDir)
    unlock = await lockDataDir(dataDir)
    // A fresh DATA_DIR's cluster is made in a child process, whose memory is returned when it exits.
    await initialisePgliteDir(path.join(dataDir, 'pglite'), startParams).catch(async (error) => {
      await unlock()
      throw error
    })
  }
  const pglite = await PGlite.create({
    dataDir: inMemory ? dataDir : path.join(dataDir, 'pglite'),
    extensions: { pg_trgm },
    startParams,
  }).catch(async (error) => {
    await unlock()
    throw error
  })
  const prisma = wrap(new PrismaClient({ adapter: countingFactory(new PrismaPGlite(pglite)), comments: [changeTags] }))
  return {
    prisma,
    kind: 'pglite',
    // One process owns the embedded database, so its listener cannot lose a connection. Should
    // LISTEN itself fail, the caller is simply never told it listens (the key cache stays off).
    listen: (channel, onNotice, onListening) =>
      void pglite.listen(channel, onNotice).then(
        () => onListening(true),
        () => {},
      ),
    scripts: {
      transaction: (fn) =>
        pglite.transaction((tx) =>
          fn(async (sql, params) => {
            if (params?.length) return (await tx.query<Record<string, unknown>>(sql, params)).rows
            const results = await tx.exec(sql)
            return (results.at(-1)?.rows ?? []) as Record<string, unknown>[]
          }),
        ),
    },
    async close() {
      await prisma.$disconnect()
      await pglite.close()
      await unlock()
    },
  }
}

const RELISTEN_DELAY_MS = 1_000

/**
 * LISTENs on a connection of its own (outside the pool: a pooled connection is shared and
 * recycled). When that connection is lost it reports so and reconnects after a pause. Returns
 * the function that stops it.
 */
export function pgListener(
  connection: string | pg.ClientConfig,
  channel: string,
  onNotice: (payload: string) => void,
  onListening: (listening: boolean) => void,
): () => Promise<void> {
  let client: pg.Client | undefined
  let stopped = false
  let retry: NodeJS.Timeout | undefined
  const again = () => {
    if (!stopped) retry = setTimeout(connect, RELISTEN_DELAY_MS).unref()
  }
  async function connect() {
    const candidate = new pg.Client(connection)
    const lost = () => {
      candidate.end().catch(() => {})
      if (client !== candidate) return
      client = undefined
      onListening(false)
      again()
    }
    candidate.on('error', lost)
    candidate.on('end', lost)
    candidate.on('notification', (notice) => notice.channel === channel && onNotice(notice.payload ?? ''))
    try {
      await candidate.connect()
      await candidate.query(`LISTEN ${pg.escapeIdentifier(channel)}`)
    } catch {
      candidate.end().catch(() => {})
      return again()
    }
    if (stopped) return void candidate.end().catch(() => {})
    client = candidate
    onListening(true)
  }
  void connect()
  return async () => {
    stopped = true
    clearTimeout(retry)
    const open = client
    client = undefined
    onListening(false)
    await open?.end().catch(() => {})
  }
}

/**
 * The client every module uses: queries on tenant tables are confined to the request's account
 * (./tenancy.ts), and deleted records are hidden (./soft-delete.ts). Typed as the plain client,
 * which it behaves as. The bench's unconfined client still hides deleted records: that is
 * behaviour, not isolation.
 */
type ClientWrapper = (client: PrismaClient) => PrismaClient
const softDeletingClient: ClientWrapper = (client) => client.$extends(softDelete) as unknown as PrismaClient
const confinedClient: ClientWrapper = (client) => client.$extends(softDelete).$extends(tenancy) as unknown as PrismaClient

async function timed<T>(run: Promise<T>, observe: (seconds: number, failed: boolean) => void): Promise<T> {
  const started = performance.now()
  statementTiming.inFlight++
  let failed = true
  try {
    const result = await run
    failed = false
    return result
  } finally {
    statementTiming.inFlight--
    observe((performance.now() - started) / 1000, failed)
  }
}

/** Wraps an adapter factory so every SQL statement it sends is counted (and timed, when observed). */
function countingFactory(factory: SqlDriverAdapterFactory): SqlDriverAdapterFactory {
  const countQueries = <T extends SqlDriverAdapter | Transaction>(target: T): T =>
    new Proxy(target, {
      get(obj, prop, receiver) {
        const value = Reflect.get(obj, prop, receiver)
        if (prop === 'queryRaw' || prop === 'executeRaw') {
          return (...args: unknown[]) => {
            sqlStatements.count++
            const run = (value as (...a: unknown[]) => Promise<unknown>).apply(obj, args)
            return statementTiming.observe ? timed(run, statementTiming.observe) : run
          }
        }
        if (prop === 'startTransaction') {
          return async (...args: unknown[]) => countQueries(await (value as (...a: unknown[]) => Promise<Transaction>).apply(obj, args))
        }
        return typeof value === 'function' ? value.bind(obj) : value
      },
    })
  return {
    provider: factory.provider,
    adapterName: factory.adapterName,
    connect: async () => countQueries(await factory.connect()),
  }
}
