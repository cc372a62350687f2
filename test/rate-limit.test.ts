import { afterAll, describe, expect, it } from 'vitest'
import { closeRedis } from '../src/context/redis.js'
import { type TestClient, testApp } from './support/app.js'
import { createTenant } from './support/tenants.js'

afterAll(() => closeRedis())

/** Requests of one account across surfaces and keys; the account's first request was createApiKey. */
function callers(client: TestClient, key: string, secondKey: string) {
  return [
    () => client.call('GET', '/api/v1/leads', { key }),
    () => client.call('GET', '/v1/conversations', { key: secondKey }),
    () => client.call('POST', '/graphql', { key, body: { query: '{ viewer { id } }' } }),
  ]
}

describe('the per-account rate limit', () => {
  it('counts every key and surface of an account; the 101st request in a minute gets 429 with Retry-After', async () => {
    const client = await testApp({ RATE_LIMIT_PER_MINUTE: '100' })
    const tenant = await createTenant(client) // its createApiKey call is request 1
    const { secret } = await tenant.createKey() // request 2
    const neighbour = await createTenant(client)
    const calls = callers(client, tenant.key, secret)
    const first = await calls[0]()
    expect(first.status).toBe(200)
    expect(first.headers.get('ratelimit-limit')).toBe('100')
    expect(first.headers.get('ratelimit-remaining')).toBe('97')
    expect(Number(first.headers.get('ratelimit-reset'))).toBeGreaterThan(0)
    expect(Number(first.headers.get('ratelimit-reset'))).toBeLessThanOrEqual(60)
    for (let i = 4; i <= 100; i++) {
      const response = await calls[i % 3]()
      expect(response.status, `request ${i}`).toBe(200)
    }
    const refused = await client.call('GET', '/api/v1/leads', { key: tenant.key })
    expect(refused.status).toBe(429)
    expect(await refused.json()).toEqual({ error: 'Rate limit exceeded. Max 100 requests per minute.' })
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0)
    expect(refused.headers.get('ratelimit-remaining')).toBe('0')

    const crm = await client.call('GET', '/v1/conversations', { key: secret })
    expect(crm.status).toBe(429)
    expect(await crm.json()).toEqual({ error: 'Too Many Requests', message: 'Rate limit exceeded. Max 100 requests per minute.' })
    const graphql = await client.call('POST', '/graphql', { key: tenant.key, body: { query: '{ viewer { id } }' } })
    expect(graphql.status).toBe(429)
    expect(graphql.headers.get('retry-after')).toMatch(/^\d+$/)
    expect((await graphql.json()).errors[0].extensions.code).toBe('RATE_LIMITED')

    const unaffected = await client.call('GET', '/api/v1/leads', { key: neighbour.key })
    expect(unaffected.status).toBe(200)
    expect(unaffected.headers.get('ratelimit-remaining')).toBe('98')
  }, 90_000)

  it('uses the configured number, per app', async () => {
    const client = await testApp({ RATE_LIMIT_PER_MINUTE: '3' })
    const tenant = await createTenant(client)
    expect((await client.call('GET', '/api/v1/pipeline', { key: tenant.key })).status).toBe(200)
    expect((await client.call('GET', '/api/v1/pipeline', { key: tenant.key })).status).toBe(200)
    const refused = await client.call('GET', '/api/v1/pipeline', { key: tenant.key })
    expect(await refused.json()).toEqual({ error: 'Rate limit exceeded. Max 3 requests per minute.' })
  })

  it.skipIf(!process.env.REDIS_URL)('shares one budget between two server instances through Redis', async () => {
    const overrides = { RATE_LIMIT_PER_MINUTE: '10', REDIS_URL: process.env.REDIS_URL! }
    const [one, two] = [await testApp(overrides), await testApp(overrides)]
    const tenant = await createTenant(one) // request 1, counted in Redis
    const statuses = []
    for (let i = 0; i < 10; i++) statuses.push((await (i % 2 ? one : two).call('GET', '/api/v1/leads', { key: tenant.key })).status)
    expect(statuses).toEqual([200, 200, 200, 200, 200, 200, 200, 200, 200, 429])
    const other = await createTenant(two)
    expect((await one.call('GET', '/api/v1/leads', { key: other.key })).status).toBe(200)
  })
})
