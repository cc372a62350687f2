import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { db } from '../src/db/client.js'
import { optOutHash } from '../src/services/opt-out.js'
import { ADMIN_TOKEN, type TestClient, testApp } from './support/app.js'
import { type FakeProvider, fakeTwilio } from './support/fake-providers.js'
import { createTenant, type Tenant } from './support/tenants.js'

let client: TestClient
let twilio: FakeProvider

beforeAll(async () => {
  twilio = await fakeTwilio('AC0123456789abcdef')
  client = await testApp({ TWILIO_API_URL: twilio.url })
})
afterAll(() => twilio.close())

/** A tenant with a Twilio integration (stored through the Hub API), SMS credits and a lead. */
async function smsTenant(options: { credits?: number; twilio?: boolean; phone?: string | null } = {}) {
  const tenant = await createTenant(client)
  if (options.twilio !== false) {
    const config = { account_sid: 'AC0123456789abcdef', api_key: 'twilio-auth-token', from_number: '+15555550000' }
    const saved = await client.call('PUT', '/hub/v1/integrations/twilio', { key: tenant.key, body: { config } })
    expect(saved.status, await saved.clone().text()).toBe(201)
  }
  if (options.credits) {
    const grant = await client.gql(
      `mutation($id: ID!, $n: Int!) { grantSmsCredits(accountId: $id, amount: $n) { account { smsCredits } } }`,
      { id: tenant.accountId, n: options.credits },
      { key: ADMIN_TOKEN },
    )
    expect(grant.errors).toBeUndefined()
  }
  const created = await client.call('POST', '/api/v1/leads', {
    key: tenant.key,
    body: { name: 'Texted', phone: options.phone === undefined ? '+15555550199' : options.phone },
  })
  const lead = (await created.json()).data
  return { tenant, lead }
}

const sms = (tenant: Tenant, body: unknown, key = tenant.key) => client.call('POST', '/api/v1/sms', { key, body })
const credits = async (tenant: Tenant) => (await db.account.findUniqueOrThrow({ where: { id: tenant.accountId } })).smsCredits

describe('POST /api/v1/sms', () => {
  it("sends through Twilio, spends one credit and stores the message in the lead's SMS conversation", async () => {
    const { tenant, lead } = await smsTenant({ credits: 3 })
    const before = twilio.requests.length
    const response = await sms(tenant, { lead_id: lead.id, message: 'Your quote is ready' })
    expect(response.status).toBe(200)
    const body = await response.json()
    expect(body).toEqual({ success: true, message: 'SMS sent', message_id: expect.any(String) })
    expect(await credits(tenant)).toBe(2)

    const request = twilio.requests[before]
    expect(request.path).toBe('/2010-04-01/Accounts/AC0123456789abcdef/Messages.json')
    expect(request.headers['content-type']).toBe('application/x-www-form-urlencoded')
    expect(request.headers.authorization).toBe(`Basic ${Buffer.from('AC0123456789abcdef:twilio-auth-token').toString('base64')}`)
    expect(request.body).toMatchObject({ To: '+15555550199', From: '+15555550000', Body: 'Your quote is ready' })
    expect(request.body.StatusCallback).toBe(`http://crm.test/callbacks/twilio/${tenant.accountId}/status`)

    await sms(tenant, { lead_id: lead.id, message: 'Second one' })
    const conversations = await (await client.call('GET', '/v1/conversations', { key: tenant.key })).json()
    expect(conversations.data).toHaveLength(1)
    expect(conversations.data[0]).toMatchObject({ channel: 'sms', participant: '+15555550199', lead_id: lead.id, message_count: 2 })
    const id = conversations.data[0].id
    const messages = await (await client.call('GET', `/v1/conversations/${id}/messages`, { key: tenant.key })).json()
    expect(messages.data.map((m: { content: string }) => m.content)).toEqual(['Your quote is ready', 'Second one'])
    expect(messages.data[0]).toMatchObject({
      id: body.message_id,
      direction: 'outbound',
      provider: 'twilio',
      provider_message_id: expect.stringMatching(/^SM/),
      status: 'queued',
    })
    const transcript = await (await client.call('GET', `/v1/conversations/${id}/transcript?format=text`, { key: tenant.key })).text()
    expect(transcript).toMatch(/Agent: Your quote is ready\n.*Agent: Second one$/)
  })

  it.each([
    [{}, "'lead_id' and 'message' are required"],
    [{ lead_id: 'x' }, "'lead_id' and 'message' are required"],
    [{ lead_id: '', message: 'hi' }, "'lead_id' and 'message' are required"],
    [{ lead_id: 'x', message: '' }, "'lead_id' and 'message' are required"],
    [{ lead_id: 5, message: 'hi' }, "'lead_id' must be a string"],
    [{ lead_id: 'x', message: 'x'.repeat(1601) }, 'message must be at most 1600 characters'],
  ])('answers %j with 400', async (body, message) => {
    const { tenant } = await smsTenant({ credits: 1 })
    const response = await sms(tenant, body)
    expect(response.status).toBe(400)
    expect(await response.json()).toEqual({ error: message })
    expect(await credits(tenant)).toBe(1)
  })

  it("answers 404 for an unknown or another account's lead, 400 without phone, opted out or without Twilio, 402 without credits", async () => {
    const { tenant, lead } = await smsTenant({ credits: 0 })
    const { lead: foreignLead } = await smsTenant({ credits: 5 })
    const expectError = async (body: unknown, status: number, error: string, who = tenant) => {
      const response = await sms(who, body)
      expect(response.status).toBe(status)
      expect(await response.json()).toEqual({ error })
    }
    await expectError({ lead_id: foreignLead.id, message: 'hi' }, 404, 'Lead not found or does not belong to your company')
    await expectError({ lead_id: 'nope', message: 'hi' }, 404, 'Lead not found or does not belong to your company')
    await expectError({ lead_id: lead.id, message: 'hi' }, 402, 'Insufficient SMS credits')

    const { tenant: noPhone, lead: phoneless } = await smsTenant({ credits: 1, phone: null })
    await expectError({ lead_id: phoneless.id, message: 'hi' }, 400, 'Lead has no phone number', noPhone)

    const { tenant: unconfigured, lead: l2 } = await smsTenant({ credits: 1, twilio: false })
    await expectError({ lead_id: l2.id, message: 'hi' }, 400, 'Twilio is not configured', unconfigured)
    expect(await credits(unconfigured)).toBe(1)

    const { tenant: stopped, lead: l3 } = await smsTenant({ credits: 1 })
    await db.smsOptOut.create({ data: { accountId: stopped.accountId, phoneHash: optOutHash(stopped.accountId, l3.phone) } })
    await expectError({ lead_id: l3.id, message: 'hi' }, 400, 'Lead has opted out of SMS', stopped)
    expect(await credits(stopped)).toBe(1)
    expect(
      await db.message.count({
        where: { accountId: { in: [tenant.accountId, noPhone.accountId, unconfigured.accountId, stopped.accountId] } },
      }),
    ).toBe(0)
  })

  it('spends exactly the credits left under 20 concurrent sends', async () => {
    const { tenant, lead } = await smsTenant({ credits: 5 })
    const before = twilio.requests.length
    const responses = await Promise.all(Array.from({ length: 20 }, (_, i) => sms(tenant, { lead_id: lead.id, message: `race ${i}` })))
    const statuses = responses.map((r) => r.status).sort()
    expect(statuses.filter((s) => s === 200)).toHaveLength(5)
    expect(statuses.filter((s) => s === 402)).toHaveLength(15)
    expect(await credits(tenant)).toBe(0)
    expect(twilio.requests.length - before).toBe(5)
    const conversations = await db.conversation.findMany({ where: { accountId: tenant.accountId } })
    expect(conversations).toHaveLength(1)
    expect(conversations[0].messageCount).toBe(5)
  }, 90_000)

  it('refunds the credit and answers 502 when Twilio fails, storing nothing', async () => {
    const { tenant, lead } = await smsTenant({ credits: 2 })
    for (const behaviour of ['error', 'garbage'] as const) {
      twilio.behaviour = behaviour
      try {
        const response = await sms(tenant, { lead_id: lead.id, message: 'will fail' })
        expect(response.status).toBe(502)
        expect(await response.json()).toEqual({ error: 'Failed to send SMS' })
      } finally {
        twilio.behaviour = 'ok'
      }
    }
    expect(await credits(tenant)).toBe(2)
    expect(await db.message.count({ where: { accountId: tenant.accountId } })).toBe(0)
  })

  it('gives up on a Twilio that does not answer after 10 seconds: 502, credit refunded', async () => {
    const { tenant, lead } = await smsTenant({ credits: 1 })
    twilio.behaviour = 'hang'
    try {
      const started = Date.now()
      const response = await sms(tenant, { lead_id: lead.id, message: 'slow' })
      expect(response.status).toBe(502)
      expect(Date.now() - started).toBeGreaterThanOrEqual(9_900)
    } finally {
      twilio.behaviour = 'ok'
    }
    expect(await credits(tenant)).toBe(1)
  }, 40_000)

  it('answers 502 when Twilio cannot be reached', async () => {
    const unreachable = await testApp({ TWILIO_API_URL: 'http://127.0.0.1:9' })
    const { tenant, lead } = await smsTenant({ credits: 1 })
    const response = await unreachable.call('POST', '/api/v1/sms', { key: tenant.key, body: { lead_id: lead.id, message: 'hi' } })
    expect(response.status).toBe(502)
    expect(await credits(tenant)).toBe(1)
  })

  it('never calls Twilio or spends credits with a test key, but stores the message', async () => {
    const { tenant, lead } = await smsTenant({ credits: 0, twilio: false })
    const { secret } = await tenant.createKey({ mode: 'test' })
    const before = twilio.requests.length
    const response = await sms(tenant, { lead_id: lead.id, message: 'test mode' }, secret)
    expect(response.status).toBe(200)
    expect(twilio.requests.length).toBe(before)
    expect(await credits(tenant)).toBe(0)
    const message = await db.message.findFirstOrThrow({ where: { accountId: tenant.accountId } })
    expect(message).toMatchObject({ provider: 'test', content: 'test mode', status: 'sent' })
  })

  it('is also a GraphQL mutation, with the same errors', async () => {
    const { tenant, lead } = await smsTenant({ credits: 1 })
    const ok = await client.gql(
      `mutation($id: ID!) { sendSms(leadId: $id, message: "hi") { success message messageId } }`,
      { id: lead.id },
      { key: tenant.key },
    )
    expect(ok.data.sendSms).toMatchObject({ success: true, message: 'SMS sent' })
    const broke = await client.gql(
      `mutation($id: ID!) { sendSms(leadId: $id, message: "again") { success } }`,
      { id: lead.id },
      { key: tenant.key },
    )
    expect(broke.errors?.[0]).toMatchObject({ message: 'Insufficient SMS credits', extensions: { code: 'PAYMENT_REQUIRED' } })
  })
})
