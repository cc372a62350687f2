import { beforeAll, describe, expect, it } from 'vitest'
import { db } from '../src/db/client.js'
import { type TestClient, testApp } from './support/app.js'
import { seedConversation } from './support/fixtures.js'
import { createTenant } from './support/tenants.js'

let client: TestClient
beforeAll(async () => {
  client = await testApp()
})

const OVERVIEW = `{
  messageCounts(days: 30) { channel status count }
  webhookDeliveryCounts(days: 30) { day status count }
  scheduledMessages(first: 2) { total upcoming { to content scheduledFor } }
}`

describe('overview stats', () => {
  it("count only the caller's account, grouped, within the window, days in its time zone", async () => {
    const tenant = await createTenant(client)
    const other = await createTenant(client)
    const now = Date.now()
    await db.account.update({ where: { id: tenant.accountId }, data: { timeZone: 'America/Chicago' } })
    await seedConversation(tenant.accountId, {
      channel: 'sms',
      messages: [{ content: 'hi' }, { sender: 'agent', content: 'hello' }, { sender: 'agent', content: 'again' }],
    })
    await seedConversation(tenant.accountId, {
      channel: 'email',
      messages: [{ sender: 'agent', content: 'old', at: new Date(now - 40 * 86_400_000) }],
    })
    await seedConversation(other.accountId, { channel: 'sms', messages: [{ content: 'not mine' }] })

    const endpoint = await db.webhookEndpoint.create({
      data: { accountId: tenant.accountId, url: 'https://example.com/h', events: ['lead.created'], secretEncrypted: 'x' },
    })
    // 03:00 UTC on Nov 2 is still Nov 1 in Chicago.
    const lateEvening = new Date(now - 2 * 86_400_000)
    lateEvening.setUTCHours(3, 0, 0, 0)
    const delivery = (status: 'succeeded' | 'failed' | 'pending', createdAt: Date) =>
      db.webhookDelivery.create({
        data: { accountId: tenant.accountId, endpointId: endpoint.id, event: 'lead.created', body: '{}', status, createdAt },
      })
    await Promise.all([
      delivery('succeeded', lateEvening),
      delivery('succeeded', lateEvening),
      delivery('failed', lateEvening),
      delivery('pending', new Date(now - 60 * 86_400_000)),
    ])

    const soon = new Date(now + 3_600_000)
    const later = new Date(now + 7_200_000)
    const comm = (to: string, status: 'scheduled' | 'sent', scheduledFor: Date) =>
      db.communication.create({ data: { accountId: tenant.accountId, channel: 'sms', to, content: `to ${to}`, status, scheduledFor } })
    await Promise.all([
      comm('+15555550003', 'scheduled', later),
      comm('+15555550001', 'scheduled', soon),
      comm('+15555550002', 'scheduled', later),
      comm('+15555550009', 'sent', soon),
    ])

    const result = await client.gql(OVERVIEW, {}, { cookie: tenant.cookie })
    expect(result.errors, JSON.stringify(result.errors)).toBeUndefined()
    expect(result.data.messageCounts).toEqual([
      { channel: 'sms', status: 'received', count: 1 },
      { channel: 'sms', status: 'sent', count: 2 },
    ])
    const chicagoDay = new Intl.DateTimeFormat('en-CA', { timeZone: 'America/Chicago' }).format(lateEvening)
    expect(result.data.webhookDeliveryCounts).toEqual(
      [
        { day: chicagoDay, status: 'succeeded', count: 2 },
        { day: chicagoDay, status: 'failed', count: 1 },
      ].sort((a, b) => a.status.localeCompare(b.status)),
    )
    expect(result.data.scheduledMessages.total).toBe(3)
    expect(result.data.scheduledMessages.upcoming.map((m: { to: string }) => m.to)).toEqual(['+15555550001', expect.any(String)])
  })

  it('need a portal session and a sensible window', async () => {
    const tenant = await createTenant(client)
    expect((await client.gql(`{ messageCounts { count } }`, {}, { key: tenant.key })).errors?.[0].extensions.code).toBe('FORBIDDEN')
    expect((await client.gql(`{ messageCounts { count } }`)).errors?.[0].extensions.code).toBe('UNAUTHENTICATED')
    expect((await client.gql(`{ messageCounts(days: 0) { count } }`, {}, { cookie: tenant.cookie })).errors?.[0].extensions.code).toBe(
      'BAD_REQUEST',
    )
  })
})
