/**
 * Redis and PostgreSQL trouble degrades the service instead of hanging it. Each test runs servers
 * of its own (never the machine's shared ones), freezes them with SIGSTOP (connections stay open,
 * nothing answers) or stops them, and checks that requests still complete: with Redis gone they
 * are served and counted in memory, with PostgreSQL gone they are refused 503 with Retry-After in
 * each surface's error shape; readiness tells which; both recover without restarting the app.
 */
import { Writable } from 'node:stream'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { closeRedis } from '../src/context/redis.js'
import { connectDb, disconnectDb } from '../src/db/client.js'
import { migrate } from '../src/db/migrate.js'
import { type TestClient, testApp } from './support/app.js'
import {
  canRunPrivateServers,
  type PrivatePostgres,
  type PrivateRedis,
  startPrivatePostgres,
  startPrivateRedis,
} from './support/private-servers.js'
import { createTenant, type Tenant } from './support/tenants.js'

/** A guard against hangs, not a speed claim: a request that never completes fails here, not at the test timeout. */
const HANG_GUARD_MS = 20_000
function completes<T>(work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const guard = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${HANG_GUARD_MS} ms: the request hangs`)), HANG_GUARD_MS)
  })
  return Promise.race([work, guard]).finally(() => clearTimeout(timer))
}

let postgres: PrivatePostgres
let redis: PrivateRedis
let client: TestClient
let tenant: Tenant
const logLines: Record<string, unknown>[] = []
const logger = pino(
  { level: 'info' },
  new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) logLines.push(JSON.parse(line))
      done()
    },
  }),
)
const logged = (msg: RegExp) => logLines.filter((line) => typeof line.msg === 'string' && msg.test(line.msg))

beforeAll(async () => {
  if (!canRunPrivateServers) return
  ;[postgres, redis] = await Promise.all([startPrivatePostgres(), startPrivateRedis()])
  // Short deadlines, so the test does not wait out production's; the behaviour is the same.
  const database = await connectDb({ databaseUrl: postgres.url, poolSize: 4, connectTimeoutMs: 1_000, queryTimeoutMs: 2_000 })
  await migrate(database.scripts)
  client = await testApp({ REDIS_URL: redis.url, RATE_LIMIT_PER_MINUTE: '1000' }, logger)
  tenant = await createTenant(client)
}, 180_000)

afterAll(async () => {
  if (!canRunPrivateServers) return
  await closeRedis()
  await disconnectDb()
  await Promise.all([postgres?.cleanup(), redis?.stop()])
})

const ready = async () => {
  const response = await completes(client.call('GET', '/health/ready'))
  return { status: response.status, body: await response.json() }
}
const leads = () => completes(client.call('GET', '/api/v1/leads', { key: tenant.key }))

describe.skipIf(!canRunPrivateServers)('with Redis unreachable', () => {
  it('serves every request, counting in memory; readiness says degraded; counters are shared again once Redis is back', async () => {
    await vi.waitFor(async () => expect(await ready()).toEqual({ status: 200, body: { status: 'ok', database: 'up', redis: 'up' } }), {
      timeout: 15_000,
    })
    const before = await leads()
    expect(before.status).toBe(200)

    redis.freeze()
    // A frozen Redis keeps its connections open and answers nothing.
    const remaining: number[] = []
    for (let i = 0; i < 3; i++) {
      const response = await leads()
      expect(response.status).toBe(200)
      remaining.push(Number(response.headers.get('ratelimit-remaining')))
    }
    await vi.waitFor(
      async () => expect(await ready()).toEqual({ status: 200, body: { status: 'degraded', database: 'up', redis: 'down' } }),
      {
        timeout: 15_000,
      },
    )
    // Still counted while Redis is away: each request spends one from the in-memory budget.
    const during = await leads()
    expect(during.status).toBe(200)
    const afterOne = Number(during.headers.get('ratelimit-remaining'))
    expect(Number((await leads()).headers.get('ratelimit-remaining'))).toBe(afterOne - 1)
    const signIn = await completes(
      client.gql(`mutation($c: String!) { portalLogin(accessCode: $c) { account { id } } }`, { c: tenant.accessCode }),
    )
    expect(signIn.errors).toBeUndefined()

    redis.thaw()
    await vi.waitFor(async () => expect((await ready()).body.redis).toBe('up'), { timeout: 15_000 })

    await redis.stop()
    expect((await leads()).status).toBe(200)
    await vi.waitFor(async () => expect(await ready()).toMatchObject({ status: 200, body: { status: 'degraded', redis: 'down' } }), {
      timeout: 15_000,
    })
    for (let i = 0; i < 3; i++) expect((await leads()).status).toBe(200)
    await redis.start()
    await vi.waitFor(async () => expect(await ready()).toEqual({ status: 200, body: { status: 'ok', database: 'up', redis: 'up' } }), {
      timeout: 15_000,
    })
    expect((await leads()).status).toBe(200)

    // One line per change of state, not one per request.
    expect(logged(/^redis is down/)).toHaveLength(2)
    expect(logged(/^redis is back up/)).toHaveLength(2)
  }, 120_000)
})

describe.skipIf(!canRunPrivateServers)('with PostgreSQL frozen or stopped', () => {
  async function expectOutageAnswers() {
    const rest = await leads()
    expect(rest.status).toBe(503)
    expect(Number(rest.headers.get('retry-after'))).toBeGreaterThan(0)
    expect(await rest.json()).toEqual({ error: 'The database is unavailable; try again shortly' })

    const crm = await completes(client.call('GET', '/v1/conversations', { key: tenant.key }))
    expect(crm.status).toBe(503)
    expect(Number(crm.headers.get('retry-after'))).toBeGreaterThan(0)
    expect(await crm.json()).toEqual({ error: 'Service Unavailable', message: 'The database is unavailable; try again shortly' })

    const graphql = await completes(client.gql('{ viewer { id name } }', {}, { key: tenant.key }))
    expect(graphql.status).toBe(503)
    expect(Number(graphql.response.headers.get('retry-after'))).toBeGreaterThan(0)
    expect(graphql.errors?.[0].extensions.code).toBe('SERVICE_UNAVAILABLE')

    // A request that reaches the database only through its sign-in (a portal session) fails the same way.
    const session = await completes(client.gql('{ viewer { id } }', {}, { cookie: tenant.cookie }))
    expect(session.status).toBe(503)

    expect(await ready()).toEqual({ status: 503, body: { status: 'unavailable', database: 'down', redis: 'up' } })
  }

  async function expectRecovered() {
    await vi.waitFor(async () => expect((await ready()).status).toBe(200), { timeout: 30_000, interval: 500 })
    expect((await leads()).status).toBe(200)
    expect((await completes(client.gql('{ viewer { id } }', {}, { key: tenant.key }))).status).toBe(200)
  }

  it('answers 503 with Retry-After on every surface while frozen, and serves again once it answers', async () => {
    await vi.waitFor(async () => expect((await ready()).body.redis).toBe('up'), { timeout: 15_000 })
    expect((await leads()).status).toBe(200)
    await postgres.freeze()
    try {
      await expectOutageAnswers()
    } finally {
      await postgres.thaw()
    }
    await expectRecovered()
    const outages = logged(/^database could not serve the request/)
    expect(outages.length).toBeGreaterThan(0)
    expect(outages.every((line) => line.err !== undefined && typeof line.request_id === 'string')).toBe(true)
    expect(logged(/^unexpected error/)).toEqual([])
  }, 120_000)

  it('answers 503 while stopped, and serves again once restarted', async () => {
    await postgres.stop()
    try {
      await expectOutageAnswers()
    } finally {
      await postgres.start()
    }
    await expectRecovered()
  }, 120_000)
})
