/**
 * `npm start` with WEB_CONCURRENCY=2 on PostgreSQL and Redis (skipped on the embedded database,
 * which one process owns): the real bundle as a cluster primary with two server processes on one
 * port and a worker process. Each request goes on a connection of its own, so the primary hands
 * them out in turn; the request log's pid says which process answered.
 */
import { request } from 'node:http'
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest'
import { db } from '../src/db/client.js'
import { ADMIN_TOKEN, type TestClient, testApp, testConfig, usesPostgres } from './support/app.js'
import { type FakeProvider, fakeSendblue } from './support/fake-providers.js'
import { createProject, hubCall, SENDBLUE } from './support/hub.js'
import { sample } from './support/metrics.js'
import { kill, type Running, serverArguments, startServer } from './support/server-process.js'
import { createTenant, type Tenant } from './support/tenants.js'

const RATE_LIMIT = 10
const METRICS_TOKEN = 'cluster-metrics-token-0123456789'
let sendblue: FakeProvider
let client: TestClient
let serverArgs: string[]
let running: Running | undefined
let tenant: Tenant

beforeAll(async () => {
  serverArgs = await serverArguments('test/generated/cluster/main.mjs')
  if (!usesPostgres()) return
  client = await testApp()
  tenant = await createTenant(client)
  sendblue = await fakeSendblue()
  const config = testConfig()
  running = await startServer(serverArgs, {
    NODE_ENV: 'test',
    DATABASE_URL: inject('databaseUrl')!,
    REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    WEB_CONCURRENCY: '2',
    WORKER_PROCESSES: '1',
    // Other test files share the database: this cluster's worker sends only for this file's account.
    WORKER_ACCOUNTS: tenant.accountId,
    DATABASE_POOL_SIZE: '3',
    DATABASE_CONNECT_TIMEOUT_MS: '60000',
    DATABASE_QUERY_TIMEOUT_MS: '120000',
    SECRET_KEY: config.SECRET_KEY!,
    ADMIN_TOKEN,
    RATE_LIMIT_PER_MINUTE: String(RATE_LIMIT),
    METRICS_TOKEN,
    SENDBLUE_API_URL: sendblue.url,
  })
}, 240_000)
afterAll(async () => {
  if (running) await kill(running)
  await sendblue?.close()
})

/** One GET on a connection of its own; answers the status and the pid that logged it. */
function getOnNewConnection(path: string, key: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${running!.url}${path}`,
      { agent: false, headers: { authorization: `Bearer ${key}`, connection: 'close' } },
      (res) => {
        res.resume()
        res.once('end', () => resolve(res.statusCode!))
      },
    )
    req.once('error', reject)
    req.end()
  })
}

/** The pids that logged a request for `key`'s account since `from` (an offset into the output). */
async function pidsAnswering(from: number, count: number): Promise<Set<number>> {
  for (let i = 0; i < 100; i++) {
    const lines = running!
      .output()
      .slice(from)
      .split('\n')
      .filter((l) => l.includes('"path":"/v1/conversations"'))
    if (lines.length >= count) return new Set(lines.map((l) => JSON.parse(l).pid as number))
    await new Promise((r) => setTimeout(r, 100))
  }
  throw new Error('request log lines did not arrive')
}

describe.skipIf(!usesPostgres())('two server processes on one port (WEB_CONCURRENCY=2)', () => {
  it('prints the portal URL and runs a primary, two server processes and a worker process', async () => {
    // The primary prints the banner once every process reported ready, which may follow the first
    // /health. Every process logs through pino, which writes asynchronously, so a process's log
    // line may land after the banner: the test waits for each line it expects.
    await vi.waitFor(
      () => {
        const output = running!.output()
        expect(output).toMatch(/Portal: +http:\/\/127\.0\.0\.1:\d+\/portal/)
        expect(output).toMatch(/"web":2,"workers":1.*"msg":"every process is running"/)
        const listening = output.split('\n').filter((l) => l.includes('"msg":"listening"'))
        expect(new Set(listening.map((l) => JSON.parse(l).pid)).size).toBe(2)
        expect(output).toContain('"msg":"worker started"')
      },
      { timeout: 60_000 },
    )
  })

  it('shares one rate limit: the budget is spent once, whichever process answers', async () => {
    const from = running!.output().length
    const statuses: number[] = []
    for (let i = 0; i < RATE_LIMIT + 4; i++) statuses.push(await getOnNewConnection('/v1/conversations', tenant.key))
    expect(statuses.filter((s) => s === 200)).toHaveLength(RATE_LIMIT)
    expect(statuses.filter((s) => s === 429)).toHaveLength(4)
    expect((await pidsAnswering(from, RATE_LIMIT + 4)).size).toBe(2)
  })

  it('a revoked key is refused by both processes, which had remembered it', async () => {
    const other = await createTenant(client)
    const before = running!.output().length
    for (let i = 0; i < 4; i++) expect(await getOnNewConnection('/v1/conversations', other.key)).toBe(200)
    expect((await pidsAnswering(before, 4)).size).toBe(2)

    const keys = await client.gql('{ apiKeys { id } }', {}, { cookie: other.cookie })
    const revoked = await client.gql(
      'mutation($id: ID!) { revokeApiKey(id: $id) { revokedAt } }',
      { id: keys.data.apiKeys[0].id },
      { cookie: other.cookie },
    )
    expect(revoked.errors).toBeUndefined()

    const after = running!.output().length
    // The revocation reaches each process through PostgreSQL NOTIFY; allow it a moment to arrive.
    let statuses: number[] = []
    for (let attempt = 0; attempt < 50; attempt++) {
      statuses = []
      for (let i = 0; i < 4; i++) statuses.push(await getOnNewConnection('/v1/conversations', other.key))
      if (statuses.every((s) => s === 401)) break
      await new Promise((r) => setTimeout(r, 200))
    }
    expect(statuses).toEqual([401, 401, 401, 401])
    expect((await pidsAnswering(after, 4)).size).toBe(2)
  })

  it('restarts a server process that dies, and the port keeps answering', async () => {
    const listening = running!
      .output()
      .split('\n')
      .filter((l) => l.includes('"msg":"listening"'))
    const victim = JSON.parse(listening[0]).pid as number
    process.kill(victim, 'SIGKILL')
    for (let i = 0; i < 300 && !running!.output().includes('"msg":"a process died: restarting it"'); i++)
      await new Promise((r) => setTimeout(r, 100))
    const died = running!
      .output()
      .split('\n')
      .find((l) => l.includes('"msg":"a process died: restarting it"'))!
    expect(JSON.parse(died)).toMatchObject({ level: 50, role: 'web', pid: victim, signal: 'SIGKILL', restart_in_ms: 500 })
    // Meanwhile the other process answers every connection.
    expect((await fetch(`${running!.url}/health`)).status).toBe(200)
    const deadline = Date.now() + 120_000
    while (
      running!
        .output()
        .split('\n')
        .filter((l) => l.includes('"msg":"listening"')).length < 3
    ) {
      if (Date.now() > deadline) throw new Error('the dead process was not replaced')
      await new Promise((r) => setTimeout(r, 200))
    }
  }, 180_000)

  it("counts the worker process's sends in the cluster's metrics", async () => {
    const setUp = await hubCall(client, tenant, 'PUT', '/integrations/sendblue', { config: SENDBLUE })
    expect(setUp.status).toBe(201)
    await db.account.update({ where: { id: tenant.accountId }, data: { autoDispatch: true } })
    const { project } = await createProject(client, tenant)
    const recorded = await hubCall(client, tenant, 'POST', '/events', { project_id: project.id, event_type: 'website_visited' })
    expect(recorded.status, JSON.stringify(recorded.body)).toBe(201)
    // The worker process sends the SMS the event queued; the primary sums its metrics into /metrics.
    await vi.waitFor(
      async () => {
        const response = await fetch(`${running!.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })
        const text = await response.text()
        expect(sample(text, 'crm_worker_send_lag_seconds_count', { channel: 'sms' })).toBeGreaterThanOrEqual(1)
        expect(sample(text, 'crm_provider_call_duration_seconds_count', { provider: 'sendblue' })).toBeGreaterThanOrEqual(1)
      },
      { timeout: 60_000, interval: 500 },
    )
    expect(sendblue.requests.length).toBeGreaterThanOrEqual(1)
  }, 90_000)

  it('stops every process on SIGTERM and exits 0', async () => {
    const pids = running!
      .output()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l).pid as number)
    const exited = new Promise<number | null>((resolve) => running!.child.once('close', resolve))
    running!.child.kill('SIGTERM')
    expect(await exited).toBe(0)
    const alive = [...new Set(pids)].filter((pid) => {
      try {
        process.kill(pid, 0)
        return true
      } catch {
        return false
      }
    })
    expect(alive).toEqual([])
    expect(running!.output()).toContain('"msg":"worker stopping"')
  }, 60_000)
})
