/**
 * Webhooks made from the change feed: an endpoint receives exactly the events it subscribed to,
 * signed like every other delivery, once each; the seed's own events keep coming from the seed's
 * code (never a second time from the feed).
 */
import { readFile } from 'node:fs/promises'
import { Webhook } from 'standardwebhooks'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { db } from '../src/db/client.js'
import { optOutHash } from '../src/services/opt-out.js'
import { eventsOf } from '../src/services/webhooks/feed-events.js'
import { FEED_EVENTS } from '../src/services/webhooks/outbox.js'
import { runOnce } from '../src/services/worker/worker.js'
import { type TestClient, testApp } from './support/app.js'
import { callbackSender } from './support/callbacks.js'
import { hubCall } from './support/hub.js'
import { createTenant, type Tenant } from './support/tenants.js'
import { startReceiver, subscribe } from './support/webhook-receiver.js'

let client: TestClient
let tenant: Tenant
let narrow: Awaited<ReturnType<typeof startReceiver>>
let wide: Awaited<ReturnType<typeof startReceiver>>

beforeAll(async () => {
  ;[narrow, wide] = await Promise.all([startReceiver(), startReceiver()])
  client = await testApp({ ALLOW_PRIVATE_WEBHOOK_URLS: '1' })
  tenant = await createTenant(client)
})
afterAll(() => Promise.all([narrow.close(), wide.close()]))

/** A worker pass; its clock a second ahead, so the deliveries it queues are due in it. */
const pass = () => runOnce({ config: client.app.config, accountIds: [tenant.accountId], now: new Date(Date.now() + 1000) })
const bodies = (receiver: typeof wide) => receiver.received.map((r) => JSON.parse(r.body))

describe('webhooks from the change feed', () => {
  it('an endpoint filtered to customer.updated receives exactly that, signed; others get theirs once', async () => {
    const secret = await subscribe(client, tenant, narrow.url, ['customer.updated'])
    await subscribe(client, tenant, wide.url, [
      'customer.created',
      'lead.created',
      'communication.queued',
      'opt_out.changed',
      'project.created',
    ])

    const customer = (
      await hubCall(client, tenant, 'POST', '/customers', { external_id: 'wh-1', first_name: 'Ann', email: 'ann@example.com' })
    ).body.data
    const updated = await hubCall(
      client,
      tenant,
      'POST',
      '/customers',
      { external_id: 'wh-1', email: 'ann@roofs.example' },
      { 'x-request-id': 'req-wh-update' },
    )
    expect(updated.status).toBe(200)
    const lead = await client.call('POST', '/api/v1/leads', { key: tenant.key, body: { name: 'Lee', phone: '+15555550177' } })
    expect(lead.status).toBe(201)
    const queued = await hubCall(client, tenant, 'POST', '/communications', { channel: 'sms', content: 'Hi', to: '+15555550177' })
    expect(queued.status).toBe(201)
    await db.smsOptOut.create({ data: { accountId: tenant.accountId, phoneHash: optOutHash(tenant.accountId, '+15555550177') } })

    await pass()
    expect(narrow.received).toHaveLength(1)
    const [request] = narrow.received
    expect(request.headers['x-webhook-event']).toBe('customer.updated')
    const verified = new Webhook(secret.slice('whsec_'.length)).verify(request.body, request.headers) as Record<string, any>
    expect(verified).toMatchObject({
      event: 'customer.updated',
      data: { id: customer.id, email: 'ann@roofs.example', first_name: 'Ann' },
      previous: { email: 'ann@example.com' },
      object_type: 'customer',
      action: 'updated',
      actor: { type: 'api_key' },
      request_id: 'req-wh-update',
    })

    const events = bodies(wide).map((b) => b.event)
    expect(events.sort()).toEqual(['communication.queued', 'customer.created', 'lead.created', 'opt_out.changed'])
    // lead.created is the seed's: its documented body, not a feed-made one.
    const leadEvent = bodies(wide).find((b) => b.event === 'lead.created')
    expect(Object.keys(leadEvent).sort()).toEqual(['data', 'event', 'timestamp'])
    expect(bodies(wide).find((b) => b.event === 'opt_out.changed').data).toEqual({
      phone_hash: optOutHash(tenant.accountId, '+15555550177'),
      opted_out: true,
    })

    // Each change makes its events once: a second pass sends nothing more.
    await pass()
    expect(narrow.received).toHaveLength(1)
    expect(wide.received).toHaveLength(4)
  })

  it('a Vapi end-of-call report fires call.completed and transcript.ready once, attributed to the provider', async () => {
    const calls = await startReceiver()
    try {
      const vapi = { api_key: 'vapi-key-0001', assistant_id: 'asst_1', phone_number_id: 'pn_1', server_secret: 'vapi-secret-0001' }
      expect((await hubCall(client, tenant, 'PUT', '/integrations/vapi', { config: vapi })).status).toBe(201)
      await subscribe(client, tenant, calls.url, ['call.completed', 'transcript.ready'])
      const report = {
        type: 'end-of-call-report',
        call: { id: 'feed-call-1', type: 'outboundPhoneCall', customer: { number: '+15555550199' } },
        startedAt: '2026-11-20T15:00:00.000Z',
        endedAt: '2026-11-20T15:02:30.000Z',
        messages: [
          { role: 'bot', message: 'Hi there.', time: 1_795_014_001_000 },
          { role: 'user', message: 'Hello!', time: 1_795_014_005_000 },
        ],
      }
      const send = callbackSender(client.app)
      expect((await send.vapi(tenant.accountId, report, vapi.server_secret)).status).toBe(200)
      await pass()
      const received = bodies(calls)
      expect(received.map((b) => b.event).sort()).toEqual(['call.completed', 'transcript.ready'])
      const call = received.find((b) => b.event === 'call.completed')
      expect(call).toMatchObject({ data: { channel: 'voice', participant: '+15555550199' }, actor: { type: 'provider', id: 'vapi' } })
      expect(received.find((b) => b.event === 'transcript.ready').data).toMatchObject({
        conversation_id: call.data.id,
        entries: [
          { position: 0, text: 'Hi there.' },
          { position: 1, text: 'Hello!' },
        ],
      })
      // The provider repeats its report: nothing changed, nothing is sent.
      expect((await send.vapi(tenant.accountId, report, vapi.server_secret)).status).toBe(200)
      await pass()
      expect(calls.received).toHaveLength(2)
    } finally {
      await calls.close()
    }
  })

  it('refuses an unknown event name and accepts every catalogued one', async () => {
    const refused = await client.gql(
      `mutation($input: WebhookEndpointInput!) { createWebhookEndpoint(input: $input) { endpoint { id } } }`,
      { input: { url: wide.url, events: ['customer.exploded'] } },
      { cookie: tenant.cookie },
    )
    expect(refused.errors?.[0].message).toMatch(/Unknown event: customer.exploded/)
  })

  it('documents every feed event in the CRM OpenAPI document', async () => {
    const crm = JSON.parse(await readFile(new URL('../src/rest/openapi/crm.json', import.meta.url), 'utf8'))
    expect(FEED_EVENTS.filter((event) => !crm.webhooks[event])).toEqual([])
  })

  it('maps feed changes to the catalogue: message.received, call.completed, communication statuses', () => {
    const change = (fields: Record<string, unknown>) =>
      ({
        cursor: '1',
        object_id: 'x',
        previous: null,
        actor: { type: 'system', id: null },
        request_id: null,
        changed_at: new Date().toISOString(),
        ...fields,
      }) as Parameters<typeof eventsOf>[0]
    const names = (fields: Record<string, unknown>) => eventsOf(change(fields)).map((e) => e.event)
    expect(names({ object_type: 'message', action: 'created', data: { direction: 'inbound' } })).toEqual(['message.received'])
    expect(names({ object_type: 'message', action: 'created', data: { direction: 'outbound' } })).toEqual([])
    expect(
      names({ object_type: 'conversation', action: 'created', data: { channel: 'voice', ended_at: '2026-12-05T12:00:00.000Z' } }),
    ).toEqual(['call.completed'])
    expect(
      names({ object_type: 'conversation', action: 'updated', data: { channel: 'voice', ended_at: 'x' }, previous: { summary: null } }),
    ).toEqual([])
    expect(names({ object_type: 'communication', action: 'updated', data: { status: 'delivered' }, previous: { status: 'sent' } })).toEqual(
      ['communication.delivered'],
    )
    // The seed's own events are never made from the feed.
    expect(names({ object_type: 'communication', action: 'updated', data: { status: 'sent' }, previous: { status: 'sending' } })).toEqual(
      [],
    )
    expect(names({ object_type: 'lead', action: 'created', data: {} })).toEqual([])
    expect(names({ object_type: 'lead', action: 'deleted', data: {} })).toEqual(['lead.deleted'])
  })
})
