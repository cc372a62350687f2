import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { db } from '../src/db/client.js'
import { optOutHash } from '../src/services/opt-out.js'
import { ADMIN_TOKEN, type TestClient, testApp } from './support/app.js'
import { type CallbackSender, callbackSender, loggedApp } from './support/callbacks.js'
import { type FakeProvider, fakeSendblue, fakeTwilio } from './support/fake-providers.js'
import { createCustomer, hubCall } from './support/hub.js'
import { createTenant, type Tenant } from './support/tenants.js'

const SENDBLUE = {
  api_key: 'sb-key-id-0001',
  api_secret: 'sb-secret-abcd',
  from_number: '+15555550000',
  signing_secret: 'sb-sign-secret-9999',
}
const TWILIO = { account_sid: 'AC0123456789abcdef', api_key: 'twilio-auth-token-1234', from_number: '+15555550000' }
const VAPI = { api_key: 'vapi-private-key-7777', assistant_id: 'asst_1', phone_number_id: 'pn_1', server_secret: 'vapi-server-secret-5555' }

let client: TestClient
let sendblue: FakeProvider
let twilio: FakeProvider
let send: CallbackSender
let lines: string[]
let tenant: Tenant

beforeAll(async () => {
  ;[sendblue, twilio] = await Promise.all([fakeSendblue(), fakeTwilio(TWILIO.account_sid)])
  const overrides = { SENDBLUE_API_URL: sendblue.url, TWILIO_API_URL: twilio.url }
  client = await testApp(overrides)
  const logged = loggedApp(overrides)
  send = callbackSender(logged.app)
  lines = logged.lines
  tenant = await createTenant(client)
  for (const [provider, config] of Object.entries({ sendblue: SENDBLUE, twilio: TWILIO, vapi: VAPI })) {
    expect((await hubCall(client, tenant, 'PUT', `/integrations/${provider}`, { config })).status).toBe(201)
  }
})

afterAll(() => Promise.all([sendblue.close(), twilio.close()]))

/** An SMS queued and dispatched through the Hub API; returns it with Sendblue's handle. */
async function dispatchedSms(who = tenant, to = '+15555550123') {
  const queued = await hubCall(client, who, 'POST', '/communications', { channel: 'sms', content: 'Hello', to })
  const sent = await hubCall(client, who, 'POST', `/communications/${queued.body.data.id}/dispatch`)
  expect(sent.status, JSON.stringify(sent.body)).toBe(200)
  return sent.body.data as { id: string; provider_message_id: string; status: string }
}

const communication = (id: string) => db.communication.findUniqueOrThrow({ where: { id } })

describe('Sendblue status callbacks', () => {
  it('move a communication to delivered, only forward, and repeat harmlessly', async () => {
    const sms = await dispatchedSms()
    expect(sms.status).toBe('sent')
    const report = {
      is_outbound: true,
      message_handle: sms.provider_message_id,
      status: 'DELIVERED',
      number: '+15555550123',
      from_number: SENDBLUE.from_number,
    }
    expect((await send.sendblue(tenant.accountId, report, SENDBLUE.signing_secret)).status).toBe(200)
    const delivered = await communication(sms.id)
    expect(delivered).toMatchObject({ status: 'delivered', deliveredAt: expect.any(Date) })
    // The copy in the recipient's conversation moves with it.
    const copy = await db.message.findFirstOrThrow({
      where: { accountId: tenant.accountId, provider: 'sendblue', providerMessageId: sms.provider_message_id },
    })
    expect(copy.status).toBe('delivered')
    expect((await send.sendblue(tenant.accountId, report, SENDBLUE.signing_secret)).status).toBe(200)
    expect((await send.sendblue(tenant.accountId, { ...report, status: 'SENT' }, SENDBLUE.signing_secret)).status).toBe(200)
    expect(await communication(sms.id)).toEqual(delivered)
  })

  it("record a failure with the provider's reason", async () => {
    const sms = await dispatchedSms()
    const report = { is_outbound: true, message_handle: sms.provider_message_id, status: 'FAILED', error_message: 'Number unreachable' }
    expect((await send.sendblue(tenant.accountId, report, SENDBLUE.signing_secret)).status).toBe(200)
    expect(await communication(sms.id)).toMatchObject({
      status: 'failed',
      lastError: 'Sendblue reported the message failed: Number unreachable',
    })
  })

  it('refuse a wrong or missing signing secret, and an integration without one, changing nothing', async () => {
    const sms = await dispatchedSms()
    const report = { is_outbound: true, message_handle: sms.provider_message_id, status: 'DELIVERED' }
    for (const secret of ['sb-sign-secret-999', null, SENDBLUE.api_secret]) {
      const response = await send.sendblue(tenant.accountId, report, secret)
      expect(response.status).toBe(403)
    }
    expect((await communication(sms.id)).status).toBe('sent')
    const bare = await createTenant(client)
    await hubCall(client, bare, 'PUT', '/integrations/sendblue', { config: { ...SENDBLUE, signing_secret: undefined } })
    const unsigned = await dispatchedSms(bare)
    const refused = await send.sendblue(bare.accountId, { ...report, message_handle: unsigned.provider_message_id }, 'anything')
    expect(refused.status).toBe(403)
    expect(await refused.json()).toEqual({ error: 'Forbidden', message: 'Callback could not be authenticated' })
    expect(lines.some((line) => line.includes(bare.accountId) && line.includes('the integration has no secret to check it with'))).toBe(
      true,
    )
    expect((await communication(unsigned.id)).status).toBe('sent')
    // An account that does not exist (or has no integration) is refused the same way.
    expect((await send.sendblue('00000000-0000-0000-0000-000000000000', report, SENDBLUE.signing_secret)).status).toBe(403)
  })

  it('acknowledge an unknown message handle and log it, without logging secrets', async () => {
    const response = await send.sendblue(
      tenant.accountId,
      { is_outbound: true, message_handle: 'sb-never-sent', status: 'DELIVERED' },
      SENDBLUE.signing_secret,
    )
    expect(response.status).toBe(200)
    expect(lines.some((line) => line.includes('sb-never-sent') && line.includes('unknown message'))).toBe(true)
    expect(lines.join('\n')).not.toContain(SENDBLUE.signing_secret)
    expect(lines.join('\n')).not.toContain(VAPI.server_secret)
  })

  it('answer bad requests with 4xx, never 500', async () => {
    const post = (body: string) =>
      loggedApp().app.fetch(
        new Request(`http://crm.test/callbacks/sendblue/${tenant.accountId}`, {
          method: 'POST',
          body,
          headers: { 'sb-signing-secret': SENDBLUE.signing_secret },
        }),
      )
    expect((await post('{not json')).status).toBe(400)
    expect((await post('[1,2]')).status).toBe(400)
    expect((await post(JSON.stringify({ is_outbound: true }))).status).toBe(400)
    expect((await post(JSON.stringify({ is_outbound: false, content: 'hi' }))).status).toBe(400)
    const get = await client.app.fetch(new Request(`http://crm.test/callbacks/sendblue/${tenant.accountId}`))
    expect(get.status).toBe(405)
    expect((await client.call('POST', '/callbacks/fax/abc')).status).toBe(404)
    expect((await client.call('POST', `/callbacks/twilio/${tenant.accountId}`)).status).toBe(404)
  })
})

describe('inbound messages', () => {
  it('land in a new conversation for a customer, then in the same one, bumping its count', async () => {
    const t = await createTenant(client)
    await hubCall(client, t, 'PUT', '/integrations/sendblue', { config: SENDBLUE })
    const customer = await createCustomer(client, t, { phone: '+15555550777' })
    const inbound = (handle: string, content: string) =>
      send.sendblue(
        t.accountId,
        { is_outbound: false, message_handle: handle, content, number: '+15555550777', from_number: '+15555550777', service: 'iMessage' },
        SENDBLUE.signing_secret,
      )
    expect((await inbound('in-1', 'Is tomorrow still on?')).status).toBe(200)
    expect((await inbound('in-2', 'Thanks')).status).toBe(200)
    expect((await inbound('in-2', 'Thanks')).status).toBe(200) // repeated delivery
    const list = await (await client.call('GET', '/v1/conversations', { key: t.key })).json()
    expect(list.data).toHaveLength(1)
    expect(list.data[0]).toMatchObject({ channel: 'imessage', participant: '+15555550777', customer_id: customer.id, message_count: 2 })
    const messages = await (await client.call('GET', `/v1/conversations/${list.data[0].id}/messages`, { key: t.key })).json()
    expect(messages.data.map((m: any) => [m.direction, m.sender, m.status, m.content])).toEqual([
      ['inbound', 'customer', 'received', 'Is tomorrow still on?'],
      ['inbound', 'customer', 'received', 'Thanks'],
    ])
  })

  it('STOP (any case) opts the number out: later sends to it are cancelled with the reason', async () => {
    const t = await createTenant(client)
    await hubCall(client, t, 'PUT', '/integrations/sendblue', { config: SENDBLUE })
    const waiting = await hubCall(client, t, 'POST', '/communications', {
      channel: 'sms',
      content: 'Reminder',
      to: '+15555550888',
      scheduled_for: new Date(Date.now() + 86_400_000).toISOString(),
    })
    const response = await send.sendblue(
      t.accountId,
      { is_outbound: false, message_handle: 'stop-1', content: '  stop ', from_number: '+15555550888' },
      SENDBLUE.signing_secret,
    )
    expect(response.status).toBe(200)
    expect(await db.smsOptOut.count({ where: { accountId: t.accountId, phoneHash: optOutHash(t.accountId, '+15555550888') } })).toBe(1)
    expect(await communication(waiting.body.data.id)).toMatchObject({
      status: 'cancelled',
      lastError: 'The recipient opted out of SMS (replied STOP)',
    })
    const before = sendblue.requests.length
    const queued = await hubCall(client, t, 'POST', '/communications', { channel: 'sms', content: 'Promo', to: '+15555550888' })
    const dispatched = await hubCall(client, t, 'POST', `/communications/${queued.body.data.id}/dispatch`)
    expect(dispatched).toMatchObject({
      status: 409,
      body: { message: 'Communication is cancelled: The recipient opted out of SMS (replied STOP)' },
    })
    expect(await communication(queued.body.data.id)).toMatchObject({
      status: 'cancelled',
      lastError: 'The recipient opted out of SMS (replied STOP)',
    })
    expect(sendblue.requests.length).toBe(before)
    // START opts back in.
    await send.sendblue(
      t.accountId,
      { is_outbound: false, message_handle: 'start-1', content: 'Start', from_number: '+15555550888' },
      SENDBLUE.signing_secret,
    )
    expect(await db.smsOptOut.count({ where: { accountId: t.accountId } })).toBe(0)
    // Other numbers and other accounts are unaffected.
    expect((await dispatchedSms(t, '+15555550889')).status).toBe('sent')
    expect(
      await db.smsOptOut.count({ where: { accountId: tenant.accountId, phoneHash: optOutHash(tenant.accountId, '+15555550888') } }),
    ).toBe(0)
  })
})

describe('Twilio callbacks', () => {
  async function leadWithSms() {
    const t = await createTenant(client)
    await hubCall(client, t, 'PUT', '/integrations/twilio', { config: TWILIO })
    await client.gql(
      `mutation($id: ID!) { grantSmsCredits(accountId: $id, amount: 5) { account { id } } }`,
      { id: t.accountId },
      { key: ADMIN_TOKEN },
    )
    const lead = (
      await (await client.call('POST', '/api/v1/leads', { key: t.key, body: { name: 'Texted', phone: '+15555550199' } })).json()
    ).data
    const sent = await (
      await client.call('POST', '/api/v1/sms', { key: t.key, body: { lead_id: lead.id, message: 'Your quote is ready' } })
    ).json()
    const message = await db.message.findUniqueOrThrow({ where: { id: sent.message_id } })
    return { t, lead, message }
  }

  it('status callbacks signed with the auth token move the message; bad signatures change nothing', async () => {
    const { t, message } = await leadWithSms()
    const params = {
      MessageSid: message.providerMessageId!,
      MessageStatus: 'delivered',
      AccountSid: TWILIO.account_sid,
      From: TWILIO.from_number,
      To: '+15555550199',
    }
    expect((await send.twilio(t.accountId, 'status', params, 'wrong-token')).status).toBe(403)
    expect((await send.twilio(t.accountId, 'status', params, null)).status).toBe(403)
    // Signed for other parameters than those sent (a tampered status).
    expect((await send.twilio(t.accountId, 'status', { ...params, MessageStatus: 'failed' }, null)).status).toBe(403)
    expect((await db.message.findUniqueOrThrow({ where: { id: message.id } })).status).toBe('queued')
    const ok = await send.twilio(t.accountId, 'status', params, TWILIO.api_key)
    expect(ok.status).toBe(200)
    expect(ok.headers.get('content-type')).toContain('text/xml')
    expect((await db.message.findUniqueOrThrow({ where: { id: message.id } })).status).toBe('delivered')
    expect((await send.twilio(t.accountId, 'status', { ...params, MessageSid: 'SMunknown' }, TWILIO.api_key)).status).toBe(200)
  })

  it("inbound SMS joins the lead's conversation; STOP opts out and the lead API refuses later sends", async () => {
    const { t, lead, message } = await leadWithSms()
    const reply = {
      MessageSid: 'SMreply0001',
      From: '+15555550199',
      To: TWILIO.from_number,
      Body: 'Sounds good',
      AccountSid: TWILIO.account_sid,
    }
    expect((await send.twilio(t.accountId, 'inbound', reply, TWILIO.api_key)).status).toBe(200)
    expect((await send.twilio(t.accountId, 'inbound', reply, TWILIO.api_key)).status).toBe(200)
    const conversation = await db.conversation.findUniqueOrThrow({ where: { id: message.conversationId } })
    expect(conversation).toMatchObject({ leadId: lead.id, messageCount: 2 })
    const stop = { ...reply, MessageSid: 'SMreply0002', Body: 'STOP' }
    expect((await send.twilio(t.accountId, 'inbound', stop, 'not-the-token')).status).toBe(403)
    expect(await db.smsOptOut.count({ where: { accountId: t.accountId } })).toBe(0)
    expect((await send.twilio(t.accountId, 'inbound', stop, TWILIO.api_key)).status).toBe(200)
    const refused = await client.call('POST', '/api/v1/sms', { key: t.key, body: { lead_id: lead.id, message: 'One more thing' } })
    expect(refused.status).toBe(400)
  })
})

describe('Vapi end-of-call reports', () => {
  const report = (callId: string, number = '+15555550123') => ({
    type: 'end-of-call-report',
    endedReason: 'customer-ended-call',
    call: { id: callId, type: 'outboundPhoneCall', customer: { number } },
    startedAt: '2026-11-20T15:00:00.000Z',
    endedAt: '2026-11-20T15:02:30.000Z',
    summary: 'Customer confirmed the build day.',
    recordingUrl: 'https://storage.vapi.ai/recording-1.wav',
    transcript: 'AI: Hi, this is Acme Roofing.\nUser: Hello!',
    messages: [
      { role: 'system', message: 'You are a helpful assistant', time: 1_795_014_000_000, secondsFromStart: 0 },
      { role: 'bot', message: 'Hi, this is Acme Roofing calling about your build day.', time: 1_795_014_001_000, secondsFromStart: 1 },
      { role: 'user', message: 'Yes, Thursday works.', time: 1_795_014_005_000, secondsFromStart: 5 },
      { role: 'tool_calls', toolCalls: [], time: 1_795_014_006_000 },
      { role: 'bot', message: 'Great, see you then.', time: 1_795_014_008_000, secondsFromStart: 8 },
    ],
  })

  it('complete a voice conversation whose transcript is served as JSON and text; repeats change nothing', async () => {
    const customer = await createCustomer(client, tenant, { phone: '+15555550456' })
    expect(
      (await send.vapi(tenant.accountId, { type: 'status-update', status: 'in-progress', call: { id: 'call-1' } }, VAPI.server_secret))
        .status,
    ).toBe(200)
    expect((await send.vapi(tenant.accountId, report('call-1', '+15555550456'), VAPI.server_secret)).status).toBe(200)
    expect((await send.vapi(tenant.accountId, report('call-1', '+15555550456'), VAPI.server_secret)).status).toBe(200)
    const conversations = await db.conversation.findMany({ where: { accountId: tenant.accountId, providerCallId: 'call-1' } })
    expect(conversations).toHaveLength(1)
    const conversation = conversations[0]
    expect(conversation).toMatchObject({
      channel: 'voice',
      status: 'closed',
      customerId: customer.id,
      participant: '+15555550456',
      messageCount: 3,
      summary: 'Customer confirmed the build day.',
      recordingUrl: 'https://storage.vapi.ai/recording-1.wav',
      endedAt: new Date('2026-11-20T15:02:30.000Z'),
    })
    const json = await (await client.call('GET', `/v1/conversations/${conversation.id}/transcript`, { key: tenant.key })).json()
    expect(json.data.entries).toEqual([
      { speaker: 'AI', text: 'Hi, this is Acme Roofing calling about your build day.', at: new Date(1_795_014_001_000).toISOString() },
      { speaker: 'Customer', text: 'Yes, Thursday works.', at: new Date(1_795_014_005_000).toISOString() },
      { speaker: 'AI', text: 'Great, see you then.', at: new Date(1_795_014_008_000).toISOString() },
    ])
    const text = await client.call('GET', `/v1/conversations/${conversation.id}/transcript?format=text`, { key: tenant.key })
    expect(text.headers.get('content-type')).toContain('text/plain')
    expect(await text.text()).toBe(
      `[${new Date(1_795_014_001_000).toISOString()}] AI: Hi, this is Acme Roofing calling about your build day.\n` +
        `[${new Date(1_795_014_005_000).toISOString()}] Customer: Yes, Thursday works.\n` +
        `[${new Date(1_795_014_008_000).toISOString()}] AI: Great, see you then.`,
    )
  })

  it('fall back to the text transcript when no messages are given', async () => {
    const { messages: _ignored, ...bare } = report('call-2')
    expect((await send.vapi(tenant.accountId, bare, VAPI.server_secret)).status).toBe(200)
    const conversation = await db.conversation.findFirstOrThrow({ where: { accountId: tenant.accountId, providerCallId: 'call-2' } })
    const entries = await db.transcriptEntry.findMany({ where: { conversationId: conversation.id }, orderBy: { position: 'asc' } })
    expect(entries.map((e) => [e.speaker, e.text])).toEqual([
      ['AI', 'Hi, this is Acme Roofing.'],
      ['Customer', 'Hello!'],
    ])
  })

  it('refuse a wrong secret and create nothing; reject malformed reports with 400', async () => {
    expect((await send.vapi(tenant.accountId, report('call-3'), 'vapi-server-secret-555')).status).toBe(403)
    expect((await send.vapi(tenant.accountId, report('call-3'), null)).status).toBe(403)
    expect(await db.conversation.count({ where: { providerCallId: 'call-3' } })).toBe(0)
    expect((await send.vapi(tenant.accountId, { type: 'end-of-call-report', call: {} }, VAPI.server_secret)).status).toBe(400)
    expect((await send.vapi(tenant.accountId, null, VAPI.server_secret)).status).toBe(400)
  })
})
