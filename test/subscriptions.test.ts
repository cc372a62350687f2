import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { openSubscriptionCount } from '../src/services/live/subscriptions.js'
import { type TestClient, testApp } from './support/app.js'
import { seedConversation } from './support/fixtures.js'
import { createCustomer, createProject, hubCall } from './support/hub.js'
import { type Subscription, subscribe } from './support/sse.js'
import { type Tenant, twoTenants } from './support/tenants.js'

let client: TestClient
let tenant: Tenant
let other: Tenant
const open: Subscription[] = []

beforeAll(async () => {
  client = await testApp({ SSE_HEARTBEAT_MS: '200', ALLOW_PRIVATE_WEBHOOK_URLS: '1' })
  ;[tenant, other] = await twoTenants(client)
})

afterEach(async () => {
  for (const subscription of open.splice(0)) await subscription.close()
})

const live = async (query: string, variables: Record<string, unknown>, options: { key?: string; headers?: Record<string, string> }) => {
  const subscription = await subscribe((request) => client.app.fetch(request), 'http://crm.test', query, variables, options)
  open.push(subscription)
  return subscription
}

const messageFields = 'id conversationId direction channel sender content status provider providerMessageId createdAt updatedAt'
const communicationFields = `id channel status to subject content customerId projectId leadId templateId eventId campaignId provider
  providerMessageId scheduledFor sentAt attempts lastError createdAt updatedAt`

const changesQuery = `subscription($types: [String!], $after: String) {
  changes(types: $types, after: $after) { cursor objectType objectId action data }
}`

describe('subscriptions over server-sent events', () => {
  it('streams a change as it commits, with its cursor as the event id and a heartbeat while idle', async () => {
    const stream = await live(changesQuery, { types: ['customer'] }, { key: tenant.key })
    expect(stream.status).toBe(200)
    expect(stream.headers.get('content-type')).toBe('text/event-stream')
    const customer = await createCustomer(client, tenant, { first_name: 'Live' })
    const event = await stream.next()
    expect(event.event).toBe('next')
    expect(event.data.data.changes).toMatchObject({ objectType: 'customer', objectId: customer.id, action: 'created' })
    expect(event.id).toBe(event.data.data.changes.cursor)
    expect(event.data.extensions.cursor).toBe(event.id)
    await vi.waitFor(() => expect(stream.heartbeats()).toBeGreaterThan(2), { timeout: 30_000 })
  })

  it('shows another account nothing', async () => {
    const theirs = await live(changesQuery, {}, { key: other.key })
    const mine = await live(changesQuery, { types: ['customer'] }, { key: tenant.key })
    const customer = await createCustomer(client, tenant)
    expect((await mine.next()).data.data.changes.objectId).toBe(customer.id)
    const marker = await createCustomer(client, other)
    // The other account's first event is its own write: nothing of this account came before it.
    expect((await theirs.next()).data.data.changes.objectId).toBe(marker.id)
  })

  it('refuses a key without the scope before streaming anything', async () => {
    const key = await tenant.createKey({ scopes: ['read:hub'] })
    const { id } = await seedConversation(tenant.accountId)
    const stream = await live('subscription($id: ID!) { messageAdded(conversationId: $id) { id } }', { id }, { key: key.secret })
    const event = await stream.next()
    expect(event.data.errors[0].extensions.code).toBe('FORBIDDEN')
    expect(event.data.errors[0].message).toContain('read:conversations')
    expect((await stream.next()).event).toBe('complete')
  })

  it('adds messages of the conversation followed, and not of another one', async () => {
    const conversation = await seedConversation(tenant.accountId)
    const elsewhere = await seedConversation(tenant.accountId)
    const stream = await live(
      'subscription($id: ID!) { messageAdded(conversationId: $id) { id conversationId content sender } }',
      { id: conversation.id },
      { key: tenant.key },
    )
    await addMessage(elsewhere.id, 'not this one')
    await addMessage(conversation.id, 'hello live')
    const event = await stream.next()
    expect(event.data.data.messageAdded).toMatchObject({ conversationId: conversation.id, content: 'hello live', sender: 'customer' })
    expect(event.id).toMatch(/^\d+$/)
  })

  it('gives a message with every field as a query reads it', async () => {
    const conversation = await seedConversation(tenant.accountId)
    const stream = await live(
      `subscription($id: ID!) { messageAdded(conversationId: $id) { ${messageFields} } }`,
      { id: conversation.id },
      {
        key: tenant.key,
      },
    )
    await addMessage(conversation.id, 'every field')
    const added = (await stream.next()).data.data.messageAdded
    const read = await client.gql(
      `query($id: ID!) { node(id: $id) { ... on Message { ${messageFields} } } }`,
      { id: added.id },
      { key: tenant.key },
    )
    expect(added).toEqual(read.data.node)
    expect(added.createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/)
  })

  it('answers another account’s conversation as not found', async () => {
    const theirs = await seedConversation(other.accountId)
    const stream = await live('subscription($id: ID!) { messageAdded(conversationId: $id) { id } }', { id: theirs.id }, { key: tenant.key })
    expect((await stream.next()).data.errors[0].extensions.code).toBe('NOT_FOUND')
  })

  it('follows the communications of a project', async () => {
    const { project } = await createProject(client, tenant)
    const stream = await live(
      'subscription($id: ID!) { communicationUpdated(projectId: $id) { id status } }',
      { id: project.id },
      { key: tenant.key },
    )
    const queued = await client.gql(
      'mutation($input: CommunicationInput!) { queueCommunication(input: $input) { id } }',
      {
        input: {
          projectId: project.id,
          channel: 'sms',
          content: 'Your quote is ready',
          scheduledFor: new Date(Date.now() + 3_600_000).toISOString(),
        },
      },
      { key: tenant.key },
    )
    expect(queued.errors, JSON.stringify(queued.errors)).toBeUndefined()
    const event = await stream.next()
    expect(event.data.data.communicationUpdated.id).toBe(queued.data.queueCommunication.id)
  })

  it('gives each change of a communication as it stood at that change, every field as a query reads it', async () => {
    const { project } = await createProject(client, tenant)
    const stream = await live(
      `subscription($id: ID!) { communicationUpdated(projectId: $id) { ${communicationFields} } }`,
      { id: project.id },
      {
        key: tenant.key,
      },
    )
    const queued = await client.gql(
      'mutation($input: CommunicationInput!) { queueCommunication(input: $input) { id } }',
      {
        input: {
          projectId: project.id,
          channel: 'sms',
          content: 'Two tries',
          scheduledFor: new Date(Date.now() + 3_600_000).toISOString(),
        },
      },
      { key: tenant.key },
    )
    const id = queued.data.queueCommunication.id
    const { db } = await import('../src/db/client.js')
    // Two changes in a row, both committed before the first is likely handed out.
    await db.communication.update({ where: { id }, data: { attempts: 1, lastError: 'first try failed' } })
    await db.communication.update({ where: { id }, data: { attempts: 2, lastError: 'second try failed' } })
    const events = [(await stream.next()).data.data.communicationUpdated]
    events.push((await stream.next()).data.data.communicationUpdated, (await stream.next()).data.data.communicationUpdated)
    expect(events.map((event) => [event.attempts, event.lastError])).toEqual([
      [0, null],
      [1, 'first try failed'],
      [2, 'second try failed'],
    ])
    const read = await client.gql(
      `query($id: ID!) { node(id: $id) { ... on Communication { ${communicationFields} } } }`,
      { id },
      { key: tenant.key },
    )
    expect(events[2]).toEqual(read.data.node)
  })

  it('resumes after Last-Event-ID without missing or repeating a change', async () => {
    const first = await live(changesQuery, { types: ['customer'] }, { key: tenant.key })
    const a = await createCustomer(client, tenant)
    const seen = await first.next()
    expect(seen.data.data.changes.objectId).toBe(a.id)
    await first.close()
    // Written while nobody listens.
    const b = await createCustomer(client, tenant)
    const c = await createCustomer(client, tenant)
    const again = await live(changesQuery, { types: ['customer'] }, { key: tenant.key, headers: { 'last-event-id': seen.id! } })
    const d = await createCustomer(client, tenant)
    const ids = []
    for (let i = 0; i < 3; i++) ids.push((await again.next()).data.data.changes.objectId)
    expect(ids).toEqual([b.id, c.id, d.id])
    // The `after` argument does the same for clients that are not EventSource.
    const byArgument = await live(changesQuery, { types: ['customer'], after: seen.id }, { key: tenant.key })
    expect((await byArgument.next()).data.data.changes.objectId).toBe(b.id)
  })

  it('closes the streams of a key when it is revoked', async () => {
    const key = await tenant.createKey({ scopes: ['read:hub'] })
    const stream = await live(changesQuery, {}, { key: key.secret })
    const revoked = await client.gql('mutation($id: ID!) { revokeApiKey(id: $id) { id } }', { id: key.id }, { cookie: tenant.cookie })
    expect(revoked.errors, JSON.stringify(revoked.errors)).toBeUndefined()
    const event = await stream.next()
    expect(event.data.errors[0]).toMatchObject({ message: 'API key has been revoked', extensions: { code: 'UNAUTHENTICATED' } })
    expect((await stream.next()).event).toBe('complete')
  })

  it('releases everything when the client disconnects', async () => {
    const before = openSubscriptionCount()
    const streams = await Promise.all([1, 2, 3].map(() => live(changesQuery, {}, { key: tenant.key })))
    expect(openSubscriptionCount()).toBe(before + 3)
    for (const stream of streams) await stream.close()
    await vi.waitFor(() => expect(openSubscriptionCount()).toBe(before))
  })

  it('follows the deliveries of a webhook endpoint as they are queued and settled', async () => {
    const created = await client.gql(
      'mutation($input: WebhookEndpointInput!) { createWebhookEndpoint(input: $input) { endpoint { id } } }',
      { input: { url: 'http://127.0.0.1:9/hook', events: ['customer.created'] } },
      { cookie: tenant.cookie },
    )
    expect(created.errors, JSON.stringify(created.errors)).toBeUndefined()
    const endpointId = created.data.createWebhookEndpoint.endpoint.id
    const stream = await live(
      'subscription($id: ID!) { webhookDeliveryUpdated(endpointId: $id) { id status attempts } }',
      { id: endpointId },
      { key: tenant.key },
    )
    const { db } = await import('../src/db/client.js')
    const delivery = await db.webhookDelivery.create({
      data: { accountId: tenant.accountId, endpointId, event: 'customer.created', body: '{}' },
    })
    expect((await stream.next()).data.data.webhookDeliveryUpdated).toEqual({ id: delivery.id, status: 'pending', attempts: 0 })
    await db.webhookDelivery.update({ where: { id: delivery.id }, data: { status: 'succeeded', attempts: 1, deliveredAt: new Date() } })
    expect((await stream.next()).data.data.webhookDeliveryUpdated).toEqual({ id: delivery.id, status: 'succeeded', attempts: 1 })
  })

  it('refuses a malformed cursor with a clear error', async () => {
    const stream = await live(changesQuery, { after: 'yesterday' }, { key: tenant.key })
    expect((await stream.next()).data.errors[0]).toMatchObject({ extensions: { code: 'BAD_REQUEST' } })
  })
})

async function addMessage(conversationId: string, content: string) {
  const { db } = await import('../src/db/client.js')
  const conversation = await db.conversation.findUniqueOrThrow({ where: { id: conversationId } })
  await db.message.create({
    data: {
      accountId: conversation.accountId,
      conversationId,
      direction: 'inbound',
      channel: conversation.channel,
      sender: 'customer',
      content,
      status: 'received',
    },
  })
}

void hubCall
