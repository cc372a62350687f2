/**
 * Worker throughput: N messages fall due at once for an auto-dispatch account, and 1 or 2 worker
 * processes (`npm run worker`'s bundle and node flags) send them to a local fake Sendblue. Reports
 * messages/s (first due → last send) and the p99 delay between a message's due time and its
 * arrival at the provider. `benchWorkers` is meant for run.ts; on its own:
 *
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npx tsx test/bench/worker.ts [messages]
 *
 * (creates and drops a database of its own).
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import pg from 'pg'
import { buildServer } from '../../src/cli/build-server.js'
import { encryptSecret } from '../../src/crypto.js'
import { connectDb, db, disconnectDb } from '../../src/db/client.js'
import { migrate } from '../../src/db/migrate.js'
import { nodeFlagsOf } from '../support/node-flags.js'

const root = path.resolve(import.meta.dirname, '../..')
const SECRET_KEY = 'bench-secret-key-bench-secret-key-0123456789'

export interface WorkerBench {
  workers: number
  messages: number
  perSecond: number
  p99DelayMs: number
}

/** A Sendblue stand-in that only counts and timestamps what arrives. */
async function countingSendblue() {
  const arrivals = new Map<string, number>()
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { content: string }
      if (!arrivals.has(body.content)) arrivals.set(body.content, Date.now())
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ message_handle: randomBytes(8).toString('hex'), status: 'QUEUED' }))
    })
  })
  server.keepAliveTimeout = 60_000
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, arrivals, close: () => new Promise((r) => server.close(r)) }
}

/** Runs one measurement; `db` must be connected (and migrated) to `databaseUrl`. */
export async function benchWorkers(databaseUrl: string, workers: number, messages: number): Promise<WorkerBench> {
  const provider = await countingSendblue()
  const account = await db.account.create({
    data: { name: `bench ${workers}w`, accessCodeHash: randomBytes(16).toString('hex'), autoDispatch: true },
  })
  await db.integration.create({
    data: {
      accountId: account.id,
      provider: 'sendblue',
      config: { from_number: '+15555550000' },
      secretsEncrypted: encryptSecret(JSON.stringify({ api_key: 'bench', api_secret: 'bench' }), SECRET_KEY),
    },
  })
  const bundle = await buildServer('src/cli/worker.ts', 'test/generated/bench/worker.mjs')
  const children: ChildProcess[] = []
  for (let i = 0; i < workers; i++) {
    children.push(
      spawn(process.execPath, [...nodeFlagsOf('worker'), ...(process.env.BENCH_NODE_ARGS?.split(' ') ?? []), bundle], {
        cwd: root,
        env: {
          PATH: process.env.PATH,
          NODE_ENV: 'production',
          LOG_LEVEL: 'warn',
          DATABASE_URL: databaseUrl,
          SECRET_KEY,
          SENDBLUE_API_URL: provider.url,
          WORKER_ACCOUNTS: account.id,
          WORKER_POLL_MS: '20',
          WORKER_BATCH_SIZE: '500',
          WORKER_CONCURRENCY: '50',
          DATABASE_POOL_SIZE: '10',
        },
        stdio: ['ignore', 'inherit', 'inherit'],
      }),
    )
  }
  try {
    await new Promise((resolve) => setTimeout(resolve, 8_000)) // let the workers start and idle
    const due = new Date()
    for (let i = 0; i < messages; i += 1_000) {
      await db.communication.createMany({
        data: Array.from({ length: Math.min(1_000, messages - i) }, (_, j) => ({
          accountId: account.id,
          channel: 'sms' as const,
          to: `+1555${String(i + j).padStart(7, '0')}`,
          content: `bench-${i + j}`,
          createdAt: due,
        })),
      })
    }
    const deadline = Date.now() + 600_000
    while (provider.arrivals.size < messages && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100))
    const delays = [...provider.arrivals.values()].map((at) => at - due.getTime()).sort((a, b) => a - b)
    const last = delays.at(-1) ?? 0
    return {
      workers,
      messages: provider.arrivals.size,
      perSecond: Math.round(provider.arrivals.size / (last / 1000)),
      p99DelayMs: delays[Math.floor(delays.length * 0.99)] ?? 0,
    }
  } finally {
    for (const child of children) child.kill('SIGTERM')
    await Promise.all(
      children.map((child) => new Promise((resolve) => (child.exitCode !== null ? resolve(null) : child.once('exit', resolve)))),
    )
    await provider.close()
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const base = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test'
  const messages = Number(process.argv[2] ?? 10_000)
  const name = `crm_worker_bench_${Date.now()}`
  const admin = new pg.Client({ connectionString: base })
  await admin.connect()
  await admin.query(`CREATE DATABASE "${name}"`)
  const url = new URL(base)
  url.pathname = `/${name}`
  try {
    const database = await connectDb({ databaseUrl: url.toString() })
    await migrate(database.scripts)
    for (const workers of [1, 2]) console.log(JSON.stringify(await benchWorkers(url.toString(), workers, messages)))
    await disconnectDb()
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)
    await admin.end()
  }
}
