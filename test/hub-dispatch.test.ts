import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { db } from '../src/db/client.js'
import { type TestClient, testApp } from './support/app.js'
import { type FakeProvider, fakeSendblue, fakeVapi } from './support/fake-providers.js'
import { createProject, hubCall } from './support/hub.js'
import { createTenant, type Tenant, twoTenants } from './support/tenants.js'

const TIMEOUT_MS = 3_000

let client: TestClient
let sendblue: FakeProvider
let vapi: FakeProvider
let tenant: Tenant
let other: Tenant

const SENDBLUE = { api_key: 'sb-key-id-0001', api_secret: 'sb-secret-abcd', from_number: '+15555550000', signing_secret: 'sb-sign-9999' }
const VAPI = { api_key: 'vapi-private-key-7777', assistant_id: 'asst_1', phone_number_id: 'pn_1' }

beforeAll(async () => {
  ;[sendblue, vapi] = await Promise.all([fakeSendblue(), fakeVapi()])
  client = await testApp({ SENDBLUE_API_URL: sendblue.url, VAPI_API_URL: vapi.url, PROVIDER_TIMEOUT_MS: String(TIMEOUT_MS) })
  ;[tenant, other] = await twoTenants(client)
  for (const t of [tenant, other]) {
    expect((await hubCall(client, t, 'PUT', '/integrations/sendblue', { config: SENDBLUE })).status).toBe(201)
    expect((await hubCall(client, t, 'PUT', '/integrations/vapi', { config: VAPI })).status).toBe(201)
  }
})

afterAll(async () => {
  await Promise.all([sendblue?.close(), vapi?.close()])
})

beforeEach(() => {
  sendblue.reset()
  vapi.reset()
})

const call = (method: string, path: string, body?: unknown, who = tenant) => hubCall(client, who, method, path, body)

async function queue(body: Record<string, unknown>, who = tenant) {
  const response = await call('POST', '/communications', body, who)
  expect(response.status, JSON.stringify(response.body)).toBe(201)
  return response.body.data as { id: string; [key: string]: unknown }
}

describe('POST /communications', () => {
  it('queues a message to an explicit recipient, or to the customer of a project', async () => {
    const direct = await queue({ channel: 'sms', content: 'Hello', to: '+15555550123', extra: 'ignored' })
    expect(direct).toMatchObject({
      channel: 'sms',
      status: 'queued',
      to: '+15555550123',
      content: 'Hello',
      attempts: 0,
      scheduled_for: null,
      customer_id: null,
    })
    expect(Object.keys(direct).sort()).toEqual([
      'attempts',
      'campaign_id',
      'channel',
      'content',
      'created_at',
      'customer_id',
      'event_id',
      'id',
      'last_error',
      'lead_id',
      'project_id',
      'provider',
      'provider_message_id',
      'scheduled_for',
      'sent_at',
      'status',
      'subject',
      'template_id',
      'to',
      'updated_at',
    ])
    const { project, customer } = await createProject(client, tenant)
    const email = await queue({ channel: 'email', content: 'Body', subject: 'Hi', project_id: project.id })
    expect(email).toMatchObject({ to: 'jane@example.com', customer_id: customer.id, project_id: project.id, subject: 'Hi' })
    const later = new Date(Date.now() + 3_600_000).toISOString()
    const scheduled = await queue({ channel: 'call', content: 'Reminder call', customer_id: customer.id, scheduled_for: later })
    expect(scheduled).toMatchObject({ status: 'scheduled', scheduled_for: later, to: '+15555550100' })
  })

  it.each([
    [{ channel: 'fax', content: 'x', to: '+15555550123' }, 400, 'Invalid channel "fax": expected one of sms, imessage, email, call'],
    [{ content: 'x' }, 400, 'channel is required'],
    [{ channel: 'sms', to: '+15555550123' }, 400, 'content is required'],
    [{ channel: 'sms', content: '  ', to: '+15555550123' }, 400, 'content must not be empty'],
    [{ channel: 'sms', content: 'x', to: '5550123' }, 400, 'to must be an E.164 phone number such as +15555550100'],
    [{ channel: 'email', content: 'x', to: 'nobody' }, 400, 'to must be an email address'],
    [{ channel: 'sms', content: 'x' }, 400, 'No recipient: give to, or a customer_id or project_id whose customer has a phone number'],
    [
      { channel: 'sms', content: 'x', to: '+15555550123', scheduled_for: '2020-01-01T00:00:00Z' },
      400,
      'scheduled_for must be in the future',
    ],
    [
      { channel: 'sms', content: 'x', to: '+15555550123', scheduled_for: 'soon' },
      400,
      'scheduled_for must be an ISO 8601 timestamp such as 2026-11-23T14:05:00Z',
    ],
    [{ channel: 'sms', content: 7, to: '+15555550123' }, 400, 'content must be a string'],
    [{ channel: 'sms', content: 'x', customer_id: 'missing' }, 404, 'Customer not found'],
    [{ channel: 'sms', content: 'x', project_id: 'missing' }, 404, 'Project not found'],
    [{ channel: 'sms', content: 'x', to: '+15555550123', campaign_id: 'missing' }, 404, 'Campaign not found'],
  ])('rejects %j', async (body, status, message) => {
    const before = await db.communication.count({ where: { accountId: tenant.accountId } })
    expect(await call('POST', '/communications', body)).toMatchObject({ status, body: { message } })
    expect(await db.communication.count({ where: { accountId: tenant.accountId } })).toBe(before)
  })

  it("treats another account's customer, project and campaign as missing", async () => {
    const { project, customer } = await createProject(client, other)
    await call('POST', '/events', { project_id: project.id, event_type: 'contract_generated' }, other)
    const campaign = (await call('GET', '/campaigns', undefined, other)).body.data[0]
    expect(await call('POST', '/communications', { channel: 'sms', content: 'x', customer_id: customer.id })).toMatchObject({
      status: 404,
      body: { message: 'Customer not found' },
    })
    expect(await call('POST', '/communications', { channel: 'sms', content: 'x', project_id: project.id })).toMatchObject({
      status: 404,
      body: { message: 'Project not found' },
    })
    expect(
      await call('POST', '/communications', { channel: 'sms', content: 'x', to: '+15555550123', campaign_id: campaign.id }),
    ).toMatchObject({
      status: 404,
      body: { message: 'Campaign not found' },
    })
    expect((await call('GET', '/campaigns', undefined, other)).body.data[0].message_count).toBe(3)
  })
})

describe('GET /communications', () => {
  it('filters by status, channel, project_id and customer_id; 404 for another account', async () => {
    const t = await createTenant(client)
    const { project, customer } = await createProject(client, t)
    const a = await queue({ channel: 'sms', content: 'a', project_id: project.id }, t)
    const b = await queue(
      { channel: 'email', content: 'b', to: 'x@example.com', scheduled_for: new Date(Date.now() + 60_000).toISOString() },
      t,
    )
    const ids = async (query: string) =>
      (await call('GET', `/communications?${query}`, undefined, t)).body.data.map((c: { id: string }) => c.id)
    expect(await ids('')).toEqual([b.id, a.id])
    expect(await ids('status=scheduled')).toEqual([b.id])
    expect(await ids('channel=sms')).toEqual([a.id])
    expect(await ids(`project_id=${project.id}`)).toEqual([a.id])
    expect(await ids(`customer_id=${customer.id}`)).toEqual([a.id])
    expect((await call('GET', '/communications?status=lost', undefined, t)).body).toEqual({
      error: 'Bad Request',
      message: 'Invalid status "lost": expected one of scheduled, queued, sending, sent, delivered, failed, cancelled',
    })
    expect(await call('GET', `/communications/${a.id}`)).toMatchObject({
      status: 404,
      body: { error: 'Not Found', message: 'Communication not found' },
    })
  })

  it('runs the same number of SQL statements for 200 communications as for 1', async () => {
    const small = await createTenant(client)
    const large = await createTenant(client)
    await db.communication.create({ data: { accountId: small.accountId, channel: 'sms', to: '+15555550100', content: 'x' } })
    await db.communication.createMany({
      data: Array.from({ length: 200 }, (_, i) => ({
        accountId: large.accountId,
        channel: 'sms' as const,
        to: '+15555550100',
        content: `m${i}`,
      })),
    })
    const list = (t: Tenant) => client.call('GET', '/hub/v1/communications?limit=200', { key: t.key })
    await list(small) // the key's lastUsedAt is written once per minute: warm both keys first
    await list(large)
    const { countStatements } = await import('./support/app.js')
    const one = await countStatements(() => list(small))
    const many = await countStatements(async () => expect((await (await list(large)).json()).data).toHaveLength(200))
    expect(many).toBe(one)
    expect(many).toBeLessThanOrEqual(4)
  })
})

describe('dispatch', () => {
  it('sends sms through Sendblue with the documented request, and stores the handle', async () => {
    const message = await queue({ channel: 'sms', content: 'Your roof is ready', to: '+15555550123' })
    const response = await call('POST', `/communications/${message.id}/dispatch`)
    expect(response.status).toBe(200)
    expect(response.body.data).toMatchObject({
      status: 'sent',
      provider: 'sendblue',
      provider_message_id: 'sb-handle-1',
      attempts: 1,
      last_error: null,
    })
    expect(response.body.data.sent_at).toBeTruthy()
    expect(sendblue.requests).toHaveLength(1)
    const [request] = sendblue.requests
    expect(request).toMatchObject({ method: 'POST', path: '/api/send-message' })
    expect(request.headers['sb-api-key-id']).toBe(SENDBLUE.api_key)
    expect(request.headers['sb-api-secret-key']).toBe(SENDBLUE.api_secret)
    expect(request.body).toEqual({
      number: '+15555550123',
      from_number: SENDBLUE.from_number,
      content: 'Your roof is ready',
      status_callback: `http://crm.test/callbacks/sendblue/${tenant.accountId}`,
    })
    expect(await call('POST', `/communications/${message.id}/dispatch`)).toMatchObject({
      status: 409,
      body: { error: 'Conflict', message: 'Communication was already sent' },
    })
    expect(sendblue.requests).toHaveLength(1)
  })

  it("a sent text message joins the recipient's conversation, visible through /v1", async () => {
    const t = await createTenant(client)
    await hubCall(client, t, 'PUT', '/integrations/sendblue', { config: SENDBLUE })
    for (const content of ['First', 'Second']) {
      const message = (await hubCall(client, t, 'POST', '/communications', { channel: 'sms', content, to: '+15555550150' })).body.data
      expect((await hubCall(client, t, 'POST', `/communications/${message.id}/dispatch`)).status).toBe(200)
    }
    const conversations = await (await client.call('GET', '/v1/conversations', { key: t.key })).json()
    expect(conversations.data).toHaveLength(1)
    expect(conversations.data[0]).toMatchObject({ channel: 'sms', participant: '+15555550150', message_count: 2 })
    const messages = await (await client.call('GET', `/v1/conversations/${conversations.data[0].id}/messages`, { key: t.key })).json()
    expect(messages.data.map((m: { content: string }) => m.content)).toEqual(['First', 'Second'])
    expect(messages.data[0]).toMatchObject({
      direction: 'outbound',
      sender: 'agent',
      status: 'sent',
      provider: 'sendblue',
      provider_message_id: expect.stringMatching(/^sb-handle-/),
    })
  })

  it('sends imessage through Sendblue and call through Vapi', async () => {
    const imessage = await queue({ channel: 'imessage', content: 'Hi', to: '+15555550124' })
    expect((await call('POST', `/communications/${imessage.id}/dispatch`)).body.data).toMatchObject({
      status: 'sent',
      provider: 'sendblue',
    })
    const { customer } = await createProject(client, tenant)
    const callMessage = await queue({ channel: 'call', content: 'Confirm the build day', customer_id: customer.id })
    const response = await call('POST', `/communications/${callMessage.id}/dispatch`)
    expect(response.body.data).toMatchObject({ status: 'sent', provider: 'vapi', provider_message_id: 'vapi-call-1' })
    const [request] = vapi.requests
    expect(request.path).toBe('/call')
    expect(request.headers.authorization).toBe(`Bearer ${VAPI.api_key}`)
    expect(request.body).toMatchObject({
      assistantId: 'asst_1',
      phoneNumberId: 'pn_1',
      customer: { number: '+15555550100', name: 'Jane Roofer' },
      assistantOverrides: {
        variableValues: { message: 'Confirm the build day' },
        server: { url: `http://crm.test/callbacks/vapi/${tenant.accountId}` },
      },
      metadata: { communication_id: callMessage.id, account_id: tenant.accountId },
    })
  })

  it.each([
    ['error', 'Sendblue answered HTTP 500: Internal failure'],
    ['garbage', 'Sendblue answered with a body that is not JSON'],
    ['hang', `Sendblue did not answer within ${TIMEOUT_MS} ms`],
  ] as const)('a provider that answers %s gives 502 and a failed message, dispatchable again', async (behaviour, reason) => {
    const message = await queue({ channel: 'sms', content: 'x', to: '+15555550125' })
    sendblue.behaviour = behaviour
    const started = Date.now()
    const failed = await call('POST', `/communications/${message.id}/dispatch`)
    expect(Date.now() - started).toBeLessThan(5_000)
    expect(failed).toMatchObject({ status: 502, body: { error: 'Bad Gateway', message: reason } })
    const stored = (await call('GET', `/communications/${message.id}`)).body.data
    expect(stored).toMatchObject({ status: 'failed', last_error: reason, attempts: 1, provider_message_id: null })
    sendblue.behaviour = 'ok'
    const retried = await call('POST', `/communications/${message.id}/dispatch`)
    expect(retried.body.data).toMatchObject({ status: 'sent', attempts: 2, last_error: null })
  })

  it('a Sendblue answer with status FAILED is a failure too', async () => {
    const refusing = (await import('./support/fake-providers.js')).startFakeProvider({
      'POST /api/send-message': () => ({
        status: 200,
        body: { message_handle: 'h1', status: 'FAILED', error_code: 10001, error_message: 'Number is not valid' },
      }),
    })
    const fake = await refusing
    const local = await testApp({ SENDBLUE_API_URL: fake.url })
    const response = await local.call(
      'POST',
      `/hub/v1/communications/${(await queue({ channel: 'sms', content: 'x', to: '+15555550126' })).id}/dispatch`,
      { key: tenant.key },
    )
    expect(response.status).toBe(502)
    expect(await response.json()).toEqual({ error: 'Bad Gateway', message: 'Sendblue refused the message: Number is not valid' })
    await fake.close()
  })

  it('two concurrent dispatches of one message send it once', async () => {
    const message = await queue({ channel: 'sms', content: 'once', to: '+15555550127' })
    sendblue.delayMs = 100
    const results = await Promise.all([1, 2, 3].map(() => call('POST', `/communications/${message.id}/dispatch`)))
    expect(results.map((r) => r.status).sort(), JSON.stringify(results.map((r) => r.body))).toEqual([200, 409, 409])
    expect(sendblue.requests).toHaveLength(1)
    expect((await call('GET', `/communications/${message.id}`)).body.data).toMatchObject({ status: 'sent', attempts: 1 })
  })

  it('a test key, or an account in test mode, never reaches a provider', async () => {
    const { secret } = await tenant.createKey({ mode: 'test' })
    const message = await queue({ channel: 'sms', content: 'test', to: '+15555550128' })
    const response = await client.call('POST', `/hub/v1/communications/${message.id}/dispatch`, { key: secret })
    const body = await response.json()
    expect(body.data).toMatchObject({ status: 'sent', provider: 'test' })
    expect(body.data.provider_message_id).toMatch(/^test_[0-9a-f-]{36}$/)

    // What a test key created stays a test, whoever dispatches it.
    const created = await client.call('POST', '/hub/v1/communications', {
      key: secret,
      body: { channel: 'sms', content: 'test', to: '+15555550128' },
    })
    const fromTestKey = (await created.json()).data
    expect((await call('POST', `/communications/${fromTestKey.id}/dispatch`)).body.data).toMatchObject({ status: 'sent', provider: 'test' })
    const viaGraphql = await client.gql(
      `mutation { queueCommunication(input: { channel: call, to: "+15555550128", content: "test" }) { id } }`,
      {},
      { key: secret },
    )
    const dispatched = await client.gql(
      `mutation($id: ID!) { dispatchCommunication(id: $id) { status provider } }`,
      { id: viaGraphql.data.queueCommunication.id },
      { key: tenant.key },
    )
    expect(dispatched.data).toEqual({ dispatchCommunication: { status: 'sent', provider: 'test' } })

    const t = await createTenant(client)
    await db.account.update({ where: { id: t.accountId }, data: { testMode: true } })
    const email = (await hubCall(client, t, 'POST', '/communications', { channel: 'email', content: 'x', to: 'a@example.com' })).body.data
    expect((await hubCall(client, t, 'POST', `/communications/${email.id}/dispatch`)).body.data).toMatchObject({
      status: 'sent',
      provider: 'test',
    })
    expect(sendblue.requests).toHaveLength(0)
    expect(vapi.requests).toHaveLength(0)
  })

  it('answers 400 when the provider is not connected, leaving the message as it was', async () => {
    const t = await createTenant(client)
    const sms = (await hubCall(client, t, 'POST', '/communications', { channel: 'sms', content: 'x', to: '+15555550129' })).body.data
    expect(await hubCall(client, t, 'POST', `/communications/${sms.id}/dispatch`)).toMatchObject({
      status: 400,
      body: { error: 'Bad Request', message: 'No Sendblue integration is connected: store one with PUT /hub/v1/integrations/sendblue' },
    })
    const call_ = (await hubCall(client, t, 'POST', '/communications', { channel: 'call', content: 'x', to: '+15555550129' })).body.data
    expect((await hubCall(client, t, 'POST', `/communications/${call_.id}/dispatch`)).body.message).toBe(
      'No Vapi integration is connected: store one with PUT /hub/v1/integrations/vapi',
    )
    const email = (await hubCall(client, t, 'POST', '/communications', { channel: 'email', content: 'x', to: 'a@example.com' })).body.data
    expect(await hubCall(client, t, 'POST', `/communications/${email.id}/dispatch`)).toMatchObject({
      status: 400,
      body: { message: 'No email provider is connected' },
    })
    await hubCall(client, t, 'PUT', '/integrations/sendblue', { config: { api_key: 'only-a-key' } })
    expect((await hubCall(client, t, 'POST', `/communications/${sms.id}/dispatch`)).body.message).toBe(
      'The Sendblue integration has no api_secret: store it with PUT /hub/v1/integrations/sendblue',
    )
    expect((await hubCall(client, t, 'GET', `/communications/${sms.id}`)).body.data).toMatchObject({
      status: 'queued',
      attempts: 0,
      last_error: null,
    })
    expect(sendblue.requests).toHaveLength(0)
  })

  it("another account's message is 404 and is not sent", async () => {
    const theirs = await queue({ channel: 'sms', content: 'x', to: '+15555550130' }, other)
    expect(await call('POST', `/communications/${theirs.id}/dispatch`)).toMatchObject({
      status: 404,
      body: { message: 'Communication not found' },
    })
    expect(await call('POST', `/communications/${theirs.id}/mark-sent`)).toMatchObject({
      status: 404,
      body: { message: 'Communication not found' },
    })
    expect((await call('GET', `/communications/${theirs.id}`, undefined, other)).body.data.status).toBe('queued')
    expect(sendblue.requests).toHaveLength(0)
  })
})

describe('mark-sent', () => {
  it('marks a message sent outside the server; repeating it changes nothing', async () => {
    const message = await queue({ channel: 'sms', content: 'x', to: '+15555550131' })
    const marked = await call('POST', `/communications/${message.id}/mark-sent`)
    expect(marked).toMatchObject({ status: 200, body: { data: { status: 'sent', provider: 'manual' } } })
    const again = await call('POST', `/communications/${message.id}/mark-sent`)
    expect(again.body.data.sent_at).toBe(marked.body.data.sent_at)
  })
})

describe('providers and integrations', () => {
  it('lists the providers with configured flags', async () => {
    const t = await createTenant(client)
    await hubCall(client, t, 'POST', '/integrations/vapi', { config: VAPI })
    const response = await hubCall(client, t, 'GET', '/providers')
    expect(response.body.data).toEqual([
      { name: 'sendblue', channels: ['sms', 'imessage'], configured: false },
      { name: 'vapi', channels: ['call'], configured: true },
      { name: 'twilio', channels: ['sms'], configured: false },
      { name: 'email', channels: ['email'], configured: false },
    ])
  })

  it('stores secrets encrypted and only ever answers them masked', async () => {
    const t = await createTenant(client)
    const saved = await hubCall(client, t, 'PUT', '/integrations/sendblue', { config: { ...SENDBLUE, unknown: 'dropped' } })
    expect(saved.status).toBe(201)
    const masked = { api_key: '••••••••0001', api_secret: '••••••••abcd', signing_secret: '••••••••9999', from_number: '+15555550000' }
    expect(saved.body.data).toMatchObject({ provider: 'sendblue', config: masked })
    const replaced = await hubCall(client, t, 'POST', '/integrations/sendblue', { config: { ...SENDBLUE, api_key: 'new-key-5678' } })
    expect(replaced.status).toBe(200)
    const list = await hubCall(client, t, 'GET', '/integrations')
    expect(list.body.data).toHaveLength(1)
    expect(list.body.data[0].config).toEqual({ ...masked, api_key: '••••••••5678' })
    expect(Object.keys(list.body.data[0]).sort()).toEqual(['config', 'created_at', 'id', 'provider', 'updated_at'])
    const stored = await db.integration.findFirstOrThrow({ where: { accountId: t.accountId } })
    expect(JSON.stringify(stored)).not.toContain('sb-secret-abcd')
    expect(JSON.stringify(stored)).not.toContain('new-key-5678')
    const gql = await client.gql('{ integrations { provider config } }', {}, { key: t.key })
    expect(JSON.stringify(gql.data)).not.toContain('sb-secret-abcd')
  })

  it.each([
    ['sendblue', { api_secret: 'x' }, 400, 'config.api_key is required'],
    ['sendblue', { api_key: '' }, 400, 'config.api_key must not be empty'],
    ['sendblue', { api_key: 'k', from_number: '555' }, 400, 'config.from_number must be an E.164 phone number such as +15555550100'],
    ['vapi', { api_key: 42 }, 400, 'config.api_key expected string, received number'],
    ['email', { api_key: 'k', port: 'smtp' }, 400, 'config.port expected number, received string'],
    ['fax', { api_key: 'k' }, 404, 'Unknown provider "fax": expected one of sendblue, vapi, twilio, email'],
  ])('PUT /integrations/%s %j → %i', async (provider, config, status, message) => {
    const t = await createTenant(client)
    expect(await hubCall(client, t, 'PUT', `/integrations/${provider}`, { config })).toMatchObject({ status, body: { message } })
    expect((await hubCall(client, t, 'GET', '/integrations')).body.data).toEqual([])
  })

  it('needs a config object', async () => {
    expect(await call('PUT', '/integrations/vapi', {})).toMatchObject({ status: 400, body: { message: 'config is required' } })
    expect(await call('PUT', '/integrations/vapi', { config: 'k' })).toMatchObject({
      status: 400,
      body: { message: 'config must be a JSON object' },
    })
  })
})
