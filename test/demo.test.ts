import { pino } from 'pino'
import { beforeAll, describe, expect, it } from 'vitest'
import { db } from '../src/db/client.js'
import { seedDemoData } from '../src/db/demo.js'
import { type TestClient, testApp } from './support/app.js'
import { createTenant, type Tenant } from './support/tenants.js'

let client: TestClient
let tenant: Tenant
beforeAll(async () => {
  client = await testApp()
  tenant = await createTenant(client)
  await seedDemoData(pino({ level: 'silent' }), tenant.accountId)
})

describe('demo data', () => {
  it('gives every /v1 endpoint something to answer', async () => {
    const list = await (await client.call('GET', '/v1/conversations', { key: tenant.key })).json()
    expect(list.pagination.total).toBe(5)
    expect(new Set(list.data.map((c: { channel: string }) => c.channel))).toEqual(new Set(['sms', 'imessage', 'email', 'voice']))
    const voice = list.data.find((c: { channel: string }) => c.channel === 'voice')
    const transcript = await (await client.call('GET', `/v1/conversations/${voice.id}/transcript?format=text`, { key: tenant.key })).text()
    expect(transcript.split('\n')).toHaveLength(5)
    const sms = list.data.find((c: { channel: string; message_count: number }) => c.channel === 'sms' && c.message_count === 5)
    const messages = await (await client.call('GET', `/v1/conversations/${sms.id}/messages`, { key: tenant.key })).json()
    expect(messages.pagination.total).toBe(5)
  })

  it('covers every model: leads in every stage, quotes with line items, appointments, projects with events', async () => {
    const where = { accountId: tenant.accountId }
    const stages = await db.lead.groupBy({ by: ['pipelineStage'], where, _count: true })
    expect(stages).toHaveLength(6)
    expect(await db.quoteLineItem.count({ where })).toBeGreaterThan(0)
    expect(await db.appointment.count({ where })).toBeGreaterThan(0)
    expect(await db.projectEvent.count({ where })).toBe(await db.project.count({ where }))
    expect(await db.communication.count({ where: { ...where, status: 'scheduled' } })).toBeGreaterThan(0)
  })

  it('runs once: a second run adds nothing', async () => {
    const before = await db.customer.count({ where: { accountId: tenant.accountId } })
    await seedDemoData(pino({ level: 'silent' }), tenant.accountId)
    expect(await db.customer.count({ where: { accountId: tenant.accountId } })).toBe(before)
  })
})
