/**
 * The background worker on a controlled clock: tests call `runOnce({ now, accountIds })` and
 * look at what reached the fake Sendblue. Confined to each test's own accounts, because with
 * DATABASE_URL every test file shares one database.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { db } from '../src/db/client.js'
import { runOnce } from '../src/services/worker/worker.js'
import { type TestClient, testApp, testConfig } from './support/app.js'
import { type FakeProvider, fakeSendblue } from './support/fake-providers.js'
import { createProject, hubCall } from './support/hub.js'
import { createTenant, type Tenant } from './support/tenants.js'
import { startReceiver } from './support/webhook-receiver.js'

const SENDBLUE = { api_key: 'sb-key-id-0001', api_secret: 'sb-secret-abcd', from_number: '+15555550000', signing_secret: 'sb-sign-9999' }
const DAY = 24 * 3_600_000
const MINUTE = 60_000
const SETTINGS = `mutation($input: AccountSettingsInput!) { updateAccountSettings(input: $input) { autoDispatch } }`

let client: TestClient
let sendblue: FakeProvider
let overrides: Record<string, string>

beforeAll(async () => {
  sendblue = await fakeSendblue()
  overrides = { SENDBLUE_API_URL: sendblue.url, PROVIDER_TIMEOUT_MS: '500', ALLOW_PRIVATE_WEBHOOK_URLS: '1' }
  client = await testApp(overrides)
})
afterAll(() => sendblue.close())
beforeEach(() => sendblue.reset())

async function autoTenant(settings: Record<string, unknown> = {}) {
  const tenant = await createTenant(client)
  expect((await hubCall(client, tenant, 'PUT', '/integrations/sendblue', { config: SENDBLUE })).status).toBe(201)
  const result = await client.gql(SETTINGS, { input: { autoDispatch: true, ...settings } }, { cookie: tenant.cookie })
  expect(result.errors).toBeUndefined()
  return tenant
}

const pass = (tenant: Tenant, now: Date) => runOnce({ config: testConfig(overrides), now, accountIds: [tenant.accountId] })
const at = (base: Date, ms: number) => new Date(base.getTime() + ms)
const sentTo = (content: string) => sendblue.requests.filter((r) => r.body.content === content).length

async function recordEvent(tenant: Tenant, projectId: string, eventType: string) {
  const response = await hubCall(client, tenant, 'POST', '/events', { project_id: projectId, event_type: eventType })
  expect(response.status, JSON.stringify(response.body)).toBe(201)
  return response.body.data.event as { id: string; occurred_at: string }
}

async function queue(tenant: Tenant, body: Record<string, unknown>) {
  const response = await hubCall(client, tenant, 'POST', '/communications', { channel: 'sms', to: '+15555550123', ...body })
  expect(response.status, JSON.stringify(response.body)).toBe(201)
  return response.body.data as { id: string }
}

const statuses = async (campaignId: string) =>
  (await db.communication.findMany({ where: { campaignId }, orderBy: { scheduledFor: 'asc' } })).map((c) => c.status)

describe('contract reminders with auto_dispatch on', () => {
  it('go out at +1 d, +7 d and +23 d, each once', async () => {
    const tenant = await autoTenant()
    const { project } = await createProject(client, tenant)
    const event = await recordEvent(tenant, project.id, 'contract_generated')
    const start = new Date(event.occurred_at)
    const campaign = (await db.communication.findFirstOrThrow({ where: { eventId: event.id } })).campaignId!
    expect(await statuses(campaign)).toEqual(['scheduled', 'scheduled', 'scheduled'])

    expect((await pass(tenant, at(start, 23 * 3_600_000))).sent).toBe(0)
    expect((await pass(tenant, at(start, DAY + MINUTE))).sent).toBe(1)
    expect(await statuses(campaign)).toEqual(['sent', 'scheduled', 'scheduled'])
    expect((await pass(tenant, at(start, 6 * DAY))).sent).toBe(0)
    expect((await pass(tenant, at(start, 7 * DAY + MINUTE))).sent).toBe(1)
    expect((await pass(tenant, at(start, 7 * DAY + 2 * MINUTE))).sent).toBe(0)
    expect((await pass(tenant, at(start, 23 * DAY + MINUTE))).sent).toBe(1)
    expect(await statuses(campaign)).toEqual(['sent', 'sent', 'sent'])
    expect(sendblue.requests).toHaveLength(3)
    expect(sendblue.requests[0].body).toMatchObject({
      number: '+15555550100',
      status_callback: `http://crm.test/callbacks/sendblue/${tenant.accountId}`,
    })
  })

  it('stop after a contract_signed that comes before the second', async () => {
    const tenant = await autoTenant()
    const { project } = await createProject(client, tenant)
    const event = await recordEvent(tenant, project.id, 'contract_generated')
    const start = new Date(event.occurred_at)
    const campaign = (await db.communication.findFirstOrThrow({ where: { eventId: event.id } })).campaignId!
    await pass(tenant, at(start, DAY + MINUTE))
    await recordEvent(tenant, project.id, 'contract_signed')
    expect(await statuses(campaign)).toEqual(['sent', 'cancelled', 'cancelled'])
    sendblue.reset()
    await pass(tenant, at(start, 8 * DAY))
    await pass(tenant, at(start, 24 * DAY))
    // Only contract_signed's own SMS went out (its email has no provider and stays queued).
    expect(sendblue.requests.map((r) => r.body.content)).toHaveLength(1)
    expect(await statuses(campaign)).toEqual(['sent', 'cancelled', 'cancelled'])
    const email = await db.communication.findFirstOrThrow({ where: { projectId: project.id, channel: 'email' } })
    expect(email).toMatchObject({ status: 'queued', lastError: 'No email provider is connected' })
  })

  it('hold a paused campaign and send when it resumes', async () => {
    const tenant = await autoTenant()
    const { project } = await createProject(client, tenant)
    const event = await recordEvent(tenant, project.id, 'contract_generated')
    const start = new Date(event.occurred_at)
    const campaign = (await db.communication.findFirstOrThrow({ where: { eventId: event.id } })).campaignId!
    expect((await hubCall(client, tenant, 'POST', '/campaigns/adjust', { campaign_id: campaign, action: 'pause' })).status).toBe(200)
    expect((await pass(tenant, at(start, 2 * DAY))).sent).toBe(0)
    expect(await statuses(campaign)).toEqual(['scheduled', 'scheduled', 'scheduled'])
    expect((await hubCall(client, tenant, 'POST', '/campaigns/adjust', { campaign_id: campaign, action: 'resume' })).status).toBe(200)
    expect((await pass(tenant, at(start, 2 * DAY))).sent).toBe(1)
  })

  it('leave everything alone while auto_dispatch is off (scheduled messages still fall due)', async () => {
    const tenant = await autoTenant({ autoDispatch: false })
    const message = await queue(tenant, { content: 'manual only', scheduled_for: new Date(Date.now() + DAY).toISOString() })
    await pass(tenant, new Date(Date.now() + 2 * DAY))
    expect(await db.communication.findUniqueOrThrow({ where: { id: message.id } })).toMatchObject({ status: 'queued', attempts: 0 })
    expect(sendblue.requests).toHaveLength(0)
  })
})

describe('retries', () => {
  it('a provider failing twice then succeeding: three attempts, one send', async () => {
    const tenant = await autoTenant()
    const message = await queue(tenant, { content: 'flaky provider' })
    const t0 = new Date(Date.now() + MINUTE)
    sendblue.behaviour = 'error'
    expect(await pass(tenant, t0)).toMatchObject({ claimed: 1, sent: 0 })
    let row = await db.communication.findUniqueOrThrow({ where: { id: message.id } })
    expect(row).toMatchObject({
      status: 'failed',
      attempts: 1,
      lastError: 'Sendblue answered HTTP 500: Internal failure',
      nextAttemptAt: at(t0, MINUTE),
    })
    expect((await pass(tenant, at(t0, 30_000))).claimed).toBe(0) // backoff not over
    await pass(tenant, at(t0, MINUTE))
    row = await db.communication.findUniqueOrThrow({ where: { id: message.id } })
    expect(row).toMatchObject({ status: 'failed', attempts: 2, nextAttemptAt: at(t0, MINUTE + 4 * MINUTE) })
    sendblue.behaviour = 'ok'
    expect((await pass(tenant, at(t0, 4 * MINUTE))).claimed).toBe(0)
    expect((await pass(tenant, at(t0, 5 * MINUTE))).sent).toBe(1)
    row = await db.communication.findUniqueOrThrow({ where: { id: message.id } })
    expect(row).toMatchObject({ status: 'sent', attempts: 3, lastError: null, nextAttemptAt: null, providerMessageId: 'sb-handle-3' })
    expect(sentTo('flaky provider')).toBe(3)
    await pass(tenant, at(t0, DAY))
    expect(sentTo('flaky provider')).toBe(3)
  })

  it('gives up after 5 attempts and leaves the message failed with last_error', async () => {
    const tenant = await autoTenant()
    const message = await queue(tenant, { content: 'always failing' })
    sendblue.behaviour = 'error'
    let now = new Date(Date.now() + MINUTE)
    for (let i = 0; i < 8; i++) {
      await pass(tenant, now)
      now = at(now, 2 * 3_600_000)
    }
    expect(sentTo('always failing')).toBe(5)
    expect(await db.communication.findUniqueOrThrow({ where: { id: message.id } })).toMatchObject({
      status: 'failed',
      attempts: 5,
      nextAttemptAt: null,
      lastError: 'Sendblue answered HTTP 500: Internal failure',
    })
  })

  it('recovers a message whose sending process died once its lease has expired', async () => {
    const tenant = await autoTenant()
    const message = await queue(tenant, { content: 'orphaned send' })
    // What a process killed mid-send leaves behind: `sending`, one attempt, a lease.
    await db.communication.update({
      where: { id: message.id },
      data: { status: 'sending', attempts: 1, leaseExpiresAt: new Date(Date.now() + 60_000) },
    })
    expect((await pass(tenant, new Date())).sent).toBe(0)
    await db.communication.update({ where: { id: message.id }, data: { leaseExpiresAt: new Date(Date.now() - 1) } })
    expect(await pass(tenant, new Date())).toMatchObject({ recovered: 1, sent: 1 })
    expect(await db.communication.findUniqueOrThrow({ where: { id: message.id } })).toMatchObject({ status: 'sent', attempts: 2 })

    // Claimed but not yet sent by a worker that died: taken over as soon as the lease expires,
    // not after the backoff the claim had already written.
    const claimed = await queue(tenant, { content: 'claimed, never sent' })
    await db.communication.update({
      where: { id: claimed.id },
      data: { leaseExpiresAt: new Date(Date.now() - 1), nextAttemptAt: new Date(Date.now() + 60_000) },
    })
    expect((await pass(tenant, new Date())).sent).toBe(1)
    expect(await db.communication.findUniqueOrThrow({ where: { id: claimed.id } })).toMatchObject({ status: 'sent', attempts: 1 })
  })
})

describe('quiet hours', () => {
  it("hold a message that falls due outside the window until it opens, in the account's time zone", async () => {
    const tenant = await autoTenant({ timeZone: 'America/Chicago', sendingWindowStart: '08:00', sendingWindowEnd: '20:00' })
    const message = await queue(tenant, { content: 'not at night' })
    const night = new Date('2027-01-15T04:00:00Z') // 22:00 on the 14th in Chicago (UTC-6)
    expect(await pass(tenant, night)).toMatchObject({ claimed: 1, deferred: 1, sent: 0 })
    const held = await db.communication.findUniqueOrThrow({ where: { id: message.id } })
    expect(held).toMatchObject({ status: 'queued', attempts: 0, nextAttemptAt: new Date('2027-01-15T14:00:00Z') })
    expect((await pass(tenant, new Date('2027-01-15T13:59:00Z'))).claimed).toBe(0)
    expect(sendblue.requests).toHaveLength(0)
    expect((await pass(tenant, new Date('2027-01-15T14:00:00Z'))).sent).toBe(1)
  })

  it('send at once inside the window, including one that crosses midnight', async () => {
    const tenant = await autoTenant({ timeZone: 'Europe/Berlin', sendingWindowStart: '22:00', sendingWindowEnd: '02:00' })
    await queue(tenant, { content: 'late window' })
    expect((await pass(tenant, new Date('2027-01-15T23:30:00Z'))).sent).toBe(1) // 00:30 in Berlin
  })
})

describe('other duties of a pass', () => {
  it('marks messages of a test-mode account sent without reaching a provider', async () => {
    const tenant = await autoTenant({ testMode: true })
    const message = await queue(tenant, { content: 'test mode' })
    expect((await pass(tenant, new Date(Date.now() + MINUTE))).sent).toBe(1)
    expect(await db.communication.findUniqueOrThrow({ where: { id: message.id } })).toMatchObject({ status: 'sent', provider: 'test' })
    expect(sendblue.requests).toHaveLength(0)
  })

  it('never sends what a test key created, through REST or GraphQL: messages, events and status changes', async () => {
    const tenant = await autoTenant()
    const { secret } = await tenant.createKey({ mode: 'test' })
    const asTest = { ...tenant, key: secret }
    const { project } = await createProject(client, tenant)
    await queue(asTest, { content: 'test key over REST' })
    await recordEvent(asTest, project.id, 'website_visited')
    expect((await hubCall(client, asTest, 'PATCH', `/projects/${project.id}/status`, { project_status: 'contract_signed' })).status).toBe(
      200,
    )
    const graphql = await client.gql(
      `mutation($projectId: ID!) {
        queueCommunication(input: { channel: sms, to: "+15555550124", content: "test key over GraphQL" }) { id }
        recordEvent(input: { projectId: $projectId, eventType: "website_visited" }) { communications { id } }
        updateProjectStatus(id: $projectId, projectStatus: "paid_in_full") { communications { id } }
      }`,
      { projectId: project.id },
      { key: secret },
    )
    expect(graphql.errors).toBeUndefined()
    const live = await queue(tenant, { content: 'live key' })

    const created = await db.communication.count({ where: { accountId: tenant.accountId } })
    expect(await pass(tenant, new Date(Date.now() + MINUTE))).toMatchObject({ claimed: created, sent: created })
    expect(sendblue.requests.map((r) => r.body.content)).toEqual(['live key'])
    const rows = await db.communication.findMany({ where: { accountId: tenant.accountId, id: { not: live.id } } })
    expect(rows.length).toBeGreaterThanOrEqual(7)
    expect(rows.filter((r) => r.status !== 'sent' || r.provider !== 'test')).toEqual([])
  })

  it('delivers pending webhooks', async () => {
    const receiver = await startReceiver()
    try {
      const tenant = await autoTenant()
      const created = await client.gql(
        `mutation($url: String!) { createWebhookEndpoint(input: { url: $url, events: ["lead.created"] }) { endpoint { id } } }`,
        { url: receiver.url },
        { cookie: tenant.cookie },
      )
      expect(created.errors).toBeUndefined()
      await client.call('POST', '/api/v1/leads', { key: tenant.key, body: { name: 'Hooked' } })
      expect((await pass(tenant, new Date())).webhooks).toBe(1)
      expect(receiver.received).toHaveLength(1)
      expect(JSON.parse(receiver.received[0].body)).toMatchObject({ event: 'lead.created', data: { name: 'Hooked' } })
    } finally {
      await receiver.close()
    }
  })
})
