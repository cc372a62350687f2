/**
 * GET /metrics: Prometheus text behind METRICS_TOKEN, with the metrics docs/operations.md#metrics
 * lists present and labelled after real traffic, and route labels that are templates.
 */
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { type TestClient, testApp, testConfig, usesPostgres } from './support/app.js'
import { eventToWebhook } from './support/event-to-webhook.js'
import { type FakeProvider, fakeSendblue } from './support/fake-providers.js'
import { sample } from './support/metrics.js'
import { subscribe } from './support/sse.js'
import { createTenant } from './support/tenants.js'
import { startReceiver } from './support/webhook-receiver.js'

const METRICS_TOKEN = 'metrics-token-0123456789'

let client: TestClient
let sendblue: FakeProvider
let receiver: Awaited<ReturnType<typeof startReceiver>>
let overrides: Record<string, string>

beforeAll(async () => {
  sendblue = await fakeSendblue()
  receiver = await startReceiver()
  overrides = { METRICS_TOKEN, SENDBLUE_API_URL: sendblue.url, ALLOW_PRIVATE_WEBHOOK_URLS: '1' }
  client = await testApp(overrides)
})
afterAll(async () => {
  await sendblue.close()
  await receiver.close()
})

async function scrape(): Promise<string> {
  const response = await client.call('GET', '/metrics', { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })
  expect(response.status).toBe(200)
  expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/)
  return response.text()
}

describe('access', () => {
  it('answers 401 without the token or with a wrong one', async () => {
    expect((await client.call('GET', '/metrics')).status).toBe(401)
    const wrong = await client.call('GET', '/metrics', { headers: { authorization: 'Bearer not-the-metrics-token' } })
    expect(wrong.status).toBe(401)
    expect(await wrong.json()).toMatchObject({ error: 'Unauthorized' })
  })

  it('does not exist without METRICS_TOKEN', async () => {
    const unset = await testApp({})
    expect((await unset.call('GET', '/metrics')).status).toBe(404)
  })

  it('is not an API key: an admin token or account key is refused', async () => {
    const tenant = await createTenant(client)
    expect((await client.call('GET', '/metrics', { key: tenant.key })).status).toBe(401)
  })
})

describe('after traffic', () => {
  it('labels requests by route template, however many raw paths', async () => {
    const tenant = await createTenant(client)
    const unmatched = { method: 'GET', route: 'unmatched', status: '404' }
    const before = sample(await scrape(), 'crm_http_requests_total', unmatched) ?? 0
    const ids = Array.from({ length: 25 }, () => randomUUID())
    for (const id of ids) expect((await client.call('GET', `/v1/conversations/${id}`, { key: tenant.key })).status).toBe(404)
    for (const id of ids.slice(0, 5)) expect((await client.call('GET', `/no-such-path/${id}`)).status).toBe(404)
    const text = await scrape()
    expect(sample(text, 'crm_http_requests_total', { method: 'GET', route: '/v1/conversations/:conversationId', status: '404' })).toBe(25)
    expect(sample(text, 'crm_http_requests_total', unmatched)).toBe(before + 5)
    expect(
      sample(text, 'crm_http_request_duration_seconds_count', { method: 'GET', route: '/v1/conversations/:conversationId', status: '404' }),
    ).toBe(25)
    for (const id of ids) expect(text).not.toContain(id)
  })

  it('reports the worker, providers, webhooks, database and GraphQL cost after one event', async () => {
    const { tenant } = await eventToWebhook(client, testConfig(overrides), receiver.url)
    expect((await client.gql('{ __typename }', {}, { key: tenant.key })).status).toBe(200)
    const text = await scrape()
    expect(sample(text, 'crm_provider_call_duration_seconds_count', { provider: 'sendblue', outcome: 'ok' })).toBeGreaterThanOrEqual(1)
    expect(sample(text, 'crm_worker_send_lag_seconds_count', { channel: 'sms' })).toBeGreaterThanOrEqual(1)
    expect(sample(text, 'crm_webhook_delivery_duration_seconds_count', { outcome: 'succeeded' })).toBeGreaterThanOrEqual(1)
    expect(sample(text, 'crm_graphql_operation_cost_count', { outcome: 'accepted' })).toBeGreaterThanOrEqual(1)
    expect(sample(text, 'crm_db_statement_duration_seconds_count', { outcome: 'ok' })).toBeGreaterThan(10)
    expect(sample(text, 'crm_db_statements_in_flight')).toBeGreaterThanOrEqual(0)
    for (const state of ['queued', 'scheduled', 'failed', 'sending'])
      expect(sample(text, 'crm_worker_queue_depth', { state })).toBeGreaterThanOrEqual(0)
    for (const state of ['due', 'waiting']) expect(sample(text, 'crm_webhook_backlog', { state })).toBeGreaterThanOrEqual(0)
    if (usesPostgres()) expect(sample(text, 'crm_db_pool_connections', { state: 'max' })).toBe(5)
    else expect(sample(text, 'crm_db_pool_connections', { state: 'max' })).toBeUndefined()
    expect(sample(text, 'process_resident_memory_bytes')).toBeGreaterThan(0)
    expect(sample(text, 'nodejs_eventloop_lag_seconds')).toBeGreaterThanOrEqual(0)
  })

  it('counts refusals of the rate limit and open subscriptions', async () => {
    const limited = await testApp({ ...overrides, RATE_LIMIT_PER_MINUTE: '1' })
    const tenant = await createTenant(limited)
    const before = sample(await scrape(), 'crm_rate_limit_refusals_total', { limit: 'account' }) ?? 0
    const statuses = []
    for (let i = 0; i < 3; i++) statuses.push((await limited.call('GET', '/v1/conversations', { key: tenant.key })).status)
    const refused = statuses.filter((status) => status === 429).length
    expect(refused).toBeGreaterThanOrEqual(2)
    expect(sample(await scrape(), 'crm_rate_limit_refusals_total', { limit: 'account' })).toBe(before + refused)

    const watcher = await createTenant(client)
    const idle = sample(await scrape(), 'crm_subscriptions')!
    const streams = await Promise.all(
      [1, 2].map(() =>
        subscribe(
          (request) => client.app.fetch(request),
          'http://crm.test',
          'subscription { changes { cursor } }',
          {},
          { key: watcher.key },
        ),
      ),
    )
    expect(sample(await scrape(), 'crm_subscriptions')).toBe(idle + 2)
    for (const stream of streams) await stream.close()
    await vi.waitFor(async () => expect(sample(await scrape(), 'crm_subscriptions')).toBe(idle))
  })
})
