/**
 * `npm run bench`: seeds a realistic volume into a fresh PostgreSQL database, then loads the real
 * server and a plain node:http + pg baseline (same SQL, same JSON), both pinned to core 0 with the
 * load generator on core 1. Every figure is the median of three runs after a warm-up. Scenarios
 * that are compared run interleaved, round by round, and every target is the median of the
 * rounds' ratios, because this machine's speed drifts (see `measure`).
 *
 * Needs PostgreSQL: DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test); a database
 * of its own is created and dropped. BENCH_SECONDS sets the length of one run (default 8);
 * BENCH_ONLY picks sections (conversations,graphql,tenancy,observability,processes,hub,leads,limits,sync,webhooks,worker,feed,live,import); BENCH_WORKER_MESSAGES the
 * worker section's volume (default 10,000), BENCH_IMPORT_ROWS the import section's (default 10,000). Both servers run with the node flags of `npm start`;
 * BENCH_SERVER_NODE_ARGS / BENCH_NODE_ARGS pass extra node flags to the servers / worker
 * processes (e.g. `--max-old-space-size=128`, `--cpu-prof`).
 */
import { type ChildProcess, fork, spawn } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { mkdir, writeFile } from 'node:fs/promises'
import { createServer } from 'node:http'
import { tmpdir } from 'node:os'
import path from 'node:path'
import pg from 'pg'
import { buildServer } from '../../src/cli/build-server.js'
import { createLimiter } from '../../src/context/limiters.js'
import { closeRedis } from '../../src/context/redis.js'
import { encryptSecret } from '../../src/crypto.js'
import { connectDb, db, disconnectDb } from '../../src/db/client.js'
import { migrate } from '../../src/db/migrate.js'
import { loadConfig } from '../../src/env.js'
import { encodeCursor } from '../../src/schema/cursors.js'
import { backfillDefaultTemplates } from '../../src/services/automations/templates.js'
import { deliverDueWebhooks } from '../../src/services/webhooks/delivery.js'
import { nodeFlagsOf } from '../support/node-flags.js'
import { benchFeedLag } from './feed.js'
import { ImportClient, leadFile } from './import.js'
import { benchLive } from './live.js'
import { startProduction } from './processes.js'
import { type BenchData, seedBench, seedHub, seedLeads } from './seed.js'
import { cursorWalk, describeWalk, offsetWalk, sequentialLatency } from './sync.js'
import { benchWorkers, type WorkerBench } from './worker.js'

const root = path.resolve(import.meta.dirname, '../..')
const seconds = Number(process.env.BENCH_SECONDS ?? 8)
const baseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test'
const CLOCK_TICKS = 100 // USER_HZ on Linux
/** Both servers run with the node flags of `npm start`. */
const startFlags = nodeFlagsOf('start')

interface Server {
  child: ChildProcess
  url: string
  databaseUrl: string
  stats(): Promise<{ sql: number; rss: number; rssNow: number; heap: number }>
  /** Writes a heap snapshot to `path` (after a collection). */
  snapshot(path: string): Promise<void>
  cpuMicros(): number
  stop(): Promise<void>
}

interface Load {
  rps: number
  p50: number
  p99: number
  sqlPerRequest: number
  cpuMicrosPerRequest: number
  maxRssMb: number
  non2xx: number
}

const children = new Set<ChildProcess>()
process.on('exit', () => {
  for (const child of children) child.kill('SIGKILL') // never leave a server behind
})

/** Each server is bundled and run by plain Node, as `npm start` runs the real one. */
async function startServer(script: string, env: Record<string, string>, nodeArgs: string[] = []): Promise<Server> {
  const bundle = await buildServer(`test/bench/${script}`, `test/generated/bench/${script.replace(/\.ts$/, '.mjs')}`)
  const child = fork(bundle, [], {
    execPath: 'taskset',
    execArgv: ['-c', '0', process.execPath, ...startFlags, ...nodeArgs, ...(process.env.BENCH_SERVER_NODE_ARGS?.split(' ') ?? [])],
    env: { ...process.env, ...env, PORT: '0', NODE_ENV: 'production', LOG_LEVEL: 'silent' },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
  children.add(child)
  child.once('exit', () => children.delete(child))
  const { port } = (await waitFor(child, 'ready')) as { port: number }
  return {
    child,
    url: `http://127.0.0.1:${port}`,
    databaseUrl: env.DATABASE_URL,
    stats: async () => {
      child.send({ type: 'stats' })
      return (await waitFor(child, 'stats')) as unknown as { sql: number; rss: number; rssNow: number; heap: number }
    },
    snapshot: async (path) => {
      child.send({ type: 'snapshot', path })
      await waitFor(child, 'snapshot')
    },
    cpuMicros: () => {
      const fields = readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1].split(' ')
      return ((Number(fields[11]) + Number(fields[12])) * 1_000_000) / CLOCK_TICKS
    },
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', () => resolve())
        child.kill('SIGTERM')
      }),
  }
}

function waitFor(child: ChildProcess, type: string): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null) => reject(new Error(`server exited with ${code}`))
    const onMessage = (message: Record<string, unknown>) => {
      if (message.type !== type) return
      child.off('message', onMessage)
      child.off('exit', onExit)
      resolve(message)
    }
    child.on('message', onMessage)
    child.once('exit', onExit)
  })
}

type Request = { method?: string; path: string; headers?: Record<string, string>; body?: string }

function runLoad(url: string, requests: Request[], connections: number, duration: number, amount?: number) {
  return new Promise<{ requests: number; rps: number; p50: number; p99: number; non2xx: number }>((resolve, reject) => {
    // The spec goes through a file: a thousand request bodies exceed the argument size limit.
    const specFile = path.join(tmpdir(), `bench-load-${process.pid}-${Date.now()}.json`)
    writeFileSync(specFile, JSON.stringify({ url, connections, seconds: duration, requests, amount }))
    const child = spawn('taskset', ['-c', '1', process.execPath, '--import', 'tsx', path.join(root, 'test/bench/load.ts'), specFile], {
      stdio: ['ignore', 'pipe', 'inherit'],
    })
    let out = ''
    child.stdout.on('data', (d) => (out += d))
    child.once('exit', (code) =>
      code === 0 ? resolve(JSON.parse(out.trim().split('\n').at(-1)!)) : reject(new Error(`load exited ${code}`)),
    )
  })
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]

/** A scenario's figures: each the median of its three runs, and the runs themselves. */
interface Measured extends Load {
  runs: Load[]
}

interface Scenario {
  name: string
  server: Server
  requests: Request[]
  connections?: number
}

/**
 * Warm-up, then three rounds in which every scenario runs once, back to back. A virtual machine's
 * speed drifts by up to 3× over seconds to minutes (docs/performance.md, Method), so scenarios that
 * are compared run interleaved, and a ratio is the median of the three rounds' ratios
 * (`pairedRatio`), each measured seconds apart, never minutes.
 */
async function measure(scenarios: Scenario[]): Promise<Record<string, Measured>> {
  for (const s of scenarios) await runLoad(s.server.url, s.requests, s.connections ?? 50, 3)
  const runs = new Map<string, Load[]>(scenarios.map((s) => [s.name, []]))
  for (let round = 0; round < 3; round++) {
    for (const s of scenarios) runs.get(s.name)!.push(await measureOnce(s))
  }
  return Object.fromEntries(scenarios.map((s) => [s.name, summarize(runs.get(s.name)!)]))
}

async function measureOnce({ server, requests, connections = 50 }: Scenario): Promise<Load> {
  const before = await server.stats()
  const cpuBefore = server.cpuMicros()
  const result = await runLoad(server.url, requests, connections, seconds)
  const after = await server.stats() // its rss is the peak during the run
  const cpu = server.cpuMicros() - cpuBefore
  return {
    rps: result.rps,
    p50: result.p50,
    p99: result.p99,
    sqlPerRequest: (after.sql - before.sql) / result.requests,
    cpuMicrosPerRequest: cpu / result.requests,
    maxRssMb: after.rss / 1024 / 1024,
    non2xx: result.non2xx,
  }
}

function summarize(runs: Load[]): Measured {
  const pick = (k: keyof Load) => median(runs.map((r) => r[k]))
  return {
    rps: pick('rps'),
    p50: pick('p50'),
    p99: pick('p99'),
    sqlPerRequest: pick('sqlPerRequest'),
    cpuMicrosPerRequest: pick('cpuMicrosPerRequest'),
    maxRssMb: Math.max(...runs.map((r) => r.maxRssMb)),
    non2xx: Math.max(...runs.map((r) => r.non2xx)),
    runs,
  }
}

/** The median over the rounds of a's figure divided by b's in the same round. */
const pairedRatio = (a: Measured, b: Measured, key: keyof Load) => median(a.runs.map((run, i) => run[key] / b.runs[i][key]))

const auth = (key: string) => ({ authorization: `Bearer ${key}` })
const graphqlList = (key: string, limit: number): Request => ({
  method: 'POST',
  path: '/graphql',
  headers: { ...auth(key), 'content-type': 'application/json' },
  body: JSON.stringify({
    query: `query($limit: Int) { conversationPage(limit: $limit) { items { id channel status customer_id: customerId lead_id: leadId participant subject summary started_at: startedAt ended_at: endedAt last_message_at: lastMessageAt message_count: messageCount metadata created_at: createdAt updated_at: updatedAt } total limit offset } }`,
    variables: { limit },
  }),
})

/** The same list on PostGraphile v4: its connection of conversations, newest first, with the total. */
const postgraphileList = (key: string, first: number): Request => ({
  method: 'POST',
  path: '/graphql',
  headers: { ...auth(key), 'content-type': 'application/json' },
  body: JSON.stringify({
    query: `query($first: Int) { allConversations(first: $first, orderBy: [CREATED_AT_DESC, ID_DESC]) { nodes { id channel status customer_id: customerId lead_id: leadId participant subject summary started_at: startedAt ended_at: endedAt last_message_at: lastMessageAt message_count: messageCount metadata created_at: createdAt updated_at: updatedAt } totalCount } }`,
    variables: { first },
  }),
})

/**
 * PostGraphile's tenancy, as its documentation sets it up: a role that may read conversations,
 * confined by row-level security to the account its request names. The superuser the real server
 * and the baseline connect as bypasses the policy, so their work is unchanged.
 */
async function preparePostGraphile(databaseUrl: string, role: string) {
  const client = new pg.Client({ connectionString: databaseUrl })
  await client.connect()
  try {
    await client.query(`CREATE ROLE "${role}" NOLOGIN`)
    await client.query(`GRANT "${role}" TO CURRENT_USER`)
    await client.query(`GRANT USAGE ON SCHEMA public TO "${role}"`)
    await client.query(`GRANT SELECT ON conversations TO "${role}"`)
    await client.query('ALTER TABLE conversations ENABLE ROW LEVEL SECURITY')
    await client.query(
      `CREATE POLICY bench_tenant ON conversations FOR SELECT TO "${role}" USING (account_id = current_setting('jwt.claims.account_id', true))`,
    )
  } finally {
    await client.end()
  }
}

const only = new Set(
  (process.env.BENCH_ONLY ?? 'conversations,tenancy,observability,processes,hub,leads,limits,sync,webhooks,worker,feed,live,import').split(
    ',',
  ),
)
type Check = readonly [name: string, measured: string, met: boolean]

async function main() {
  const dbName = `crm_bench_${Date.now()}`
  const admin = new pg.Client({ connectionString: baseUrl })
  await admin.connect()
  await admin.query(`CREATE DATABASE "${dbName}"`)
  const url = new URL(baseUrl)
  url.pathname = `/${dbName}`
  const databaseUrl = url.toString()
  const results: Record<string, Measured> = {}
  const extra: Record<string, string> = {}
  const checks: Check[] = []
  try {
    const database = await connectDb({ databaseUrl })
    await migrate(database.scripts)
    console.log('seeding 10,000 conversations × 20 messages across 4 accounts…')
    let t0 = Date.now()
    const data: BenchData = await seedBench(databaseUrl)
    // The event scenarios need the default templates; the GraphQL list alone does not.
    if ([...only].some((section) => section !== 'graphql')) await backfillDefaultTemplates()
    console.log(`seeded in ${((Date.now() - t0) / 1000).toFixed(1)} s`)
    const [account, leadAccount] = data.accounts
    t0 = Date.now()
    const projectIds = only.has('hub') ? await seedHub(databaseUrl, account.id) : []
    if (only.has('leads')) await seedLeads(databaseUrl, leadAccount.id)
    if (only.has('hub') || only.has('leads')) console.log(`seeded projects/leads in ${((Date.now() - t0) / 1000).toFixed(1)} s`)
    // The sync section reads one account's 10,000 conversations.
    const syncAccount = only.has('sync')
      ? (await seedBench(databaseUrl, { accounts: 1, conversationsPerAccount: 10_000, messagesPerConversation: 0 })).accounts[0]
      : undefined
    const env = {
      DATABASE_URL: databaseUrl,
      DATABASE_POOL_SIZE: '10',
      RATE_LIMIT_PER_MINUTE: '1000000',
      SECRET_KEY: 'bench-secret-key-bench-secret-key-000000',
    }

    // Both servers stay up for the whole bench, each pinned to core 0; only one is loaded at a time.
    const postgraphileRole = `${dbName}_postgraphile`
    if (only.has('conversations') || only.has('graphql')) await preparePostGraphile(databaseUrl, postgraphileRole)
    const baseline = await startServer('baseline-server.ts', env)
    const app = await startServer('app-server.ts', env)
    if (only.has('conversations') || only.has('graphql')) {
      // The list of 50 with its total: raw, as a REST row, on /graphql, and on PostGraphile v4.
      const peer = await startServer('postgraphile-server.ts', { ...env, BENCH_POSTGRAPHILE_ROLE: postgraphileRole })
      const list = [{ path: '/v1/conversations?limit=50', headers: auth(account.key) }]
      Object.assign(
        results,
        await measure([
          { name: 'baseline /v1 list', server: baseline, requests: list },
          { name: 'REST /v1 list', server: app, requests: list },
          { name: 'GraphQL list', server: app, requests: [graphqlList(account.key, 50)] },
          { name: 'PostGraphile v4 list', server: peer, requests: [postgraphileList(account.key, 50)] },
        ]),
      )
      await peer.stop()
      checks.push(...graphqlChecks(results))
    }
    if (only.has('conversations')) {
      Object.assign(
        results,
        await measure([
          { name: 'baseline /v1 messages', server: baseline, requests: messageRequests(account) },
          { name: 'REST /v1 messages', server: app, requests: messageRequests(account) },
        ]),
      )
      Object.assign(
        results,
        await measure([
          {
            name: 'REST /v1 list limit=10',
            server: app,
            requests: [{ path: '/v1/conversations?limit=10', headers: auth(account.key) }],
            connections: 10,
          },
          {
            name: 'REST /v1 list limit=200',
            server: app,
            requests: [{ path: '/v1/conversations?limit=200', headers: auth(account.key) }],
            connections: 10,
          },
        ]),
      )
      checks.push(...conversationChecks(results))
    }
    if (only.has('tenancy')) {
      // The same server without the tenancy extension (src/db/tenancy.ts), loaded in turn with the real one.
      const unconfined = await startServer('app-server.ts', { ...env, BENCH_UNCONFINED: '1' })
      const list = [{ path: '/v1/conversations?limit=50', headers: auth(account.key) }]
      const tenancy = await measure([
        { name: 'REST /v1 list, tenancy extension', server: app, requests: list },
        { name: 'REST /v1 list, no tenancy extension', server: unconfined, requests: list },
      ])
      await unconfined.stop()
      Object.assign(results, tenancy)
      const [confined, bare] = [tenancy['REST /v1 list, tenancy extension'], tenancy['REST /v1 list, no tenancy extension']]
      const cpu = pairedRatio(confined, bare, 'cpuMicrosPerRequest')
      extra['tenancy extension cost'] =
        `CPU per /v1 list request ${confined.cpuMicrosPerRequest.toFixed(0)} µs vs ${bare.cpuMicrosPerRequest.toFixed(0)} µs without (× ${cpu.toFixed(2)}); throughput × ${pairedRatio(confined, bare, 'rps').toFixed(2)}`
    }
    if (only.has('observability')) checks.push(...(await observabilityCost(env, app, auth(account.key), extra, results)))
    if (only.has('processes')) checks.push(...(await processCount(env, auth(account.key), extra, results)))
    if (only.has('hub')) {
      Object.assign(
        results,
        await measure([
          { name: 'baseline hub projects', server: baseline, requests: projectRequests(account.key) },
          { name: 'REST hub projects', server: app, requests: projectRequests(account.key) },
          { name: 'GraphQL hub projects', server: app, requests: projectRequests(account.key, true) },
        ]),
      )
      checks.push(...hubListChecks(results))
      // Per server a warm-up of 200 events, then three rounds of 1,000, every event on a project of its own.
      const batches = chunk(projectIds, [200, 1000, 1000, 1000, 200, 1000, 1000, 1000])
      const ingestion = await measureIngestion(app, baseline, account.key, batches.slice(0, 4), batches.slice(4))
      extra['event ingestion (REST)'] = describeIngestion(ingestion.app)
      extra['event ingestion (baseline)'] = describeIngestion(ingestion.baseline)
      checks.push(['event ingestion ≥ 1/3 of baseline', ingestion.ratio.toFixed(2), ingestion.ratio >= 1 / 3])
    }
    await baseline.stop()
    if (only.has('limits')) {
      const health = await healthBesideHeavyGraphQL(app, account.key)
      extra['/health, idle'] = health.idle
      extra['/health beside GraphQL at the cost limit'] = health.busy
      extra['GraphQL beside /health'] = health.graphql
    }
    if (only.has('leads')) {
      // Latency of one search at a time: with many in flight on one pinned core, p50 measures the queue.
      Object.assign(
        results,
        await measure([{ name: 'REST lead search (100k leads)', server: app, requests: searchRequests(leadAccount.key), connections: 1 }]),
      )
      const search = results['REST lead search (100k leads)']
      checks.push(['lead search p50 < 20 ms at 100,000 leads', `${search.p50.toFixed(1)} ms`, search.p50 < 20])
      // Each term on its own: a term that matches most leads must not hide behind the others' median.
      // The same search as a cursor page, which counts nothing, shows what the offset page's total costs;
      // the same search right after a write in the account counts its matches again.
      const [perTerm, byCursor, afterWrite]: string[][] = [[], [], []]
      const write = () =>
        fetch(`${app.url}/api/v1/leads`, {
          method: 'POST',
          headers: { ...auth(leadAccount.key), 'content-type': 'application/json' },
          body: JSON.stringify({ name: 'Bench Write', email: 'bench.write@example.com' }),
        })
      let slowest = 0
      for (const term of SEARCH_TERMS) {
        const url = `${app.url}/api/v1/leads?search=${encodeURIComponent(term)}`
        const p50 = await sequentialLatency(url, leadAccount.key, 40)
        perTerm.push(`${term} ${p50.toFixed(1)} ms`)
        byCursor.push(`${term} ${(await sequentialLatency(`${url}&cursor=`, leadAccount.key, 40)).toFixed(1)} ms`)
        afterWrite.push(`${term} ${(await sequentialLatency(url, leadAccount.key, 20, write)).toFixed(1)} ms`)
        slowest = Math.max(slowest, p50)
      }
      extra['lead search p50 per term (one at a time)'] = perTerm.join(', ')
      extra['lead search p50 per term, cursor page (no count)'] = byCursor.join(', ')
      extra['lead search p50 per term, first search after a write (counted)'] = afterWrite.join(', ')
      checks.push(['lead search p50 < 20 ms for every term', `${slowest.toFixed(1)} ms (slowest)`, slowest < 20])
    }
    if (syncAccount) {
      const { sync, syncExtra, syncChecks } = await syncSection(app, syncAccount, databaseUrl, env.SECRET_KEY)
      Object.assign(results, sync)
      Object.assign(extra, syncExtra)
      checks.push(...syncChecks)
    }
    if (only.has('feed')) {
      const lag = await benchFeedLag(app.url, databaseUrl, account, seconds)
      extra['change feed lag at 100 changes/s'] =
        `${lag.seen} of ${lag.changes} changes seen; commit → visible p50 ${lag.p50Ms.toFixed(1)} ms, p99 ${lag.p99Ms.toFixed(1)} ms, max ${lag.maxMs.toFixed(1)} ms; ${lag.polls} polls, each p50 ${lag.pollP50Ms.toFixed(1)} ms, max ${lag.pollMaxMs.toFixed(1)} ms`
      checks.push([
        'change feed lag p99 < 1 s at 100 changes/s',
        `${lag.p99Ms.toFixed(0)} ms`,
        lag.seen === lag.changes && lag.p99Ms < 1000,
      ])
    }
    await app.stop()

    if (only.has('import')) {
      const { importExtra, importChecks } = await importSection(env, account)
      Object.assign(extra, importExtra)
      checks.push(...importChecks)
    }

    if (only.has('live')) {
      // Two processes on the same database, with Redis as production would run them.
      const liveEnv = { ...env, REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' }
      const servers = [await startServer('app-server.ts', liveEnv, ['--expose-gc']), await startServer('app-server.ts', liveEnv)] as const
      const live = await benchLive([...servers], databaseUrl, account, seconds)
      await Promise.all(servers.map((server) => server.stop()))
      extra['SSE subscribers, memory'] =
        `${live.subscribers} subscribers on one process: ${live.rssPerSubscriberKb.toFixed(1)} KB resident (peak while opening ${live.peakRssPerSubscriberKb.toFixed(1)} KB), ${live.heapPerSubscriberKb.toFixed(1)} KB heap each, after a warm-up round`
      extra['SSE delivery at 100 messages/s'] =
        `${live.deliveries} of ${live.expected} deliveries (${live.messages} messages to ${live.subscribers} subscribers over two processes, each following its own conversation); commit → subscriber p50 ${live.p50Ms.toFixed(1)} ms, p99 ${live.p99Ms.toFixed(1)} ms, max ${live.maxMs.toFixed(1)} ms; ${live.statementsPerMessage.toFixed(2)} SQL statements per message (both processes)`
      checks.push(['SSE memory < 50 KB per subscriber', `${live.rssPerSubscriberKb.toFixed(1)} KB resident`, live.rssPerSubscriberKb < 50])
      checks.push([
        'SSE delivery p99 < 250 ms at 100 messages/s, 1,000 subscribers',
        `${live.p99Ms.toFixed(0)} ms`,
        live.deliveries === live.expected && live.p99Ms < 250,
      ])
    }

    if (only.has('leads')) {
      const bookkeeping = await rateLimitBookkeeping()
      if (bookkeeping) {
        extra['rate-limit bookkeeping (Redis)'] = `p50 ${bookkeeping.p50.toFixed(3)} ms, p99 ${bookkeeping.p99.toFixed(3)} ms per request`
        checks.push(['rate-limit bookkeeping < 1 ms with Redis (p50)', `${bookkeeping.p50.toFixed(3)} ms`, bookkeeping.p50 < 1])
      }
    }
    if (only.has('webhooks')) {
      const rate = await webhookThroughput(account.id, env.SECRET_KEY)
      extra['webhook delivery'] = `${rate.toFixed(0)} deliveries/s to a local receiver`
      checks.push(['webhook delivery ≥ 200/s', rate.toFixed(0), rate >= 200])
    }
    if (only.has('worker')) {
      // Interleaved like the HTTP scenarios: one process, then two, three times over; the ratio is
      // the median of the rounds' ratios, so its two sides never come from far-apart minutes.
      const messages = Number(process.env.BENCH_WORKER_MESSAGES ?? 10_000)
      const rounds: { one: WorkerBench; two: WorkerBench }[] = []
      for (let round = 0; round < 3; round++) {
        rounds.push({ one: await benchWorkers(databaseUrl, 1, messages), two: await benchWorkers(databaseUrl, 2, messages) })
      }
      const describe = (runs: WorkerBench[]) =>
        `${median(runs.map((r) => r.perSecond)).toFixed(0)} messages/s (runs ${runs.map((r) => r.perSecond.toFixed(0)).join(', ')}), p99 due→sent ${(median(runs.map((r) => r.p99DelayMs)) / 1000).toFixed(1)} s`
      const one = median(rounds.map((r) => r.one.perSecond))
      const ratio = median(rounds.map((r) => r.two.perSecond / r.one.perSecond))
      extra['worker, 1 process'] = `${describe(rounds.map((r) => r.one))} (${messages} messages)`
      extra['worker, 2 processes'] = describe(rounds.map((r) => r.two))
      checks.push(['worker ≥ 500 messages/s (one process)', one.toFixed(0), one >= 500])
      checks.push(['two workers faster than one', ratio.toFixed(2), ratio > 1])
    }
    await disconnectDb()
    report(results, extra, checks)
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`)
    await admin.query(`DROP ROLE IF EXISTS "${dbName}_postgraphile"`)
    await admin.end()
  }
}

const messageRequests = (account: BenchData['accounts'][number]) =>
  account.conversationIds.slice(0, 200).map((id) => ({ path: `/v1/conversations/${id}/messages`, headers: auth(account.key) }))

const projectRequests = (key: string, graphql = false): Request[] =>
  ['sales', 'contract', 'scheduled'].map((stage) =>
    graphql
      ? {
          method: 'POST',
          path: '/graphql',
          headers: { ...auth(key), 'content-type': 'application/json' },
          body: JSON.stringify({
            query: `query($s: String) { projectPage(pipelineStage: $s, limit: 50) { items { id customer_id: customerId name pipeline_stage: pipelineStage project_status: projectStatus address value build_date: buildDate metadata created_at: createdAt updated_at: updatedAt } total limit offset } }`,
            variables: { s: stage },
          }),
        }
      : { path: `/hub/v1/projects?limit=50&pipeline_stage=${stage}`, headers: auth(key) },
  )

/** From a term in every lead (`example.com`, every email) to an absent one. */
const SEARCH_TERMS = ['example.com', 'smith', 'jennifer.w', '5550', 'okafor12', 'maria.garcia1@example.com', 'zzqx']

const searchRequests = (key: string): Request[] =>
  SEARCH_TERMS.map((term) => ({
    path: `/api/v1/leads?search=${encodeURIComponent(term)}`,
    headers: auth(key),
  }))

/**
 * A page deep in one account's 10,000 conversations, by cursor and by offset, against the first
 * page (one request at a time); then a full sync of the list by cursor pages of 200, and by offset
 * pages for comparison (each offset page counts every row again).
 */
async function syncSection(app: Server, account: BenchData['accounts'][number], databaseUrl: string, secret: string) {
  const client = new pg.Client({ connectionString: databaseUrl })
  await client.connect()
  const {
    rows: [row],
  } = await client.query<{ id: string; created_at: Date }>(
    'SELECT id, created_at FROM conversations WHERE account_id = $1 ORDER BY created_at DESC, id DESC OFFSET 9899 LIMIT 1',
    [account.id],
  )
  await client.end()
  const at9900 = encodeCursor(
    secret,
    { owner: account.id, name: 'Conversation', field: 'createdAt', order: 'desc' },
    { at: row.created_at, id: row.id },
  )
  const page = (query: string): Request[] => [{ path: `/v1/conversations?limit=100&${query}`, headers: auth(account.key) }]
  const names = { first: 'sync: first page (cursor=)', cursor: 'sync: page at 9,900 by cursor', offset: 'sync: page at 9,900 by offset' }
  const sync = await measure([
    { name: names.first, server: app, requests: page('cursor='), connections: 1 },
    { name: names.cursor, server: app, requests: page(`cursor=${at9900}`), connections: 1 },
    { name: names.offset, server: app, requests: page('offset=9900'), connections: 1 },
  ])
  const ratio = pairedRatio(sync[names.cursor], sync[names.first], 'p50')
  const byCursor = await cursorWalk(app.url, account.key, 200, app.stats)
  const byOffset = await offsetWalk(app.url, account.key, 200, app.stats)
  return {
    sync,
    syncExtra: {
      'page at 9,900 of 10,000 (p50, one at a time)': `cursor ${sync[names.cursor].p50.toFixed(1)} ms, offset ${sync[names.offset].p50.toFixed(1)} ms, first page ${sync[names.first].p50.toFixed(1)} ms`,
      'full sync by cursor, pages of 200': describeWalk(byCursor),
      'full sync by offset, pages of 200': describeWalk(byOffset),
    },
    syncChecks: [['cursor page at 9,900 within 1.3× the first page (p50)', ratio.toFixed(2), ratio <= 1.3] as Check],
  }
}

/** Cost 1 + 100 × (edge + conversation + (1 + 20 × (edge + message))) = 4,301: allowed, and heavy. */
const HEAVIEST_ALLOWED = '{ conversations(first: 100) { edges { node { id messages(first: 20) { edges { node { id content } } } } } } }'
/** The same with 100 messages each: 20,301, refused before it runs. */
const OVER_BUDGET = '{ conversations(first: 100) { edges { node { id messages(first: 100) { edges { node { id content } } } } } } }'

/**
 * /health latency (one client) alone, then while four clients alternate the heaviest allowed
 * GraphQL operation and a refused over-budget one: liveness must not queue behind GraphQL work.
 */
async function healthBesideHeavyGraphQL(app: Server, key: string) {
  const graphql = (query: string): Request => ({
    method: 'POST',
    path: '/graphql',
    headers: { ...auth(key), 'content-type': 'application/json' },
    body: JSON.stringify({ query }),
  })
  const health: Request[] = [{ path: '/health' }]
  await runLoad(app.url, [graphql(HEAVIEST_ALLOWED), graphql(OVER_BUDGET)], 4, 3)
  const idle = await runLoad(app.url, health, 1, seconds)
  const [busy, load] = await Promise.all([
    runLoad(app.url, health, 1, seconds),
    runLoad(app.url, [graphql(HEAVIEST_ALLOWED), graphql(OVER_BUDGET)], 4, seconds),
  ])
  const latency = (r: { p50: number; p99: number; non2xx: number }) =>
    `p50 ${r.p50.toFixed(1)} ms, p99 ${r.p99.toFixed(1)} ms, non-2xx ${r.non2xx}`
  return {
    idle: latency(idle),
    busy: latency(busy),
    graphql: `${load.rps.toFixed(1)} operations/s (half refused with 400: ${load.non2xx}), p50 ${load.p50.toFixed(0)} ms, p99 ${load.p99.toFixed(0)} ms`,
  }
}

type Ingestion = { eventsPerSecond: number; messagesPerSecond: number; cpuMicrosPerEvent: number }

/** A warm-up batch on each server, then three rounds of one batch each; figures are medians, the ratio is paired by round. */
async function measureIngestion(
  app: Server,
  baseline: Server,
  key: string,
  [appWarmUp, ...appBatches]: string[][],
  [baselineWarmUp, ...baselineBatches]: string[][],
) {
  await ingestEvents(app, key, appWarmUp)
  await ingestEvents(baseline, key, baselineWarmUp)
  const rounds = await sequence(
    appBatches.map((batch, i) => [batch, baselineBatches[i]] as const),
    async ([appBatch, baselineBatch]) => ({
      app: await ingestEvents(app, key, appBatch),
      baseline: await ingestEvents(baseline, key, baselineBatch),
    }),
  )
  const pick = (runs: Ingestion[]): Ingestion => ({
    eventsPerSecond: median(runs.map((r) => r.eventsPerSecond)),
    messagesPerSecond: median(runs.map((r) => r.messagesPerSecond)),
    cpuMicrosPerEvent: median(runs.map((r) => r.cpuMicrosPerEvent)),
  })
  return {
    app: pick(rounds.map((r) => r.app)),
    baseline: pick(rounds.map((r) => r.baseline)),
    ratio: median(rounds.map((r) => r.app.eventsPerSecond / r.baseline.eventsPerSecond)),
  }
}

const describeIngestion = (i: Ingestion) =>
  `${i.eventsPerSecond.toFixed(0)} events/s, ${i.messagesPerSecond.toFixed(0)} messages queued/s, server CPU ${i.cpuMicrosPerEvent.toFixed(0)} µs/event`

/** POST /hub/v1/events (a contract_generated event queues three reminders), 10 concurrent clients. */
async function ingestEvents(server: Server, key: string, projectIds: string[]): Promise<Ingestion> {
  const requests = projectIds.map((id) => ({
    method: 'POST',
    path: '/hub/v1/events',
    headers: { ...auth(key), 'content-type': 'application/json' },
    body: JSON.stringify({ project_id: id, event_type: 'contract_generated' }),
  }))
  const cpuBefore = server.cpuMicros()
  const result = await runLoad(server.url, requests, 10, 0, requests.length)
  const cpu = server.cpuMicros() - cpuBefore
  if (result.non2xx) throw new Error(`${result.non2xx} of ${requests.length} events were refused`)
  const seconds = result.requests / result.rps
  const pool = new pg.Pool({ connectionString: server.databaseUrl })
  const { rows } = await pool.query<{ n: string }>(`SELECT count(*) AS n FROM communications WHERE project_id = ANY($1::text[])`, [
    projectIds,
  ])
  await pool.end()
  return {
    eventsPerSecond: result.requests / seconds,
    messagesPerSecond: Number(rows[0].n) / seconds,
    cpuMicrosPerEvent: cpu / result.requests,
  }
}

/**
 * A CSV import of BENCH_IMPORT_ROWS new leads through the upload mutations, on a server that runs
 * the import job in its own process (as `npm start` with one process does), and the `/v1` list's
 * p99 from 10 clients without and with an import running, interleaved: a first import alone (its
 * rows/s, and how long the runs with an import may last so that one is running throughout), then
 * three rounds of a run without an import and a run while one runs. Each import's rows/s counts
 * from runCsvImport to `done` as the client sees it.
 */
async function importSection(env: Record<string, string>, account: BenchData['accounts'][number]) {
  const rows = Number(process.env.BENCH_IMPORT_ROWS ?? 10_000)
  const server = await startServer('app-server.ts', { ...env, BENCH_CSV_IMPORTS: '1', WORKER_POLL_MS: '100' })
  const client = new ImportClient(server.url, account.key)
  const list = [{ path: '/v1/conversations?limit=50', headers: auth(account.key) }]
  try {
    await runLoad(server.url, list, 10, 3)
    const alone = await client.run(await client.prepare(leadFile(rows, 'bench-import-0-')))
    const duration = Math.max(1, Math.min(seconds, Math.floor(alone.seconds * 0.8)))
    const rounds: { idle: number; busy: number; rowsPerSecond: number; covered: boolean }[] = []
    for (let round = 1; round <= 3; round++) {
      const id = await client.prepare(leadFile(rows, `bench-import-${round}-`))
      const idle = await runLoad(server.url, list, 10, duration)
      const importing = client.run(id)
      const busy = await runLoad(server.url, list, 10, duration)
      const loadEnded = performance.now()
      const done = await importing
      if (done.createdRows !== rows || done.problemRows) throw new Error(`import bench: ${JSON.stringify(done)}`)
      rounds.push({
        idle: idle.p99,
        busy: busy.p99,
        rowsPerSecond: rows / done.seconds,
        covered: performance.now() - loadEnded > POLL_SLACK_MS,
      })
    }
    const ratio = median(rounds.map((r) => r.busy / r.idle))
    const covered = rounds.every((r) => r.covered) ? '' : ' (an import ended before its run: the ratio understates)'
    return {
      importExtra: {
        [`CSV import of ${rows.toLocaleString('en-US')} leads`]: `${(rows / alone.seconds).toFixed(0)} rows/s alone; ${median(rounds.map((r) => r.rowsPerSecond)).toFixed(0)} rows/s beside the list's load (runs ${rounds.map((r) => r.rowsPerSecond.toFixed(0)).join(', ')})`,
        '/v1 list p99 (10 clients) without / with an import running': `${rounds.map((r) => `${r.idle.toFixed(0)} / ${r.busy.toFixed(0)} ms`).join(', ')} over ${duration} s runs${covered}`,
      },
      importChecks: [['/v1 list p99 during a CSV import ≤ 1.5 × without', ratio.toFixed(2), ratio <= 1.5 && covered === ''] as Check],
    }
  } finally {
    await server.stop()
  }
}

/** The client polls an import every 100 ms: one that ends within that of the load's end may have ended before it. */
const POLL_SLACK_MS = 100

/** Consecutive slices of the given sizes. */
function chunk<T>(items: T[], sizes: number[]): T[][] {
  let start = 0
  return sizes.map((size) => {
    start += size
    return items.slice(start - size, start)
  })
}

async function sequence<T, R>(items: T[], fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = []
  for (const item of items) results.push(await fn(item))
  return results
}

/** What one request's rate-limit check costs with Redis: p50/p99 of consume() round trips. */
async function rateLimitBookkeeping() {
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'
  const limiter = createLimiter(loadConfig({ REDIS_URL: redisUrl }), {
    keyPrefix: `bench-${Date.now()}`,
    points: 1_000_000,
    durationSeconds: 60,
  })
  const timings: number[] = []
  try {
    for (let i = 0; i < 2000; i++) {
      const t = performance.now()
      await limiter.consume(`account-${i % 4}`)
      timings.push(performance.now() - t)
    }
  } catch {
    console.log(`rate-limit bookkeeping: no Redis at ${redisUrl}, skipped`)
    return null
  } finally {
    await closeRedis()
  }
  timings.sort((a, b) => a - b)
  return { p50: timings[Math.floor(timings.length / 2)], p99: timings[Math.floor(timings.length * 0.99)] }
}

/** 2,000 pending deliveries to a local receiver, delivered by the delivery loop's own function. */
async function webhookThroughput(accountId: string, secretKey: string): Promise<number> {
  const receiver = createServer((req, res) => {
    req.resume()
    req.on('end', () => res.writeHead(200).end('ok'))
  })
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve))
  const port = (receiver.address() as { port: number }).port
  const endpoint = await db.webhookEndpoint.create({
    data: {
      accountId,
      url: `http://127.0.0.1:${port}/hook`,
      events: ['lead.created'],
      secretEncrypted: encryptSecret('whsec_YmVuY2gtc2VjcmV0LWJlbmNoLXNlY3JldA==', secretKey),
    },
  })
  const body = JSON.stringify({ event: 'lead.created', timestamp: new Date().toISOString(), data: { id: 'bench', name: 'Bench Lead' } })
  await db.webhookDelivery.createMany({
    data: Array.from({ length: 2000 }, () => ({
      accountId,
      endpointId: endpoint.id,
      event: 'lead.created',
      body,
      nextAttemptAt: new Date(Date.now() - 1000),
    })),
  })
  const config = { SECRET_KEY: secretKey, ALLOW_PRIVATE_WEBHOOK_URLS: true }
  const started = performance.now()
  let delivered = 0
  for (;;) {
    const n = await deliverDueWebhooks({ config, limit: 100 })
    if (n === 0) break
    delivered += n
  }
  const seconds = (performance.now() - started) / 1000
  receiver.close()
  return delivered / seconds
}

function graphqlChecks(r: Record<string, Measured>): Check[] {
  const graphql = r['GraphQL list']
  const [vsBaseline, vsPeer] = [pairedRatio(graphql, r['baseline /v1 list'], 'rps'), pairedRatio(graphql, r['PostGraphile v4 list'], 'rps')]
  const peerVsBaseline = pairedRatio(r['PostGraphile v4 list'], r['baseline /v1 list'], 'rps')
  return [
    ['/graphql list ≥ 0.6 × baseline req/s', vsBaseline.toFixed(2), vsBaseline >= 0.6],
    [`/graphql list ahead of PostGraphile v4 (${peerVsBaseline.toFixed(2)} × baseline)`, vsPeer.toFixed(2), vsPeer > 1],
  ]
}

/**
 * What metrics and tracing cost: the /v1 list on the default server (both off), on one with
 * METRICS_TOKEN (metrics on), and on one that also exports spans (OTEL_EXPORTER_OTLP_ENDPOINT, to a
 * local sink answering 200), loaded in turn.
 */
async function observabilityCost(
  env: Record<string, string>,
  off: Server,
  headers: Record<string, string>,
  extra: Record<string, string>,
  results: Record<string, Measured>,
) {
  const sink = createServer((req, res) => req.resume().on('end', () => res.end('{}')))
  await new Promise<void>((resolve) => sink.listen(0, '127.0.0.1', resolve))
  const endpoint = `http://127.0.0.1:${(sink.address() as { port: number }).port}`
  const withMetrics = { ...env, METRICS_TOKEN: 'bench-metrics-token-0000000000' }
  const metricsOn = await startServer('app-server.ts', withMetrics)
  const tracingOn = await startServer('app-server.ts', { ...withMetrics, OTEL_EXPORTER_OTLP_ENDPOINT: endpoint })
  const list = [{ path: '/v1/conversations?limit=50', headers }]
  const r = await measure([
    { name: 'REST /v1 list, metrics and tracing off', server: off, requests: list },
    { name: 'REST /v1 list, metrics on', server: metricsOn, requests: list },
    { name: 'REST /v1 list, metrics and tracing on', server: tracingOn, requests: list },
  ])
  Object.assign(results, r)
  await metricsOn.stop()
  await tracingOn.stop()
  sink.close()
  const [bare, metered, traced] = Object.values(r)
  const cost = (a: Measured, b: Measured) => pairedRatio(a, b, 'cpuMicrosPerRequest') - 1
  const percent = (x: number) => `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)}%`
  extra['metrics cost'] =
    `CPU per /v1 list request ${metered.cpuMicrosPerRequest.toFixed(0)} µs vs ${bare.cpuMicrosPerRequest.toFixed(0)} µs off (${percent(cost(metered, bare))})`
  extra['tracing cost'] =
    `CPU per /v1 list request ${traced.cpuMicrosPerRequest.toFixed(0)} µs vs ${metered.cpuMicrosPerRequest.toFixed(0)} µs with metrics only (${percent(cost(traced, metered))})`
  return [['metrics on, tracing off: CPU per request < +3%', percent(cost(metered, bare)), cost(metered, bare) < 0.03] as const]
}

/**
 * The /v1 list on the production bundle with one server process and with two (cluster mode),
 * both on PostgreSQL + Redis without worker processes, interleaved. Throughput is reported as
 * measured (the servers, PostgreSQL and the load generator share the machine's cores); the target
 * is that the server CPU a request costs, summed over every process, does not grow with the count.
 */
async function processCount(
  env: Record<string, string>,
  headers: Record<string, string>,
  extra: Record<string, string>,
  results: Record<string, Measured>,
) {
  const production = { ...env, REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', WORKER_PROCESSES: '0' }
  const one = await startProduction({ ...production, WEB_CONCURRENCY: '1' }, startFlags)
  const two = await startProduction({ ...production, WEB_CONCURRENCY: '2' }, startFlags)
  const list = [{ path: '/v1/conversations?limit=50', headers }]
  const names = { one: 'npm start /v1 list, WEB_CONCURRENCY=1', two: 'npm start /v1 list, WEB_CONCURRENCY=2' }
  try {
    const r = await measure([
      { name: names.one, server: one, requests: list },
      { name: names.two, server: two, requests: list },
    ])
    Object.assign(results, r)
    const cpu = pairedRatio(r[names.two], r[names.one], 'cpuMicrosPerRequest')
    extra['two server processes vs one'] =
      `${r[names.two].rps.toFixed(0)} vs ${r[names.one].rps.toFixed(0)} req/s (× ${pairedRatio(r[names.two], r[names.one], 'rps').toFixed(2)}); server CPU ${r[names.two].cpuMicrosPerRequest.toFixed(0)} vs ${r[names.one].cpuMicrosPerRequest.toFixed(0)} µs per request, all processes summed`
    return [['2 server processes: CPU per request ≤ 1.1 × one process', cpu.toFixed(2), cpu <= 1.1] as Check]
  } finally {
    await one.stop()
    await two.stop()
  }
}

function conversationChecks(r: Record<string, Measured>): Check[] {
  const list = r['REST /v1 list']
  const base = r['baseline /v1 list']
  const [vsBaseline, vsGraphql, p99] = [
    pairedRatio(list, base, 'rps'),
    pairedRatio(list, r['GraphQL list'], 'rps'),
    pairedRatio(list, base, 'p99'),
  ]
  const messagesP99 = pairedRatio(r['REST /v1 messages'], r['baseline /v1 messages'], 'p99')
  return [
    ['/v1 list ≥ 0.5 × baseline req/s', vsBaseline.toFixed(2), vsBaseline >= 0.5],
    ['/v1 list ≥ the same GraphQL operation', vsGraphql.toFixed(2), vsGraphql >= 1],
    ['/v1 list p99 ≤ 2 × baseline p99', p99.toFixed(2), p99 <= 2],
    ['/v1 messages p99 ≤ 2 × baseline p99', messagesP99.toFixed(2), messagesP99 <= 2],
    [
      'SQL statements per list request constant in page size (200 vs 10)',
      `${r['REST /v1 list limit=200'].sqlPerRequest.toFixed(2)} vs ${r['REST /v1 list limit=10'].sqlPerRequest.toFixed(2)}`,
      Math.abs(r['REST /v1 list limit=200'].sqlPerRequest - r['REST /v1 list limit=10'].sqlPerRequest) < 0.1,
    ],
    [
      'server memory < 300 MB under load',
      `${Math.max(
        ...Object.entries(r)
          .filter(([k]) => !k.startsWith('baseline') && !k.startsWith('PostGraphile'))
          .map(([, v]) => v.maxRssMb),
      ).toFixed(0)} MB`,
      Object.entries(r)
        .filter(([k]) => !k.startsWith('baseline') && !k.startsWith('PostGraphile'))
        .every(([, v]) => v.maxRssMb < 300),
    ],
  ]
}

function hubListChecks(r: Record<string, Measured>): Check[] {
  const rest = r['REST hub projects']
  const [vsGraphql, vsBaseline] = [
    pairedRatio(rest, r['GraphQL hub projects'], 'rps'),
    pairedRatio(rest, r['baseline hub projects'], 'rps'),
  ]
  return [
    ['hub projects list within 10% of GraphQL', vsGraphql.toFixed(2), vsGraphql >= 0.9],
    ['hub projects list ≥ 0.5 × baseline req/s', vsBaseline.toFixed(2), vsBaseline >= 0.5],
  ]
}

function report(results: Record<string, Measured>, extra: Record<string, string>, checks: Check[]) {
  const rows = Object.entries(results).map(
    ([name, r]) =>
      `| ${name} | ${r.rps.toFixed(0)} | ${r.p50.toFixed(1)} | ${r.p99.toFixed(1)} | ${r.cpuMicrosPerRequest.toFixed(0)} | ${r.sqlPerRequest.toFixed(2)} | ${r.maxRssMb.toFixed(0)} | ${r.non2xx} |`,
  )
  console.log(
    [
      '',
      '| scenario | req/s | p50 ms | p99 ms | server CPU µs/req | SQL/req | peak RSS MB | non-2xx |',
      '|---|---|---|---|---|---|---|---|',
      ...rows,
    ].join('\n'),
  )
  if (Object.keys(extra).length)
    console.log(['', '| measure | result |', '|---|---|', ...Object.entries(extra).map(([k, v]) => `| ${k} | ${v} |`)].join('\n'))
  console.log(
    [
      '',
      '| target | measured | met |',
      '|---|---|---|',
      ...checks.map(([name, measured, ok]) => `| ${name} | ${measured} | ${ok ? 'yes' : 'NO'} |`),
    ].join('\n'),
  )
  void mkdir(path.join(root, 'test-results'), { recursive: true }).then(() =>
    writeFile(path.join(root, 'test-results/bench.json'), JSON.stringify({ results, extra, checks }, null, 2)),
  )
}

await main()
