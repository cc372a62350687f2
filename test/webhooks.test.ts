import { createHmac } from 'node:crypto'
import { Webhook } from 'standardwebhooks'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { db } from '../src/db/client.js'
import { deliverDueWebhooks, RETRY_DELAYS_MS, startWebhookDelivery } from '../src/services/webhooks/delivery.js'
import { type TestClient, testApp } from './support/app.js'
import { createTenant, type Tenant } from './support/tenants.js'
import { startReceiver } from './support/webhook-receiver.js'

let client: TestClient
let receiver: Awaited<ReturnType<typeof startReceiver>>

beforeAll(async () => {
  receiver = await startReceiver()
  client = await testApp({ ALLOW_PRIVATE_WEBHOOK_URLS: '1' })
})
afterAll(() => receiver.close())

const CREATE = `mutation($input: WebhookEndpointInput!) { createWebhookEndpoint(input: $input) { secret endpoint { id url events active createdAt } } }`

async function endpointFor(tenant: Tenant, events: string[], url = receiver.url, on = client) {
  const result = await on.gql(CREATE, { input: { url, events } }, { cookie: tenant.cookie })
  expect(result.errors, JSON.stringify(result.errors)).toBeUndefined()
  return result.data.createWebhookEndpoint as { secret: string; endpoint: { id: string } }
}

/** Runs one delivery pass for this tenant only, at the given scheduler time. */
const deliver = (tenant: Tenant, now = new Date(Date.now() + 1000), on = client) =>
  deliverDueWebhooks({ config: on.app.config, now, accountId: tenant.accountId })

const received = (since: number) => receiver.received.slice(since)

describe('webhook endpoints', () => {
  it('are created from a portal session with a whsec_ secret shown once and stored encrypted', async () => {
    const tenant = await createTenant(client)
    const { secret, endpoint } = await endpointFor(tenant, ['lead.created'])
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/)
    expect(endpoint).toMatchObject({ url: receiver.url, events: ['lead.created'], active: true })
    const stored = await db.webhookEndpoint.findUniqueOrThrow({ where: { id: endpoint.id } })
    expect(JSON.stringify(stored)).not.toContain(secret.slice(6))
    const listed = await client.gql(
      `{ webhookEndpoints { id url events active deliveries(first: 20) { edges { node { id } } } } }`,
      {},
      { cookie: tenant.cookie },
    )
    expect(listed.data.webhookEndpoints).toEqual([
      { id: endpoint.id, url: receiver.url, events: ['lead.created'], active: true, deliveries: { edges: [] } },
    ])
    expect(JSON.stringify(listed)).not.toContain(secret)
  })

  it('need the webhooks scopes: an API key without them is refused', async () => {
    const tenant = await createTenant(client)
    const { secret: key } = await tenant.createKey({ scopes: ['read:hub', 'write:hub', 'leads:write'] })
    const result = await client.gql(CREATE, { input: { url: receiver.url, events: ['lead.created'] } }, { key })
    expect(result.errors?.[0]).toMatchObject({ message: 'Insufficient scope: webhooks:write required', extensions: { code: 'FORBIDDEN' } })
    expect((await client.gql(`{ webhookEndpoints { id } }`, {}, { key })).errors?.[0].extensions.code).toBe('FORBIDDEN')
  })

  it('refuse unknown events, non-https URLs and private, loopback or link-local addresses', async () => {
    const strict = await testApp()
    const tenant = await createTenant(strict)
    const attempt = async (url: string, events = ['lead.created']) =>
      (await strict.gql(CREATE, { input: { url, events } }, { cookie: tenant.cookie })).errors?.[0]?.message
    expect(await attempt('https://93.184.215.14/hook', ['lead.created', 'lead.exploded'])).toMatch(/^Unknown event: lead.exploded/)
    expect(await attempt('https://93.184.215.14/hook', [])).toBe('Subscribe to at least one event')
    expect(await attempt('http://93.184.215.14/hook')).toBe('Webhook URL must use https://')
    expect(await attempt('not a url')).toBe('Webhook URL must be an absolute URL')
    expect(await attempt('https://user:pw@93.184.215.14/hook')).toBe('Webhook URL must not contain credentials')
    for (const url of [
      'https://127.0.0.1/hook',
      'https://localhost/hook',
      'https://[::1]/hook',
      'https://10.1.2.3/',
      'https://169.254.169.254/latest',
      'https://[::ffff:192.168.0.1]/',
      'https://0.0.0.0/',
    ]) {
      expect(await attempt(url), url).toBe('Webhook URL must not resolve to a private, loopback or link-local address')
    }
    expect(await db.webhookEndpoint.count({ where: { accountId: tenant.accountId } })).toBe(0)
    expect(await attempt('https://93.184.215.14/hook')).toBeUndefined()
    // With ALLOW_PRIVATE_WEBHOOK_URLS=1 (local testing), http:// and loopback are accepted.
    const local = await createTenant(client)
    expect(
      (await client.gql(CREATE, { input: { url: 'ftp://127.0.0.1/x', events: ['test'] } }, { cookie: local.cookie })).errors?.[0].message,
    ).toMatch(/Unknown event: test/)
    expect(
      (await client.gql(CREATE, { input: { url: 'ftp://127.0.0.1/x', events: ['lead.created'] } }, { cookie: local.cookie })).errors?.[0]
        .message,
    ).toBe('Webhook URL must use https:// or http://')
  })

  it('can be updated, rotated and deleted, only within the account', async () => {
    const tenant = await createTenant(client)
    const other = await createTenant(client)
    const { secret, endpoint } = await endpointFor(tenant, ['lead.created'])
    const update = await client.gql(
      `mutation($id: ID!) { updateWebhookEndpoint(id: $id, input: { active: false, events: ["lead.updated"] }) { active events } }`,
      { id: endpoint.id },
      { cookie: tenant.cookie },
    )
    expect(update.data.updateWebhookEndpoint).toEqual({ active: false, events: ['lead.updated'] })
    const rotated = await client.gql(
      `mutation($id: ID!) { rotateWebhookSecret(id: $id) { secret } }`,
      { id: endpoint.id },
      { cookie: tenant.cookie },
    )
    expect(rotated.data.rotateWebhookSecret.secret).toMatch(/^whsec_/)
    expect(rotated.data.rotateWebhookSecret.secret).not.toBe(secret)
    for (const op of [
      `mutation($id: ID!) { rotateWebhookSecret(id: $id) { secret } }`,
      `mutation($id: ID!) { deleteWebhookEndpoint(id: $id) }`,
      `mutation($id: ID!) { sendTestWebhook(endpointId: $id) { id } }`,
    ]) {
      expect((await client.gql(op, { id: endpoint.id }, { cookie: other.cookie })).errors?.[0].message).toBe('Webhook endpoint not found')
    }
    expect(
      (await client.gql(`mutation($id: ID!) { deleteWebhookEndpoint(id: $id) }`, { id: endpoint.id }, { cookie: tenant.cookie })).data
        .deleteWebhookEndpoint,
    ).toBe(true)
    expect(await db.webhookEndpoint.count({ where: { id: endpoint.id } })).toBe(0)
  })
})

describe('events and delivery', () => {
  it('queues lead.created for subscribed active endpoints only, signs it both ways and sends the /api/v1 lead shape', async () => {
    const tenant = await createTenant(client)
    const other = await createTenant(client)
    const { secret } = await endpointFor(tenant, ['lead.created', 'lead.updated'])
    await endpointFor(tenant, ['quote.accepted'])
    const inactive = await endpointFor(tenant, ['lead.created'])
    await client.gql(
      `mutation($id: ID!) { updateWebhookEndpoint(id: $id, input: { active: false }) { id } }`,
      { id: inactive.endpoint.id },
      { cookie: tenant.cookie },
    )
    await endpointFor(other, ['lead.created'])

    const since = receiver.received.length
    const created = await client.call('POST', '/api/v1/leads', {
      key: tenant.key,
      body: { name: 'Hooked', phone: '+15555550150', metadata: { camelKey: 1 } },
    })
    expect(created.status).toBe(201)
    expect(received(since)).toHaveLength(0) // the API call never waits for a receiver
    expect(await db.webhookDelivery.count({ where: { accountId: tenant.accountId } })).toBe(1)
    expect(await db.webhookDelivery.count({ where: { accountId: other.accountId } })).toBe(0)

    expect(await deliver(tenant)).toBe(1)
    const [request] = received(since)
    expect(request.headers['content-type']).toBe('application/json')
    expect(request.headers['x-webhook-event']).toBe('lead.created')
    expect(request.headers['x-webhook-signature']).toBe(createHmac('sha256', secret).update(request.body).digest('hex'))
    expect(() => new Webhook(secret).verify(request.body, request.headers)).not.toThrow()
    expect(() => new Webhook(secret).verify(request.body.replace('Hooked', 'Hacked'), request.headers)).toThrow()
    const body = JSON.parse(request.body)
    expect(Object.keys(body)).toEqual(['event', 'timestamp', 'data'])
    expect(body.event).toBe('lead.created')
    expect(Date.parse(body.timestamp)).toBeGreaterThan(Date.now() - 60_000)
    const lead = (await created.json()).data
    expect(body.data).toEqual(lead)
    expect(request.headers['webhook-id']).toBe((await db.webhookDelivery.findFirstOrThrow({ where: { accountId: tenant.accountId } })).id)
    expect(await deliver(tenant)).toBe(0) // delivered once
  })

  it("fires lead.updated with the changed fields' old values, and sale.completed on a move to closed_won", async () => {
    const tenant = await createTenant(client)
    await endpointFor(tenant, ['lead.updated', 'sale.completed'])
    const lead = (await (await client.call('POST', '/api/v1/leads', { key: tenant.key, body: { name: 'Before', source: 'web' } })).json())
      .data
    const patched = await client.call('PATCH', `/api/v1/leads/${lead.id}`, {
      key: tenant.key,
      body: { name: 'After', pipeline_stage: 'closed_won', source: 'web' },
    })
    const updated = (await patched.json()).data
    await client.call('PATCH', `/api/v1/leads/${lead.id}`, { key: tenant.key, body: { name: 'After' } }) // no change: no event
    const since = receiver.received.length
    expect(await deliver(tenant)).toBe(2)
    const bodies = received(since)
      .map((r) => JSON.parse(r.body))
      .sort((a, b) => a.event.localeCompare(b.event))
    expect(bodies.map((b) => b.event)).toEqual(['lead.updated', 'sale.completed'])
    expect(bodies[0].data).toEqual(updated)
    expect(bodies[0].previous).toEqual({ name: 'Before', pipeline_stage: 'new_lead' })
    expect(bodies[1].data).toEqual(updated)
  })

  it('fires quote.accepted, quote.declined and appointment.booked with the full resource', async () => {
    const tenant = await createTenant(client)
    await endpointFor(tenant, ['quote.accepted', 'quote.declined', 'appointment.booked'])
    const lead = (
      await (await client.call('POST', '/api/v1/leads', { key: tenant.key, body: { name: 'Q', email: 'q@example.com' } })).json()
    ).data
    const quote = async () =>
      (
        await client.gql(
          `mutation($l: ID!) { createQuote(input: { leadId: $l, lineItems: [{ description: "Roof", quantity: 1, unitPrice: 2400 }], tax: 240, currency: "USD", validUntil: "2026-12-31", metadata: {} }) { id } }`,
          { l: lead.id },
          { key: tenant.key },
        )
      ).data.createQuote.id
    const [accepted, declined] = [await quote(), await quote()]
    const setStatus = (id: string, status: string) =>
      client.gql(
        `mutation($id: ID!, $s: QuoteStatus!) { updateQuoteStatus(id: $id, status: $s) { id status } }`,
        { id, s: status },
        { cookie: tenant.cookie },
      )
    await setStatus(accepted, 'sent')
    await setStatus(accepted, 'accepted')
    await setStatus(accepted, 'accepted') // unchanged: fires nothing more
    await setStatus(declined, 'declined')
    const booked = await client.gql(
      `mutation($l: ID!) { bookAppointment(input: { leadId: $l, type: onsite, startTime: "2026-12-01T15:00:00Z", endTime: "2026-12-01T16:00:00Z", title: "Inspection", bookedBy: human }) { id } }`,
      { l: lead.id },
      { key: tenant.key },
    )
    expect(booked.errors).toBeUndefined()
    const since = receiver.received.length
    expect(await deliver(tenant)).toBe(3)
    const byEvent = Object.fromEntries(received(since).map((r) => [r.headers['x-webhook-event'], JSON.parse(r.body).data]))
    const rest = async (path: string) => (await (await client.call('GET', `/api/v1${path}`, { key: tenant.key })).json()).data
    expect(byEvent['quote.accepted']).toEqual(await rest(`/quotes/${accepted}`))
    expect(byEvent['quote.accepted'].accepted_at).not.toBeNull()
    expect(byEvent['quote.declined'].status).toBe('declined')
    expect(byEvent['appointment.booked']).toEqual((await rest('/appointments'))[0])
    expect(byEvent['appointment.booked'].leads).toEqual({ name: 'Q', phone: null, email: 'q@example.com' })
  })

  it('retries a failing receiver on schedule and logs every attempt (fails twice, then succeeds)', async () => {
    const tenant = await createTenant(client)
    const { endpoint } = await endpointFor(tenant, ['lead.created'])
    await client.call('POST', '/api/v1/leads', { key: tenant.key, body: { name: 'Retry' } })
    receiver.answer({ status: 500, body: 'boom' }, { status: 503, body: 'x'.repeat(5000) })
    const t0 = Date.now() + 1000
    expect(await deliver(tenant, new Date(t0))).toBe(1)
    expect(await deliver(tenant, new Date(t0 + RETRY_DELAYS_MS[0] - 1000))).toBe(0) // not due yet
    expect(await deliver(tenant, new Date(t0 + RETRY_DELAYS_MS[0]))).toBe(1)
    expect(await deliver(tenant, new Date(t0 + RETRY_DELAYS_MS[0] + RETRY_DELAYS_MS[1]))).toBe(1)
    expect(await deliver(tenant, new Date(t0 + 24 * 3_600_000))).toBe(0)

    const listed = await client.gql(
      `{ webhookEndpoints { id deliveries(first: 20) { edges { node { id event status attempts lastStatusCode createdAt deliveredAt
          attemptLog { attemptNumber statusCode durationMs responseExcerpt error } } } } } }`,
      {},
      { cookie: tenant.cookie },
    )
    const [node] = listed.data.webhookEndpoints
      .find((e: { id: string }) => e.id === endpoint.id)
      .deliveries.edges.map((e: { node: unknown }) => e.node)
    expect(node).toMatchObject({ event: 'lead.created', status: 'succeeded', attempts: 3, lastStatusCode: 200 })
    expect(node.deliveredAt).not.toBeNull()
    expect(node.attemptLog.map((a: { statusCode: number }) => a.statusCode)).toEqual([500, 503, 200])
    expect(node.attemptLog[0]).toMatchObject({ attemptNumber: 1, responseExcerpt: 'boom', error: 'Receiver answered 500' })
    expect(node.attemptLog[1].responseExcerpt).toHaveLength(1000)
    expect(node.attemptLog[2]).toMatchObject({ responseExcerpt: 'ok', error: null })
  })

  it('gives up after the last retry (1 min, 5 min, 30 min, 2 h, 6 h, 12 h) and can be replayed', async () => {
    const tenant = await createTenant(client)
    const dead = await startReceiver()
    await dead.close() // nothing listens on its port any more: connection refused
    await endpointFor(tenant, ['lead.created'], dead.url)
    await client.call('POST', '/api/v1/leads', { key: tenant.key, body: { name: 'Gone' } })
    let at = Date.now() + 1000
    for (const delay of [0, ...RETRY_DELAYS_MS]) {
      at += delay
      expect(await deliver(tenant, new Date(at))).toBe(1)
    }
    const delivery = await db.webhookDelivery.findFirstOrThrow({ where: { accountId: tenant.accountId }, include: { attemptLog: true } })
    expect(delivery).toMatchObject({ status: 'failed', attempts: 7, nextAttemptAt: null })
    expect(delivery.attemptLog.every((a) => a.statusCode === null && a.error)).toBe(true)

    const replay = await client.gql(
      `mutation($id: ID!) { replayWebhookDelivery(id: $id) { id } }`,
      { id: delivery.id },
      { cookie: tenant.cookie },
    )
    const copy = await db.webhookDelivery.findUniqueOrThrow({ where: { id: replay.data.replayWebhookDelivery.id } })
    expect(copy).toMatchObject({ status: 'pending', attempts: 0, body: delivery.body, event: 'lead.created' })
    expect(copy.id).not.toBe(delivery.id)
    const foreign = await createTenant(client)
    expect(
      (await client.gql(`mutation($id: ID!) { replayWebhookDelivery(id: $id) { id } }`, { id: delivery.id }, { cookie: foreign.cookie }))
        .errors?.[0].message,
    ).toBe('Webhook delivery not found')
  })

  it('delivers a delivery left pending across a restart, and one whose claim was abandoned by a crashed process', async () => {
    const tenant = await createTenant(client)
    await endpointFor(tenant, ['lead.created'])
    await client.call('POST', '/api/v1/leads', { key: tenant.key, body: { name: 'Before restart' } })
    const crashed = await db.webhookDelivery.findFirstOrThrow({ where: { accountId: tenant.accountId } })
    const leaseUntil = new Date(Date.now() + 60_000)
    await db.webhookDelivery.update({ where: { id: crashed.id }, data: { leaseExpiresAt: leaseUntil } }) // claimed, never finished

    const restarted = await testApp({ ALLOW_PRIVATE_WEBHOOK_URLS: '1' }) // a new server over the same database
    const since = receiver.received.length
    expect(await deliver(tenant, new Date(Date.now() + 1000), restarted)).toBe(0) // the lease still holds
    expect(await deliver(tenant, new Date(leaseUntil.getTime() + 1), restarted)).toBe(1)
    expect(JSON.parse(received(since)[0].body).data.name).toBe('Before restart')
    expect((await db.webhookDelivery.findUniqueOrThrow({ where: { id: crashed.id } })).status).toBe('succeeded')
  })

  it('checks the address again at delivery time (a name that now resolves to a private address)', async () => {
    const tenant = await createTenant(client)
    // https://localhost: the scheme passes, so only the connection-time lookup can refuse it.
    await endpointFor(tenant, ['lead.created'], receiver.url.replace('http://127.0.0.1', 'https://localhost'))
    await client.call('POST', '/api/v1/leads', { key: tenant.key, body: { name: 'Rebound' } })
    const strictConfig = { ...client.app.config, ALLOW_PRIVATE_WEBHOOK_URLS: false }
    const since = receiver.received.length
    expect(await deliverDueWebhooks({ config: strictConfig, accountId: tenant.accountId, now: new Date(Date.now() + 1000) })).toBe(1)
    expect(received(since)).toHaveLength(0)
    const attempt = await db.webhookAttempt.findFirstOrThrow({ where: { accountId: tenant.accountId } })
    expect(attempt.error).toBe('Webhook URL must not resolve to a private, loopback or link-local address')
  })

  it('sends a test event through the background loop, signed with the rotated secret', async () => {
    const tenant = await createTenant(client)
    const { endpoint } = await endpointFor(tenant, ['lead.created'])
    const rotated = (
      await client.gql(`mutation($id: ID!) { rotateWebhookSecret(id: $id) { secret } }`, { id: endpoint.id }, { cookie: tenant.cookie })
    ).data.rotateWebhookSecret.secret
    const since = receiver.received.length
    const stop = startWebhookDelivery({ config: client.app.config, accountId: tenant.accountId, intervalMs: 20 })
    try {
      const queued = await client.gql(
        `mutation($id: ID!) { sendTestWebhook(endpointId: $id) { id } }`,
        { id: endpoint.id },
        { cookie: tenant.cookie },
      )
      expect(queued.errors).toBeUndefined()
      await expect.poll(() => received(since).length, { timeout: 10_000 }).toBe(1)
    } finally {
      await stop()
    }
    const [request] = received(since)
    expect(request.headers['x-webhook-event']).toBe('test')
    expect(JSON.parse(request.body)).toMatchObject({ event: 'test', data: { endpoint_id: endpoint.id } })
    expect(() => new Webhook(rotated).verify(request.body, request.headers)).not.toThrow()
    expect(request.headers['x-webhook-signature']).toBe(createHmac('sha256', rotated).update(request.body).digest('hex'))
  })
})
