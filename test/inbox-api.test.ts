/**
 * What the portal's inbox asks of the schema: conversations found by a substring of the number,
 * email or subject; a text conversation's opt-out status, read for a whole page in one query;
 * a reply by `sendSms` from a portal session that honours the account's test mode; and a
 * `messageAdded` subscription authenticated by the session cookie alone.
 */
import { beforeAll, describe, expect, it } from 'vitest'
import { db } from '../src/db/client.js'
import { optOutHash } from '../src/services/opt-out.js'
import { countStatements, keyRemembered, type TestClient, testApp } from './support/app.js'
import { seedConversation } from './support/fixtures.js'
import { subscribe } from './support/sse.js'
import { createTenant, type Tenant } from './support/tenants.js'

let client: TestClient
let tenant: Tenant

beforeAll(async () => {
  client = await testApp()
  tenant = await createTenant(client)
  await seedConversation(tenant.accountId, { channel: 'sms', participant: '+15555550101', messages: [{ content: 'Hi' }] })
  await seedConversation(tenant.accountId, { channel: 'imessage', participant: '+15555550102', messages: [{ content: 'STOP' }] })
  await seedConversation(tenant.accountId, { channel: 'voice', participant: '+15555550102' })
  const email = await seedConversation(tenant.accountId, { channel: 'email', participant: 'Pat@Example.com' })
  await db.conversation.update({ where: { id: email.id }, data: { subject: 'Roof 50% deposit' } })
  await db.smsOptOut.create({ data: { accountId: tenant.accountId, phoneHash: optOutHash(tenant.accountId, '+15555550102') } })
})

const inbox = `query($search: String, $channel: ConversationChannel, $first: Int) {
  conversations(search: $search, channel: $channel, first: $first, sort: updated_at) {
    totalCount
    edges { node { participant channel optedOut } }
  }
}`

const found = async (variables: Record<string, unknown>, auth: { key?: string; cookie?: string } = { key: tenant.key }) => {
  const { data, errors } = await client.gql(inbox, variables, auth)
  expect(errors).toBeUndefined()
  return data.conversations.edges.map((e: any) => e.node)
}

describe('the inbox over GraphQL', () => {
  it('searches by a substring of the number, the email (any case) or the subject, with the channel filter', async () => {
    expect((await found({ search: '0101' })).map((c: any) => c.participant)).toEqual(['+15555550101'])
    expect((await found({ search: 'pat@EXAMPLE' })).map((c: any) => c.channel)).toEqual(['email'])
    expect((await found({ search: '50%' })).map((c: any) => c.channel)).toEqual(['email'])
    expect((await found({ search: '5%' })).map((c: any) => c.channel)).toEqual([])
    expect((await found({ search: '0102', channel: 'voice' })).map((c: any) => c.channel)).toEqual(['voice'])
    expect(await found({ search: '+1555' })).toHaveLength(3)
    const tooLong = await client.gql(inbox, { search: 'x'.repeat(201) }, { key: tenant.key })
    expect(tooLong.errors?.[0].extensions.code).toBe('BAD_REQUEST')
  })

  it('shows which text conversations opted out; email and calls never do', async () => {
    const rows = await found({ first: 10 }, { cookie: tenant.cookie })
    const status = Object.fromEntries(rows.map((c: any) => [`${c.channel} ${c.participant}`, c.optedOut]))
    expect(status).toEqual({
      'sms +15555550101': false,
      'imessage +15555550102': true,
      'voice +15555550102': false,
      'email Pat@Example.com': false,
    })
  })

  it('reads the opt-out status of a whole page in one statement', async () => {
    const other = await createTenant(client)
    for (let i = 0; i < 6; i++) await seedConversation(other.accountId, { channel: 'sms', participant: `+1555555020${i}` })
    await keyRemembered(client, other.key)
    await found({ first: 1 }, { key: other.key })
    const one = await countStatements(() => found({ first: 1 }, { key: other.key }))
    const six = await countStatements(() => found({ first: 6 }, { key: other.key }))
    expect(six).toBe(one)
  })

  it("a portal session's reply in an account in test mode is stored as sent, reaches no provider and spends no credit", async () => {
    const t = await createTenant(client)
    const settings = await client.gql(
      'mutation { updateAccountSettings(input: { testMode: true }) { testMode } }',
      {},
      { cookie: t.cookie },
    )
    expect(settings.errors).toBeUndefined()
    const lead = (await (await client.call('POST', '/api/v1/leads', { key: t.key, body: { name: 'Sam', phone: '+15555550301' } })).json())
      .data
    const sent = await client.gql(
      'mutation($lead: ID!) { sendSms(leadId: $lead, message: "On our way") { messageId } }',
      { lead: lead.id },
      { cookie: t.cookie },
    )
    expect(sent.errors).toBeUndefined()
    const message = await db.message.findUniqueOrThrow({ where: { id: sent.data.sendSms.messageId } })
    expect(message).toMatchObject({ provider: 'test', status: 'sent', content: 'On our way', sender: 'agent' })
    expect((await db.account.findUniqueOrThrow({ where: { id: t.accountId } })).smsCredits).toBe(0)
  })

  it("follows a thread's new messages with only the session cookie", async () => {
    const conversation = await seedConversation(tenant.accountId, { channel: 'sms', participant: '+15555550401' })
    const live = await subscribe(
      (request) => client.app.fetch(request),
      'http://crm.test',
      'subscription($id: ID!) { messageAdded(conversationId: $id) { content sender } }',
      { id: conversation.id },
      { headers: { cookie: tenant.cookie } },
    )
    try {
      expect(live.status).toBe(200)
      await db.message.create({
        data: {
          accountId: tenant.accountId,
          conversationId: conversation.id,
          direction: 'inbound',
          channel: 'sms',
          sender: 'customer',
          content: 'Are you close?',
          status: 'received',
        },
      })
      const event = await live.next(20_000)
      expect(event.event).toBe('next')
      expect(event.data.data.messageAdded).toEqual({ content: 'Are you close?', sender: 'customer' })
    } finally {
      await live.close()
    }
  })
})
