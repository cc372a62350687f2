/**
 * Webhook endpoints managed with an API key: /hub/v1/webhooks and the same GraphQL operations,
 * behind the `webhooks:read` and `webhooks:write` scopes, end to end to a local receiver.
 */
import { Webhook } from 'standardwebhooks'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { db } from '../src/db/client.js'
import { deliverDueWebhooks } from '../src/services/webhooks/delivery.js'
import { countStatements, type TestClient, testApp } from './support/app.js'
import { createTenant, type Tenant, twoTenants } from './support/tenants.js'
import { startReceiver } from './support/webhook-receiver.js'

let client: TestClient
let receiver: Awaited<ReturnType<typeof startReceiver>>

beforeAll(async () => {
  receiver = await startReceiver()
  client = await testApp({ ALLOW_PRIVATE_WEBHOOK_URLS: '1' })
})
afterAll(() => receiver.close())

async function hooks(key: string, method: string, path: string, body?: unknown, headers?: Record<string, string>, on = client) {
  const response = await on.call(method, `/hub/v1/webhooks${path}`, { key, body, headers })
  return { status: response.status, body: await response.json(), headers: response.headers }
}

/** A tenant with a key holding only the webhook scopes (and the leads scope, to cause events). */
async function webhookTenant(): Promise<Tenant & { hookKey: string }> {
  const tenant = await createTenant(client)
  const { secret } = await tenant.createKey({ scopes: ['webhooks:read', 'webhooks:write', 'leads:write'] })
  return { ...tenant, hookKey: secret }
}

const deliver = (tenant: Tenant) =>
  deliverDueWebhooks({ config: client.app.config, now: new Date(Date.now() + 1000), accountId: tenant.accountId })

describe('scopes', () => {
  it('a key without webhooks:write gets 403 naming it; webhooks:read can list and read; no webhook scope reads nothing', async () => {
    const tenant = await createTenant(client)
    const reader = (await tenant.createKey({ scopes: ['webhooks:read'] })).secret
    const none = (await tenant.createKey({ scopes: ['read:hub', 'write:hub'] })).secret
    const create = { url: receiver.url, events: ['lead.created'] }
    expect(await hooks(reader, 'POST', '', create)).toMatchObject({
      status: 403,
      body: { error: 'Forbidden', message: 'Insufficient scope: webhooks:write required' },
    })
    expect(await db.webhookEndpoint.count({ where: { accountId: tenant.accountId } })).toBe(0)
    const made = await hooks(tenant.key, 'POST', '', create) // the fixture key holds every scope
    expect(made.status).toBe(201)
    expect(await hooks(reader, 'GET', '')).toMatchObject({ status: 200, body: { data: [{ id: made.body.data.id }] } })
    expect(await hooks(reader, 'GET', `/${made.body.data.id}`)).toMatchObject({ status: 200 })
    for (const [method, path] of [
      ['PATCH', `/${made.body.data.id}`],
      ['DELETE', `/${made.body.data.id}`],
      ['POST', `/${made.body.data.id}/rotate-secret`],
    ]) {
      expect((await hooks(reader, method, path, method === 'PATCH' ? { active: false } : undefined)).status, `${method} ${path}`).toBe(403)
    }
    expect(await hooks(none, 'GET', '')).toMatchObject({
      status: 403,
      body: { error: 'Forbidden', message: 'Insufficient scope: webhooks:read required' },
    })
    const gql = await client.gql(`{ webhookEndpoints { id } }`, {}, { key: none })
    expect(gql.errors?.[0]).toMatchObject({ message: 'Insufficient scope: webhooks:read required', extensions: { code: 'FORBIDDEN' } })
  })

  it('API keys accept the new scopes, and the portal session keeps managing endpoints', async () => {
    const tenant = await createTenant(client)
    const listed = await client.gql(`{ apiKeys { scopes } }`, {}, { cookie: tenant.cookie })
    expect(listed.data.apiKeys[0].scopes).toEqual(expect.arrayContaining(['webhooks:read', 'webhooks:write']))
    const bad = await client.gql(
      `mutation { createApiKey(input: { name: "x", mode: LIVE, scopes: ["webhooks:admin"] }) { secret } }`,
      {},
      { cookie: tenant.cookie },
    )
    expect(bad.errors?.[0].message).toMatch(/^Unknown scope: webhooks:admin\. Known scopes: .*webhooks:read, webhooks:write/)
    const viaPortal = await client.gql(
      `mutation($url: String!) { createWebhookEndpoint(input: { url: $url, events: ["lead.created"] }) { endpoint { id } } }`,
      { url: receiver.url },
      { cookie: tenant.cookie },
    )
    expect(viaPortal.errors).toBeUndefined()
  })
})

describe('/hub/v1/webhooks', () => {
  it('creates an endpoint (secret once), lists, reads and updates it, and deletes it', async () => {
    const tenant = await webhookTenant()
    const created = await hooks(tenant.hookKey, 'POST', '', { url: receiver.url, events: ['lead.created', 'lead.created'] })
    expect(created.status).toBe(201)
    const { secret, ...endpoint } = created.body.data
    expect(secret).toMatch(/^whsec_/)
    expect(endpoint).toEqual({
      id: expect.any(String),
      url: receiver.url,
      events: ['lead.created'],
      active: true,
      created_at: expect.any(String),
      updated_at: expect.any(String),
    })
    const listed = await hooks(tenant.hookKey, 'GET', '')
    expect(listed.body).toEqual({ data: [endpoint] })
    expect(JSON.stringify(listed.body)).not.toContain(secret)
    expect((await hooks(tenant.hookKey, 'GET', `/${endpoint.id}`)).body).toEqual({ data: endpoint })

    const patched = await hooks(tenant.hookKey, 'PATCH', `/${endpoint.id}`, { events: ['lead.updated', 'sale.completed'], active: false })
    expect(patched).toMatchObject({
      status: 200,
      body: { data: { id: endpoint.id, events: ['lead.updated', 'sale.completed'], active: false } },
    })
    expect(await hooks(tenant.hookKey, 'PATCH', `/${endpoint.id}`, {})).toMatchObject({
      status: 400,
      body: { message: 'No valid fields to update' },
    })

    const rotated = await hooks(tenant.hookKey, 'POST', `/${endpoint.id}/rotate-secret`)
    expect(rotated).toMatchObject({ status: 200, body: { data: { id: endpoint.id, secret: expect.stringMatching(/^whsec_/) } } })
    expect(rotated.body.data.secret).not.toBe(secret)

    expect(await hooks(tenant.hookKey, 'DELETE', `/${endpoint.id}`)).toMatchObject({
      status: 200,
      body: { data: { id: endpoint.id, deleted: true } },
    })
    expect(await hooks(tenant.hookKey, 'GET', `/${endpoint.id}`)).toMatchObject({
      status: 404,
      body: { error: 'Not Found', message: 'Webhook endpoint not found' },
    })
    expect(await hooks(tenant.hookKey, 'DELETE', `/${endpoint.id}`)).toMatchObject({ status: 404 })
  })

  it('applies the portal rules: known events only, https and public addresses only (unless allowed)', async () => {
    const strict = await testApp()
    const tenant = await createTenant(strict)
    const post = (body: unknown) => hooks(tenant.key, 'POST', '', body, undefined, strict)
    expect(await post({ url: 'https://93.184.215.14/hook', events: ['lead.deleted!'] })).toMatchObject({
      status: 400,
      body: { error: 'Bad Request', message: expect.stringMatching(/^Unknown event: lead\.deleted!\. Known events: lead\.created/) },
    })
    expect(await post({ url: 'https://93.184.215.14/hook', events: [] })).toMatchObject({
      status: 400,
      body: { message: 'Subscribe to at least one event' },
    })
    expect(await post({ url: 'http://93.184.215.14/hook', events: ['lead.created'] })).toMatchObject({
      status: 400,
      body: { message: 'Webhook URL must use https://' },
    })
    expect(await post({ url: 'https://127.0.0.1/hook', events: ['lead.created'] })).toMatchObject({
      status: 400,
      body: { message: 'Webhook URL must not resolve to a private, loopback or link-local address' },
    })
    const ok = await post({ url: 'https://93.184.215.14/hook', events: ['lead.created'] })
    expect(ok.status).toBe(201)
    expect(await hooks(tenant.key, 'PATCH', `/${ok.body.data.id}`, { url: 'https://10.0.0.1/' }, undefined, strict)).toMatchObject({
      status: 400,
      body: { message: 'Webhook URL must not resolve to a private, loopback or link-local address' },
    })
    expect(await db.webhookEndpoint.count({ where: { accountId: tenant.accountId } })).toBe(1)
  })

  it('honours Idempotency-Key on create: the retry gets the same endpoint and secret, and no second endpoint', async () => {
    const tenant = await webhookTenant()
    const body = { url: receiver.url, events: ['lead.created'] }
    const first = await hooks(tenant.hookKey, 'POST', '', body, { 'idempotency-key': 'create-hook-1' })
    const retry = await hooks(tenant.hookKey, 'POST', '', body, { 'idempotency-key': 'create-hook-1' })
    expect(first.status).toBe(201)
    expect(retry).toMatchObject({ status: 201, body: first.body })
    expect(retry.headers.get('idempotent-replayed')).toBe('true')
    expect(await db.webhookEndpoint.count({ where: { accountId: tenant.accountId } })).toBe(1)
  })

  it('lists deliveries with their attempts, and a replay delivers the same body again to the receiver', async () => {
    const tenant = await webhookTenant()
    const created = await hooks(tenant.hookKey, 'POST', '', { url: receiver.url, events: ['lead.created'] })
    const { id: endpointId, secret } = created.body.data
    const since = receiver.received.length
    receiver.answer({ status: 500, body: 'down' })
    const lead = await client.call('POST', '/api/v1/leads', { key: tenant.hookKey, body: { name: 'Hooked' } })
    expect(lead.status).toBe(201)
    expect(await deliver(tenant)).toBe(1) // the receiver answers 500: retried later

    const failed = await hooks(tenant.hookKey, 'GET', `/${endpointId}/deliveries`)
    expect(failed.status).toBe(200)
    expect(failed.body.pagination).toEqual({ limit: 50, offset: 0, total: 1 })
    const [delivery] = failed.body.data
    expect(delivery).toMatchObject({
      endpoint_id: endpointId,
      event: 'lead.created',
      status: 'pending',
      attempts: 1,
      last_status_code: 500,
      attempt_log: [{ attempt_number: 1, status_code: 500, response_excerpt: 'down' }],
    })
    expect(JSON.parse(delivery.body).data).toEqual((await lead.json()).data)

    const replayed = await hooks(tenant.hookKey, 'POST', `/${endpointId}/deliveries/${delivery.id}/replay`)
    expect(replayed).toMatchObject({
      status: 201,
      body: { data: { event: 'lead.created', status: 'pending', attempts: 0, body: delivery.body } },
    })
    expect(replayed.body.data.id).not.toBe(delivery.id)
    expect(await deliver(tenant)).toBe(1) // the replay; the original waits for its retry
    const received = receiver.received.slice(since)
    expect(received.map((r) => r.body)).toEqual([delivery.body, delivery.body])
    expect(received.map((r) => r.headers['webhook-id'])).toEqual([delivery.id, replayed.body.data.id])
    expect(() => new Webhook(secret).verify(received[1].body, received[1].headers)).not.toThrow()

    const one = await hooks(tenant.hookKey, 'GET', `/${endpointId}/deliveries/${replayed.body.data.id}`)
    expect(one.body.data).toMatchObject({ status: 'succeeded', attempts: 1, attempt_log: [{ attempt_number: 1, status_code: 200 }] })
    const succeeded = await hooks(tenant.hookKey, 'GET', `/${endpointId}/deliveries?status=succeeded`)
    expect(succeeded.body.data.map((d: { id: string }) => d.id)).toEqual([replayed.body.data.id])
    expect((await hooks(tenant.hookKey, 'GET', `/${endpointId}/deliveries?status=lost`)).status).toBe(400)
    const paged = await hooks(tenant.hookKey, 'GET', `/${endpointId}/deliveries?limit=1&offset=1`)
    expect(paged.body).toMatchObject({ data: [{ id: delivery.id }], pagination: { limit: 1, offset: 1, total: 2 } })
  })

  it('sends a test event on request', async () => {
    const tenant = await webhookTenant()
    const { id } = (await hooks(tenant.hookKey, 'POST', '', { url: receiver.url, events: ['lead.created'] })).body.data
    const test = await hooks(tenant.hookKey, 'POST', `/${id}/test`)
    expect(test).toMatchObject({ status: 201, body: { data: { event: 'test', status: 'pending', endpoint_id: id } } })
    const since = receiver.received.length
    expect(await deliver(tenant)).toBe(1)
    expect(JSON.parse(receiver.received[since].body)).toMatchObject({ event: 'test', data: { endpoint_id: id } })
  })

  it('lists deliveries in two statements, for 1 as for 10', async () => {
    const tenant = await webhookTenant()
    const { id } = (await hooks(tenant.hookKey, 'POST', '', { url: receiver.url, events: ['lead.created'] })).body.data
    const count = async () => countStatements(() => hooks(tenant.hookKey, 'GET', `/${id}/deliveries`))
    await hooks(tenant.hookKey, 'POST', `/${id}/test`)
    await count() // the key is remembered after its first use
    const one = await count()
    for (let i = 0; i < 9; i++) await hooks(tenant.hookKey, 'POST', `/${id}/test`)
    await deliver(tenant)
    expect(await count()).toBe(one)
    expect(one).toBe(2) // the endpoint with its count, then the page with every attempt
  })

  it("answers 404 for another account's endpoint and delivery ids, and for a delivery under another endpoint", async () => {
    const [mine, theirs] = await twoTenants(client)
    const theirEndpoint = (await hooks(theirs.key, 'POST', '', { url: receiver.url, events: ['lead.created'] })).body.data
    const theirDelivery = (await hooks(theirs.key, 'POST', `/${theirEndpoint.id}/test`)).body.data
    const myEndpoint = (await hooks(mine.key, 'POST', '', { url: receiver.url, events: ['lead.created'] })).body.data
    const checks: [string, string, unknown?][] = [
      ['GET', `/${theirEndpoint.id}`],
      ['PATCH', `/${theirEndpoint.id}`, { active: false }],
      ['DELETE', `/${theirEndpoint.id}`],
      ['POST', `/${theirEndpoint.id}/rotate-secret`],
      ['POST', `/${theirEndpoint.id}/test`],
      ['GET', `/${theirEndpoint.id}/deliveries`],
      ['GET', `/${theirEndpoint.id}/deliveries/${theirDelivery.id}`],
      ['POST', `/${theirEndpoint.id}/deliveries/${theirDelivery.id}/replay`],
      ['GET', `/${myEndpoint.id}/deliveries/${theirDelivery.id}`],
      ['POST', `/${myEndpoint.id}/deliveries/${theirDelivery.id}/replay`],
    ]
    for (const [method, path, body] of checks) {
      const answer = await hooks(mine.key, method, path, body)
      expect(answer.status, `${method} ${path}`).toBe(404)
      expect(answer.body.message).toMatch(/^Webhook (endpoint|delivery) not found$/)
    }
    expect((await hooks(mine.key, 'GET', '')).body.data.map((e: { id: string }) => e.id)).toEqual([myEndpoint.id])
    expect(await db.webhookEndpoint.findUniqueOrThrow({ where: { id: theirEndpoint.id } })).toMatchObject({ active: true })
    expect(await db.webhookDelivery.count({ where: { accountId: theirs.accountId } })).toBe(1)
    const gql = await client.gql(`query($id: ID!) { webhookEndpoint(id: $id) { id } }`, { id: theirEndpoint.id }, { key: mine.key })
    expect(gql.data.webhookEndpoint).toBeNull()
  })

  it('are reachable through GraphQL with a key: an endpoint with its delivery page and one delivery', async () => {
    const tenant = await webhookTenant()
    const { id } = (await hooks(tenant.hookKey, 'POST', '', { url: receiver.url, events: ['lead.created'] })).body.data
    const test = (await hooks(tenant.hookKey, 'POST', `/${id}/test`)).body.data
    const result = await client.gql(
      `query($id: ID!, $delivery: ID!) { webhookEndpoint(id: $id) {
        deliveryPage(status: pending) { total items { id event } } delivery(id: $delivery) { id attempts }
      } }`,
      { id, delivery: test.id },
      { key: tenant.hookKey },
    )
    expect(result.data.webhookEndpoint).toEqual({
      deliveryPage: { total: 1, items: [{ id: test.id, event: 'test' }] },
      delivery: { id: test.id, attempts: 0 },
    })
    const replay = await client.gql(
      `mutation($id: ID!) { replayWebhookDelivery(id: $id) { event } }`,
      { id: test.id },
      { key: tenant.hookKey },
    )
    expect(replay.data.replayWebhookDelivery).toEqual({ event: 'test' })
  })
})
