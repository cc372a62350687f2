/**
 * Tenant isolation, checked mechanically: the client extension confines every query of a request to
 * its account (even one that names no account), and every REST route and every GraphQL field that
 * takes an id answers another account's id as if it did not exist, changing nothing.
 */
import { beforeAll, describe, expect, it } from 'vitest'
import { db } from '../src/db/client.js'
import { withAccount } from '../src/db/tenancy.js'
import { surfaces } from '../src/rest/surfaces.js'
import { schema } from '../src/schema/index.js'
import { type TestClient, testApp } from './support/app.js'
import { createCustomer } from './support/hub.js'
import { type Tenant, twoTenants } from './support/tenants.js'

let client: TestClient
let mine: Tenant
let theirs: Tenant
/** One of each of their records, by the name its path parameter or GraphQL type goes by. */
let theirIds: Record<string, string>

beforeAll(async () => {
  client = await testApp()
  ;[mine, theirs] = await twoTenants(client)
  const key = theirs.key
  const customer = await createCustomer(client, theirs, { external_id: 'theirs-1' })
  const project = await (await client.call('POST', '/hub/v1/projects', { key, body: { customer_id: customer.id, name: 'Theirs' } })).json()
  const event = await (
    await client.call('POST', '/hub/v1/events', { key, body: { project_id: project.data.id, event_type: 'contract_signed' } })
  ).json()
  const lead = await (await client.call('POST', '/api/v1/leads', { key, body: { name: 'Their lead', phone: '+15555550177' } })).json()
  const quote = await client.gql(
    `mutation($l: ID!) { createQuote(input: { leadId: $l, lineItems: [{ description: "Roof", quantity: 1, unitPrice: 10 }] }) { id } }`,
    { l: lead.data.id },
    { key },
  )
  const appointment = await client.gql(
    `mutation($l: ID!) { bookAppointment(input: { leadId: $l, type: onsite, startTime: "2026-12-01T15:00:00Z", title: "Visit" }) { id } }`,
    { l: lead.data.id },
    { key },
  )
  await client.call('POST', '/api/v1/sms', {
    key: (await theirs.createKey({ mode: 'test' })).secret,
    body: { lead_id: lead.data.id, message: 'hi' },
  })
  const [conversation, template, campaign] = await Promise.all([
    db.conversation.findFirstOrThrow({ where: { accountId: theirs.accountId } }),
    db.template.findFirstOrThrow({ where: { accountId: theirs.accountId } }),
    db.campaign.findFirstOrThrow({ where: { accountId: theirs.accountId } }),
  ])
  const communication = event.data.communications[0]
  const endpoint = await client.gql(
    `mutation { createWebhookEndpoint(input: { url: "https://93.184.215.14/hook", events: ["lead.created"] }) { endpoint { id } } }`,
    {},
    { key },
  )
  const endpointId = endpoint.data.createWebhookEndpoint.endpoint.id
  const delivery = await client.gql(`mutation($id: ID!) { sendTestWebhook(endpointId: $id) { id } }`, { id: endpointId }, { key })
  theirIds = {
    endpointId,
    deliveryId: delivery.data.sendTestWebhook.id,
    WebhookEndpoint: endpointId,
    customerId: customer.id,
    projectId: project.data.id,
    conversationId: conversation.id,
    Customer: customer.id,
    Project: project.data.id,
    Communication: communication.id,
    Conversation: conversation.id,
    Lead: lead.data.id,
    Quote: quote.data.createQuote.id,
    Appointment: appointment.data.bookAppointment.id,
    Template: template.id,
    Campaign: campaign.id,
  }
})

describe('the tenancy extension', () => {
  it("confines a request's queries to its account, even ones that name no account", async () => {
    await createCustomer(client, mine, { external_id: 'mine-1' })
    const seen = await withAccount(mine.accountId, () => db.customer.findMany({ select: { accountId: true } }))
    expect(seen.length).toBeGreaterThan(0)
    expect(new Set(seen.map((c) => c.accountId))).toEqual(new Set([mine.accountId]))
    const changed = await withAccount(mine.accountId, () => db.customer.updateMany({ data: { address: 'Hijacked' } }))
    expect(changed.count).toBe(seen.length)
    expect(await db.customer.count({ where: { accountId: theirs.accountId, address: 'Hijacked' } })).toBe(0)
    expect(await withAccount(mine.accountId, () => db.customer.findUnique({ where: { id: theirIds.Customer } }))).toBeNull()
  })

  it('refuses to write a row for another account', async () => {
    await expect(
      withAccount(mine.accountId, () => db.customer.create({ data: { accountId: theirs.accountId, name: 'Planted' } })),
    ).rejects.toThrow(/another account/)
    expect(await db.customer.count({ where: { name: 'Planted' } })).toBe(0)
  })
})

describe("another account's ids", () => {
  it('every REST route with an id in its path answers 404 and changes nothing', async () => {
    const before = JSON.stringify(await snapshot())
    const checked: string[] = []
    for (const surface of surfaces) {
      for (const route of surface.routes) {
        const params = [...route.path.matchAll(/:([A-Za-z]+)/g)].map((m) => m[1])
        if (params.length === 0 || params.includes('provider')) continue
        // `:id` names the record of the segment before it: /leads/:id is a lead.
        const path = route.path.replace(/([a-z-]+)\/:([A-Za-z]+)/g, (_, segment: string, name: string) => {
          const type = { leads: 'Lead', quotes: 'Quote', appointments: 'Appointment', communications: 'Communication' }[segment]
          return `${segment}/${theirIds[name === 'id' && type ? type : name]}`
        })
        const body = route.method === 'GET' ? undefined : { name: 'Hijacked', project_status: 'contract_signed', first_name: 'Hijacked' }
        const response = await client.call(route.method, `${surface.prefix}${path}`, { key: mine.key, body })
        expect(response.status, `${route.method} ${surface.prefix}${route.path}`).toBe(404)
        checked.push(`${route.method} ${route.path}`)
      }
    }
    expect(checked.length).toBeGreaterThanOrEqual(12)
    expect(JSON.stringify(await snapshot())).toBe(before)
  })

  it('every GraphQL field that takes an id answers null or not found', async () => {
    const query = schema.getQueryType()!.getFields()
    const checked: string[] = []
    for (const [name, field] of Object.entries(query)) {
      const idArg = field.args.find((a) => a.name === 'id')
      const type = String(field.type).replace(/[![\]]/g, '')
      if (!idArg || !theirIds[type]) continue
      const result = await client.gql(`query($id: ID!) { ${name}(id: $id) { __typename } }`, { id: theirIds[type] }, { key: mine.key })
      expect(result.data?.[name] ?? null, name).toBeNull()
      checked.push(name)
    }
    expect(checked.length).toBeGreaterThanOrEqual(8)
  })
})

/** Their records as stored: nothing a request of mine does may change them. */
const snapshot = () =>
  Promise.all([
    db.customer.findMany({ where: { accountId: theirs.accountId }, orderBy: { id: 'asc' } }),
    db.project.findMany({ where: { accountId: theirs.accountId }, orderBy: { id: 'asc' } }),
    db.communication.findMany({ where: { accountId: theirs.accountId }, orderBy: { id: 'asc' } }),
    db.lead.findMany({ where: { accountId: theirs.accountId }, orderBy: { id: 'asc' } }),
    db.projectEvent.count({ where: { accountId: theirs.accountId } }),
    db.webhookEndpoint.findMany({ where: { accountId: theirs.accountId }, orderBy: { id: 'asc' } }),
    db.webhookDelivery.count({ where: { accountId: theirs.accountId } }),
  ])
