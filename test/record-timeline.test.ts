/**
 * The `timeline` of a project, customer and lead: everything about the record in one list, newest
 * first, in a fixed number of statements however many entries it has, and only what the caller's
 * scopes may read.
 */
import { beforeAll, describe, expect, it } from 'vitest'
import { db } from '../src/db/client.js'
import { countStatements, keyRemembered, type TestClient, testApp } from './support/app.js'
import { createProject, hubCall } from './support/hub.js'
import { createTenant, type Tenant } from './support/tenants.js'

const LEAD_TIMELINE = `query($id: ID!) { lead(id: $id) { timeline { kind title status at scheduledFor } } }`
const PROJECT_TIMELINE = `query($id: ID!) { project(id: $id) { timeline { kind title status channel at } } }`
const CUSTOMER_TIMELINE = `query($id: ID!) { customer(id: $id) { timeline { kind title } } }`

let client: TestClient
let tenant: Tenant

beforeAll(async () => {
  client = await testApp()
  tenant = await createTenant(client)
  await keyRemembered(client, tenant.key)
})

/** A lead with `n` of each kind of history, an hour apart, oldest first. */
async function leadWithHistory(n: number) {
  const accountId = tenant.accountId
  const lead = await db.lead.create({ data: { accountId, name: `Lead ${n}`, phone: '+15555550111' } })
  const conversation = await db.conversation.create({ data: { accountId, channel: 'sms', participant: '+15555550111', leadId: lead.id } })
  const hour = (i: number) => new Date(Date.UTC(2026, 0, 1, i))
  for (let i = 0; i < n; i++) {
    await db.communication.create({
      data: { accountId, leadId: lead.id, channel: 'sms', to: '+15555550111', content: `text ${i}`, createdAt: hour(5 * i) },
    })
    await db.message.create({
      data: {
        accountId,
        conversationId: conversation.id,
        direction: 'inbound',
        channel: 'sms',
        sender: 'customer',
        content: `reply ${i}`,
        status: 'received',
        createdAt: hour(5 * i + 1),
      },
    })
    await db.quote.create({ data: { accountId, leadId: lead.id, quoteNumber: `Q-${lead.id.slice(-6)}-${i}`, createdAt: hour(5 * i + 2) } })
    await db.appointment.create({
      data: {
        accountId,
        leadId: lead.id,
        title: `Visit ${i}`,
        appointmentType: 'onsite',
        startTime: hour(5 * i + 30),
        createdAt: hour(5 * i + 3),
      },
    })
  }
  return lead
}

describe('record timelines', () => {
  it("merges a lead's messages, conversation messages, quotes and appointments, newest first", async () => {
    const lead = await leadWithHistory(2)
    const { data, errors } = await client.gql(LEAD_TIMELINE, { id: lead.id }, { key: tenant.key })
    expect(errors).toBeUndefined()
    const kinds = data.lead.timeline.map((e: { kind: string }) => e.kind)
    expect(kinds).toEqual(['appointment', 'quote', 'message', 'communication', 'appointment', 'quote', 'message', 'communication'])
    const times = data.lead.timeline.map((e: { at: string }) => e.at)
    expect([...times].sort().reverse()).toEqual(times)
    expect(data.lead.timeline[0]).toMatchObject({ title: 'Visit: Visit 1', status: 'scheduled' })
    expect(data.lead.timeline[0].scheduledFor).toBe(new Date(Date.UTC(2026, 0, 2, 11)).toISOString())
  })

  it('reads a lead timeline in the same number of statements for 1 or 6 of each kind', async () => {
    const small = await leadWithHistory(1)
    const large = await leadWithHistory(6)
    const one = await countStatements(() => client.gql(LEAD_TIMELINE, { id: small.id }, { key: tenant.key }))
    const many = await countStatements(async () => {
      const { data } = await client.gql(LEAD_TIMELINE, { id: large.id }, { key: tenant.key })
      expect(data.lead.timeline).toHaveLength(24)
    })
    expect(many).toBe(one)
  })

  it("shows a project's events and the messages its event scheduled, and counts statements the same", async () => {
    const { project, customer } = await createProject(client, tenant, { name: 'Timeline roof' })
    const quiet = await countStatements(() => client.gql(PROJECT_TIMELINE, { id: project.id }, { key: tenant.key }))
    const event = await hubCall(client, tenant, 'POST', '/events', { project_id: project.id, event_type: 'contract_generated' })
    expect(event.status, JSON.stringify(event.body)).toBe(201)

    let timeline: { kind: string; status: string | null; channel: string | null }[] = []
    const busy = await countStatements(async () => {
      timeline = (await client.gql(PROJECT_TIMELINE, { id: project.id }, { key: tenant.key })).data.project.timeline
    })
    expect(busy).toBe(quiet)
    expect(timeline.some((e) => e.kind === 'event')).toBe(true)
    expect(timeline.filter((e) => e.kind === 'communication' && e.status === 'scheduled').length).toBeGreaterThan(0)

    const ofCustomer = await client.gql(CUSTOMER_TIMELINE, { id: customer.id }, { key: tenant.key })
    expect(ofCustomer.data.customer.timeline.map((e: { kind: string }) => e.kind)).toEqual(
      expect.arrayContaining(['event', 'communication']),
    )
  })

  it("leaves a deleted project's events out of its customer's timeline until it is restored", async () => {
    const { project, customer } = await createProject(client, tenant, { name: 'Deleted roof' })
    const event = await hubCall(client, tenant, 'POST', '/events', { project_id: project.id, event_type: 'storm_damage' })
    expect(event.status, JSON.stringify(event.body)).toBe(201)
    const eventsOf = async () =>
      (await client.gql(CUSTOMER_TIMELINE, { id: customer.id }, { key: tenant.key })).data.customer.timeline
        .filter((e: { kind: string }) => e.kind === 'event')
        .map((e: { title: string }) => e.title)
    expect(await eventsOf()).toEqual(['storm_damage'])
    const change = (verb: 'delete' | 'restore') =>
      client.gql(`mutation($id: ID!) { ${verb}Project(id: $id) { __typename } }`, { id: project.id }, { key: tenant.key })
    expect((await change('delete')).errors).toBeUndefined()
    expect(await eventsOf()).toEqual([])
    expect((await change('restore')).errors).toBeUndefined()
    expect(await eventsOf()).toEqual(['storm_damage'])
  })

  it("leaves out kinds the caller's key has no scope for", async () => {
    const lead = await leadWithHistory(1)
    const { secret } = await tenant.createKey({ scopes: ['leads:read'] })
    await keyRemembered(client, secret)
    const { data, errors } = await client.gql(LEAD_TIMELINE, { id: lead.id }, { key: secret })
    expect(errors).toBeUndefined()
    expect(data.lead.timeline).toEqual([])
  })

  it("refuses a page size out of range, and another tenant's record is not found", async () => {
    const lead = await leadWithHistory(1)
    const tooMany = await client.gql(
      `query($id: ID!) { lead(id: $id) { timeline(first: 500) { kind } } }`,
      { id: lead.id },
      { key: tenant.key },
    )
    expect(tooMany.errors?.[0].extensions.code).toBe('BAD_REQUEST')
    const other = await createTenant(client)
    const theirs = await client.gql(LEAD_TIMELINE, { id: lead.id }, { key: other.key })
    expect(theirs.data.lead).toBeNull()
  })
})
