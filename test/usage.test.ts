/**
 * The overview's usage: requests and rate-limit refusals per API key and day (counted in memory,
 * written by a flush), SMS credits spent per day and each webhook endpoint's success rate, days
 * in the account's time zone, nothing of another account.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { closeRedis } from '../src/context/redis.js'
import { countKeyRequest, flushUsage, pruneUsage } from '../src/context/usage.js'
import { db } from '../src/db/client.js'
import { ADMIN_TOKEN, countStatements, type TestClient, testApp } from './support/app.js'
import { type FakeProvider, fakeTwilio } from './support/fake-providers.js'
import { seedConversation } from './support/fixtures.js'
import { createTenant, type Tenant } from './support/tenants.js'

let client: TestClient
let twilio: FakeProvider
beforeAll(async () => {
  twilio = await fakeTwilio('AC0123456789abcdef')
  client = await testApp({ TWILIO_API_URL: twilio.url })
})
afterAll(async () => {
  await twilio.close()
  await closeRedis()
})

const USAGE = `query($days: Int) { usage(days: $days) {
  days
  apiKeyDays { day apiKeyId name prefix requests refused }
  smsCreditDays { day credits }
  webhookEndpoints { endpointId url succeeded failed pending successRate }
} }`

async function usage(tenant: Tenant, days = 30) {
  const result = await client.gql(USAGE, { days }, { cookie: tenant.cookie })
  expect(result.errors, JSON.stringify(result.errors)).toBeUndefined()
  return result.data.usage
}

const CHICAGO = 'America/Chicago'
const dayIn = (timeZone: string, at: Date | number) => new Intl.DateTimeFormat('en-CA', { timeZone }).format(at)
/** 03:00 UTC `daysAgo` days ago: the evening before in Chicago. */
function chicagoEvening(daysAgo: number): Date {
  const at = new Date(Date.now() - daysAgo * 86_400_000)
  at.setUTCHours(3, 0, 0, 0)
  return at
}

describe('requests per API key', () => {
  it('are counted per day in the account’s time zone once flushed, one statement per flush, none per request', async () => {
    const tenant = await createTenant(client)
    const other = await createTenant(client)
    await db.account.update({ where: { id: tenant.accountId }, data: { timeZone: CHICAGO } })
    const second = await tenant.createKey()
    await flushUsage()

    const today = dayIn(CHICAGO, Date.now())
    for (let i = 0; i < 3; i++) expect((await client.call('GET', '/api/v1/leads', { key: tenant.key })).status).toBe(200)
    expect((await client.gql('{ viewer { id } }', {}, { key: second.secret })).errors).toBeUndefined()
    expect((await client.call('GET', '/v1/conversations', { key: other.key })).status).toBe(200)
    // A request answered with an error after authentication is still a request.
    expect((await client.call('GET', '/api/v1/leads/not-a-lead', { key: tenant.key })).status).toBe(404)
    // Two hours of one Chicago evening two days ago, counted as they arrived then.
    const evening = chicagoEvening(2)
    const firstKey = await db.apiKey.findFirstOrThrow({ where: { accountId: tenant.accountId, id: { not: second.id } } })
    countKeyRequest(tenant.accountId, firstKey.id, 'answered', evening.getTime())
    countKeyRequest(tenant.accountId, firstKey.id, 'answered', evening.getTime() + 3_600_000)

    expect(await db.apiKeyUsage.count({ where: { accountId: { in: [tenant.accountId, other.accountId] } } })).toBe(0)
    expect(await countStatements(() => flushUsage())).toBe(1)

    const keyRow = (id: string, day: string, requests: number) => ({
      day,
      apiKeyId: id,
      name: 'test key',
      prefix: expect.stringMatching(/^obq_live_/),
      requests,
      refused: 0,
    })
    const byDay = (rows: { day: string; apiKeyId: string }[]) =>
      [...rows].sort((a, b) => a.day.localeCompare(b.day) || a.apiKeyId.localeCompare(b.apiKeyId))
    expect(byDay((await usage(tenant)).apiKeyDays)).toEqual(
      byDay([keyRow(firstKey.id, dayIn(CHICAGO, evening), 2), keyRow(firstKey.id, today, 4), keyRow(second.id, today, 1)]),
    )

    // Later flushes add to the same rows.
    await client.call('GET', '/api/v1/leads', { key: tenant.key })
    await flushUsage()
    const after = (await usage(tenant)).apiKeyDays.find(
      (r: { day: string; apiKeyId: string }) => r.day === today && r.apiKeyId === firstKey.id,
    )
    expect(after.requests).toBe(5)
    expect((await usage(other)).apiKeyDays).toEqual([expect.objectContaining({ day: dayIn('UTC', Date.now()), requests: 1 })])
  })

  it('count rate-limit refusals (429) apart from answered requests', async () => {
    const limited = await testApp({ RATE_LIMIT_PER_MINUTE: '4' })
    const tenant = await createTenant(limited)
    const statuses: number[] = []
    for (let i = 0; i < 7; i++) statuses.push((await limited.call('GET', '/api/v1/leads', { key: tenant.key })).status)
    const answered = statuses.filter((s) => s === 200).length
    const refused = statuses.filter((s) => s === 429).length
    expect(refused).toBeGreaterThan(0)
    expect(answered + refused).toBe(7)

    await flushUsage()
    const [row] = (await usage(tenant)).apiKeyDays
    expect(row).toMatchObject({ requests: answered, refused })
  })

  it('keep 400 days: older rows are pruned', async () => {
    const tenant = await createTenant(client)
    const [key] = await db.apiKey.findMany({ where: { accountId: tenant.accountId } })
    countKeyRequest(tenant.accountId, key.id, 'answered', Date.now() - 401 * 86_400_000)
    countKeyRequest(tenant.accountId, key.id, 'answered', Date.now() - 399 * 86_400_000)
    await flushUsage()
    expect(await db.apiKeyUsage.count({ where: { accountId: tenant.accountId } })).toBe(2)
    await pruneUsage()
    expect(await db.apiKeyUsage.count({ where: { accountId: tenant.accountId } })).toBe(1)
  })
})

describe('SMS credits spent', () => {
  it('appear per day: one per SMS sent through Twilio, none for failed sends, inbound or test messages', async () => {
    const tenant = await createTenant(client)
    await db.account.update({ where: { id: tenant.accountId }, data: { timeZone: CHICAGO } })
    const twilioConfig = { account_sid: 'AC0123456789abcdef', api_key: 'twilio-auth-token', from_number: '+15555550000' }
    expect((await client.call('PUT', '/hub/v1/integrations/twilio', { key: tenant.key, body: { config: twilioConfig } })).status).toBe(201)
    const grant = await client.gql(
      `mutation($id: ID!) { grantSmsCredits(accountId: $id, amount: 5) { account { smsCredits } } }`,
      { id: tenant.accountId },
      { key: ADMIN_TOKEN },
    )
    expect(grant.errors).toBeUndefined()
    const lead = (
      await (await client.call('POST', '/api/v1/leads', { key: tenant.key, body: { name: 'T', phone: '+15555550199' } })).json()
    ).data
    const send = (message: string) => client.call('POST', '/api/v1/sms', { key: tenant.key, body: { lead_id: lead.id, message } })
    expect((await send('one')).status).toBe(200)
    expect((await send('two')).status).toBe(200)
    twilio.behaviour = 'error'
    try {
      expect((await send('refunded')).status).toBe(502)
    } finally {
      twilio.behaviour = 'ok'
    }
    const { secret: testKey } = await tenant.createKey({ mode: 'test' })
    expect((await client.call('POST', '/api/v1/sms', { key: testKey, body: { lead_id: lead.id, message: 'free' } })).status).toBe(200)
    // An SMS sent two evenings ago, and a reply (inbound, free).
    const evening = chicagoEvening(2)
    const conversation = await seedConversation(tenant.accountId, { channel: 'sms', messages: [{ content: 'reply' }] })
    await db.message.create({
      data: {
        accountId: tenant.accountId,
        conversationId: conversation.id,
        direction: 'outbound',
        channel: 'sms',
        sender: 'agent',
        content: 'earlier',
        status: 'delivered',
        provider: 'twilio',
        createdAt: evening,
      },
    })
    await db.message.updateMany({ where: { conversationId: conversation.id, direction: 'inbound' }, data: { provider: 'twilio' } })
    const other = await createTenant(client)
    await seedConversation(other.accountId, { channel: 'sms', messages: [{ sender: 'agent', content: 'not mine' }] })
    await db.message.updateMany({ where: { accountId: other.accountId }, data: { provider: 'twilio' } })

    expect((await usage(tenant)).smsCreditDays).toEqual([
      { day: dayIn(CHICAGO, evening), credits: 1 },
      { day: dayIn(CHICAGO, Date.now()), credits: 2 },
    ])
    expect((await usage(tenant, 1)).smsCreditDays).toEqual([{ day: dayIn(CHICAGO, Date.now()), credits: 2 }])
  })
})

describe('webhook success rate', () => {
  it('is given per endpoint over the window, settled deliveries only', async () => {
    const tenant = await createTenant(client)
    const other = await createTenant(client)
    const endpoint = (accountId: string, url: string) =>
      db.webhookEndpoint.create({ data: { accountId, url, events: ['lead.created'], secretEncrypted: 'x' } })
    const busy = await endpoint(tenant.accountId, 'https://a.example.com/hook')
    const quiet = await endpoint(tenant.accountId, 'https://b.example.com/hook')
    const theirs = await endpoint(other.accountId, 'https://c.example.com/hook')
    const delivery = (endpointId: string, accountId: string, status: 'succeeded' | 'failed' | 'pending', daysAgo = 0) =>
      db.webhookDelivery.create({
        data: { accountId, endpointId, event: 'lead.created', body: '{}', status, createdAt: new Date(Date.now() - daysAgo * 86_400_000) },
      })
    await Promise.all([
      delivery(busy.id, tenant.accountId, 'succeeded'),
      delivery(busy.id, tenant.accountId, 'succeeded', 3),
      delivery(busy.id, tenant.accountId, 'succeeded', 10),
      delivery(busy.id, tenant.accountId, 'failed', 1),
      delivery(busy.id, tenant.accountId, 'pending'),
      delivery(busy.id, tenant.accountId, 'failed', 45),
      delivery(quiet.id, tenant.accountId, 'failed', 45),
      delivery(theirs.id, other.accountId, 'failed'),
    ])

    expect((await usage(tenant)).webhookEndpoints).toEqual([
      { endpointId: busy.id, url: busy.url, succeeded: 3, failed: 1, pending: 1, successRate: 0.75 },
      { endpointId: quiet.id, url: quiet.url, succeeded: 0, failed: 0, pending: 0, successRate: null },
    ])
    expect((await usage(tenant, 90)).webhookEndpoints[1]).toMatchObject({ failed: 1, successRate: 0 })
  })
})

describe('the usage query', () => {
  it('runs one statement per part, however much there is to count', async () => {
    const empty = await createTenant(client)
    const busy = await createTenant(client)
    for (let i = 0; i < 3; i++) await busy.createKey()
    for (const key of await db.apiKey.findMany({ where: { accountId: busy.accountId } }))
      for (let day = 0; day < 20; day++) countKeyRequest(busy.accountId, key.id, 'answered', Date.now() - day * 86_400_000)
    await flushUsage()
    const hook = await db.webhookEndpoint.create({
      data: { accountId: busy.accountId, url: 'https://a.example.com/h', events: ['lead.created'], secretEncrypted: 'x' },
    })
    await db.webhookDelivery.createMany({
      data: Array.from({ length: 20 }, () => ({ accountId: busy.accountId, endpointId: hook.id, event: 'lead.created', body: '{}' })),
    })

    const statements = async (tenant: Tenant, query: string) => {
      await client.gql('{ __typename }', {}, { cookie: tenant.cookie })
      return countStatements(() => client.gql(query, { days: 30 }, { cookie: tenant.cookie }))
    }
    const bare = await statements(empty, 'query($days: Int) { usage(days: $days) { days } }')
    expect(await statements(empty, USAGE)).toBe(bare + 3)
    expect(await statements(busy, USAGE)).toBe(bare + 3)
    expect((await usage(busy)).apiKeyDays.length).toBe(4 * 20)
  })

  it('needs a portal session and a window of 1 to 90 days', async () => {
    const tenant = await createTenant(client)
    expect((await client.gql(USAGE, {}, { key: tenant.key })).errors?.[0].extensions.code).toBe('FORBIDDEN')
    expect((await client.gql(USAGE)).errors?.[0].extensions.code).toBe('UNAUTHENTICATED')
    for (const days of [0, 91])
      expect((await client.gql(USAGE, { days }, { cookie: tenant.cookie })).errors?.[0].extensions.code).toBe('BAD_REQUEST')
    expect((await client.gql(USAGE, {}, { cookie: tenant.cookie })).data.usage.days).toBe(30)
  })
})
