/**
 * Deletes: a deleted customer, project, lead, quote or appointment disappears from every read,
 * list, search, count and pipeline figure (404 afterwards), comes back with what its delete took
 * along when restored within 30 days, and is purged by the worker after.
 */
import { readdir, readFile } from 'node:fs/promises'
import path from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { db } from '../src/db/client.js'
import { withAccount } from '../src/db/tenancy.js'
import { deleteRecord, RESTORE_DAYS } from '../src/services/deletes.js'
import { runOnce } from '../src/services/worker/worker.js'
import { countStatements, type TestClient, testApp, testConfig } from './support/app.js'
import { createProject, hubCall } from './support/hub.js'
import { createTenant, type Tenant, twoTenants } from './support/tenants.js'

let client: TestClient
let tenant: Tenant
let other: Tenant

beforeAll(async () => {
  client = await testApp()
  ;[tenant, other] = await twoTenants(client)
})

const hub = (method: string, path: string, body?: unknown, who = tenant, headers?: Record<string, string>) =>
  hubCall(client, who, method, path, body, headers)
async function api(method: string, path: string, body?: unknown, who = tenant) {
  const response = await client.call(method, `/api/v1${path}`, { key: who.key, body })
  const text = await response.text()
  return { status: response.status, body: text ? JSON.parse(text) : null }
}
const gql = (query: string, variables: Record<string, unknown> = {}, who = tenant) => client.gql(query, variables, { key: who.key })
const DAY = 86_400_000

async function leadWithQuoteAndAppointment(name: string, who = tenant) {
  const lead = (await api('POST', '/leads', { name, phone: '+15555550142', email: `${name.toLowerCase()}@example.com` }, who)).body.data
  const quote = await gql(
    `mutation($input: CreateQuoteInput!) { createQuote(input: $input) { id } }`,
    { input: { leadId: lead.id, lineItems: [{ description: 'Roof', quantity: 1, unitPrice: 100 }] } },
    who,
  )
  const appointment = await gql(
    `mutation($input: BookAppointmentInput!) { bookAppointment(input: $input) { id } }`,
    { input: { leadId: lead.id, type: 'onsite', startTime: '2030-01-01T10:00:00Z', title: 'Visit' } },
    who,
  )
  expect(quote.errors ?? appointment.errors).toBeUndefined()
  return { lead, quoteId: quote.data.createQuote.id as string, appointmentId: appointment.data.bookAppointment.id as string }
}

describe('deleting a customer', () => {
  it('hides it and its projects everywhere, cancels their pending messages, keeps conversations, and restores them', async () => {
    const unique = `Delia${Date.now()}`
    const { customer, project } = await createProject(client, tenant, { name: 'Deck' }, { first_name: unique, phone: '+15555550177' })
    const second = await hub('POST', '/projects', { customer_id: customer.id, name: 'Fence' })
    const queued = await hub('POST', '/communications', {
      channel: 'sms',
      content: 'See you soon',
      customer_id: customer.id,
      scheduled_for: new Date(Date.now() + DAY).toISOString(),
    })
    expect(queued.status).toBe(201)
    await db.conversation.create({
      data: { accountId: tenant.accountId, channel: 'sms', participant: '+15555550177', customerId: customer.id },
    })
    const scheduled = async () =>
      (await client.gql('{ scheduledMessages { total } }', {}, { cookie: tenant.cookie })).data.scheduledMessages.total as number
    const scheduledBefore = await scheduled()
    const customersBefore = (await hub('GET', '/customers')).body.pagination.total
    const projectsBefore = (await hub('GET', '/projects')).body.pagination.total

    const deleted = await hub('DELETE', `/customers/${customer.id}`)
    expect(deleted.status).toBe(200)
    expect(deleted.body).toMatchObject({
      data: { id: customer.id, first_name: unique, deleted_at: expect.any(String) },
      restorable_until: expect.any(String),
      cascade: { projects_deleted: 2, communications_cancelled: 1, conversations_kept: 1 },
    })
    expect(Date.parse(deleted.body.restorable_until) - Date.parse(deleted.body.data.deleted_at)).toBe(RESTORE_DAYS * DAY)

    // Every read: one, list, search, totals, GraphQL, children.
    expect((await hub('GET', `/customers/${customer.id}`)).status).toBe(404)
    expect((await hub('GET', `/projects/${project.id}`)).status).toBe(404)
    expect((await hub('GET', `/projects/${project.id}/events`)).status).toBe(404)
    const customers = (await hub('GET', '/customers')).body
    expect(customers.pagination.total).toBe(customersBefore - 1)
    expect(customers.data.map((c: { id: string }) => c.id)).not.toContain(customer.id)
    expect((await hub('GET', `/customers?search=${unique}`)).body).toMatchObject({ data: [], pagination: { total: 0 } })
    expect((await hub('GET', '/projects')).body.pagination.total).toBe(projectsBefore - 2)
    expect((await hub('GET', `/projects?customer_id=${customer.id}`)).body.pagination.total).toBe(0)
    const read = await gql(
      `query($id: ID!, $p: ID!, $s: String) { customer(id: $id) { id } project(id: $p) { id } customers(search: $s) { totalCount } }`,
      { id: customer.id, p: project.id, s: unique },
    )
    expect(read.data).toEqual({ customer: null, project: null, customers: { totalCount: 0 } })
    // Every write on it is a 404, and deleting twice too.
    expect((await hub('POST', '/customers', { id: customer.id, first_name: 'Back' })).status).toBe(404)
    expect((await hub('POST', '/projects', { customer_id: customer.id, name: 'New' })).status).toBe(404)
    expect((await hub('POST', '/projects', { id: project.id, name: 'Renamed' })).status).toBe(404)
    expect((await hub('PATCH', `/projects/${project.id}/status`, { project_status: 'sold' })).status).toBe(404)
    expect((await hub('POST', '/communications', { channel: 'sms', content: 'x', customer_id: customer.id })).status).toBe(404)
    expect((await hub('POST', '/events', { project_id: project.id, event_type: 'contract_signed' })).status).toBe(404)
    expect(await hub('DELETE', `/customers/${customer.id}`)).toMatchObject({ status: 404, body: { message: 'Customer not found' } })
    expect((await hub('DELETE', `/projects/${project.id}`)).status).toBe(404)
    // The pending message is cancelled, and says why; the portal's figures no longer count it.
    expect(await scheduled()).toBe(scheduledBefore - 1)
    expect((await hub('GET', `/communications/${queued.body.data.id}`)).body.data).toMatchObject({
      status: 'cancelled',
      last_error: 'Cancelled: its recipient record was deleted',
    })

    const restored = await hub('POST', `/customers/${customer.id}/restore`)
    expect(restored).toMatchObject({ status: 200, body: { data: { id: customer.id }, cascade: { projects_restored: 2 } } })
    expect((await hub('GET', `/projects/${second.body.data.id}`)).status).toBe(200)
    expect((await hub('GET', '/customers')).body.pagination.total).toBe(customersBefore)
    expect((await hub('GET', `/customers?search=${unique}`)).body.pagination.total).toBe(1)
    // Cancelled messages stay cancelled.
    expect((await hub('GET', `/communications/${queued.body.data.id}`)).body.data.status).toBe('cancelled')
    expect((await hub('POST', `/customers/${customer.id}/restore`)).status).toBe(404)
  })

  it('a project deleted on its own stays deleted when its customer comes back, and cannot come back before it', async () => {
    const { customer, project } = await createProject(client, tenant)
    const kept = await hub('POST', '/projects', { customer_id: customer.id, name: 'Kept' })
    expect((await hub('DELETE', `/projects/${project.id}`)).body).toMatchObject({
      data: { id: project.id, deleted_at: expect.any(String) },
      cascade: { communications_cancelled: 0 },
    })
    // The customer's own connection (read by raw SQL for every customer at once) leaves it out too.
    const listed = await gql(`query($id: ID!) { customer(id: $id) { projects { totalCount edges { node { id } } } } }`, { id: customer.id })
    expect(listed.data.customer.projects).toEqual({ totalCount: 1, edges: [{ node: { id: kept.body.data.id } }] })
    expect((await hub('DELETE', `/customers/${customer.id}`)).body.cascade.projects_deleted).toBe(1)
    expect(await hub('POST', `/projects/${project.id}/restore`)).toMatchObject({
      status: 409,
      body: { message: "The project's customer is deleted: restore the customer" },
    })
    expect((await hub('POST', `/customers/${customer.id}/restore`)).body.cascade.projects_restored).toBe(1)
    expect((await hub('GET', `/projects/${project.id}`)).status).toBe(404)
    expect((await hub('POST', `/projects/${project.id}/restore`)).status).toBe(200)
    expect((await hub('GET', `/customers/${customer.id}`)).status).toBe(200)
  })

  it("a deleted customer's external_id can be given to a new customer; restoring the old one is then a 409", async () => {
    const externalId = `ext-del-${Date.now()}`
    const first = await hub('POST', '/customers', { external_id: externalId, name: 'First' })
    await hub('DELETE', `/customers/${first.body.data.id}`)
    const second = await hub('POST', '/customers', { external_id: externalId, name: 'Second' })
    expect(second.status).toBe(201)
    expect(second.body.data.id).not.toBe(first.body.data.id)
    expect((await hub('POST', `/customers/${first.body.data.id}/restore`)).status).toBe(409)
  })
})

describe('deleting a lead', () => {
  it('hides it with its quotes and appointments from reads, lists, search and the pipeline, and restores them', async () => {
    const name = `Leah${Date.now()}`
    const { lead, quoteId, appointmentId } = await leadWithQuoteAndAppointment(name)
    const pipeline = async () => (await api('GET', '/pipeline')).body.data.new_lead as number
    const totals = async () => [
      (await api('GET', '/leads')).body.meta.total,
      (await api('GET', '/quotes')).body.meta.total,
      (await api('GET', '/appointments')).body.meta.total,
    ]
    const [before, newLeads] = [await totals(), await pipeline()]

    const deleted = await api('DELETE', `/leads/${lead.id}`)
    expect(deleted).toMatchObject({
      status: 200,
      body: {
        data: { id: lead.id, name, deleted_at: expect.any(String) },
        cascade: { quotes_deleted: 1, appointments_deleted: 1, communications_cancelled: 0, conversations_kept: 0 },
      },
    })
    expect(await totals()).toEqual(before.map((n: number) => n - 1))
    expect(await pipeline()).toBe(newLeads - 1)
    expect((await api('GET', `/leads?search=${name}`)).body.meta.total).toBe(0)
    expect(await api('GET', `/leads/${lead.id}`)).toMatchObject({ status: 404, body: { error: 'Lead not found' } })
    expect((await api('GET', `/quotes/${quoteId}`)).status).toBe(404)
    expect((await api('PATCH', `/leads/${lead.id}`, { name: 'x' })).status).toBe(404)
    expect((await api('POST', '/sms', { lead_id: lead.id, message: 'hi' })).status).toBe(404)
    expect((await api('DELETE', `/quotes/${quoteId}`)).status).toBe(404)
    expect((await api('DELETE', `/appointments/${appointmentId}`)).status).toBe(404)
    const read = await gql(`query($id: ID!, $q: ID!, $a: ID!) { lead(id: $id) { id } quote(id: $q) { id } appointment(id: $a) { id } }`, {
      id: lead.id,
      q: quoteId,
      a: appointmentId,
    })
    expect(read.data).toEqual({ lead: null, quote: null, appointment: null })
    const status = await gql(`mutation($id: ID!) { updateQuoteStatus(id: $id, status: sent) { id } }`, { id: quoteId })
    expect(status.errors?.[0].extensions.code).toBe('NOT_FOUND')

    expect(await api('POST', `/leads/${lead.id}/restore`)).toMatchObject({
      status: 200,
      body: { data: { id: lead.id }, cascade: { quotes_restored: 1, appointments_restored: 1 } },
    })
    expect(await totals()).toEqual(before)
    expect(await pipeline()).toBe(newLeads)
    expect((await api('GET', `/quotes/${quoteId}`)).status).toBe(200)
  })

  it('quotes and appointments are deleted and restored on their own; not while their lead is deleted', async () => {
    const { lead, quoteId, appointmentId } = await leadWithQuoteAndAppointment('Solo')
    expect((await api('DELETE', `/quotes/${quoteId}`)).body).toMatchObject({ data: { id: quoteId, deleted_at: expect.any(String) } })
    const appointment = await api('DELETE', `/appointments/${appointmentId}`)
    expect(appointment.body).toMatchObject({ data: { id: appointmentId, leads: { name: 'Solo' } }, restorable_until: expect.any(String) })
    await api('DELETE', `/leads/${lead.id}`)
    expect(await api('POST', `/quotes/${quoteId}/restore`)).toMatchObject({
      status: 409,
      body: { error: "The quote's lead is deleted: restore the lead" },
    })
    expect((await api('POST', `/leads/${lead.id}/restore`)).body.cascade).toEqual({ quotes_restored: 0, appointments_restored: 0 })
    expect((await api('POST', `/quotes/${quoteId}/restore`)).status).toBe(200)
    expect((await api('POST', `/appointments/${appointmentId}/restore`)).status).toBe(200)
    const listed = (await api('GET', '/appointments?per_page=100')).body.data.map((a: { id: string }) => a.id)
    expect(listed).toContain(appointmentId)
  })
})

describe('statements', () => {
  it('a delete and a restore cost the same statements whatever the number of projects', async () => {
    const cost = async (projects: number) => {
      const { customer } = await createProject(client, tenant)
      for (let i = 1; i < projects; i++) await hub('POST', '/projects', { customer_id: customer.id, name: `P${i}` })
      const deleting = await countStatements(() => hub('DELETE', `/customers/${customer.id}`))
      const restoring = await countStatements(() => hub('POST', `/customers/${customer.id}/restore`))
      return [deleting, restoring]
    }
    expect(await cost(5)).toEqual(await cost(1))
  })
})

describe('the restore window and the purge', () => {
  it('after 30 days a restore is a 404 and the worker purges the record and what went with it', async () => {
    const tenant = await createTenant(client)
    const { customer, project } = await createProject(client, tenant)
    const { lead, quoteId } = await leadWithQuoteAndAppointment('Old', tenant)
    const longAgo = new Date(Date.now() - (RESTORE_DAYS + 1) * DAY)
    await withAccount(tenant.accountId, () => deleteRecord('customer', tenant.accountId, customer.id, longAgo))
    await withAccount(tenant.accountId, () => deleteRecord('lead', tenant.accountId, lead.id, new Date()))
    expect((await hub('POST', `/customers/${customer.id}/restore`, undefined, tenant)).status).toBe(404)

    const pass = (now: Date) => runOnce({ config: testConfig(), now, accountIds: [tenant.accountId] })
    const stored = async (table: string, id: string) =>
      Number((await db.$queryRawUnsafe<{ n: bigint }[]>(`SELECT count(*) AS n FROM ${table} WHERE id = $1`, id))[0].n)
    expect((await pass(new Date())).purged).toBe(2) // the customer and its project
    expect([await stored('customers', customer.id), await stored('projects', project.id)]).toEqual([0, 0])
    expect([await stored('leads', lead.id), await stored('quotes', quoteId)]).toEqual([1, 1])
    // The lead goes 30 days after its delete, on the worker's clock, with its quote and appointment.
    expect((await pass(new Date(Date.now() + (RESTORE_DAYS + 1) * DAY))).purged).toBe(3)
    expect([await stored('leads', lead.id), await stored('quotes', quoteId)]).toEqual([0, 0])
  })
})

describe('the lists of deleted records', () => {
  it("list the account's records deleted within the restore window, with their cascade, until restored", async () => {
    const tenant = await createTenant(client)
    const list = (field: string, args = 'deleted: true') =>
      gql(`{ ${field}(${args}) { totalCount edges { node { id deletedAt } } } }`, {}, tenant).then((r) => {
        expect(r.errors).toBeUndefined()
        return r.data[field] as { totalCount: number; edges: { node: { id: string; deletedAt: string | null } }[] }
      })
    const ids = (page: { edges: { node: { id: string } }[] }) => page.edges.map((e) => e.node.id)
    const recent = await createProject(client, tenant, { name: 'Deck' }, { first_name: 'Recent' })
    const old = await createProject(client, tenant, { name: 'Shed' }, { first_name: 'Old' })
    const kept = await createProject(client, tenant, { name: 'Porch' }, { first_name: 'Kept' })
    const { lead, quoteId } = await leadWithQuoteAndAppointment('Gone', tenant)
    const theirs = await createProject(client, other)
    expect((await hub('DELETE', `/customers/${theirs.customer.id}`, undefined, other)).status).toBe(200)

    expect((await hub('DELETE', `/customers/${recent.customer.id}`, undefined, tenant)).status).toBe(200)
    expect((await api('DELETE', `/leads/${lead.id}`, undefined, tenant)).status).toBe(200)
    const longAgo = new Date(Date.now() - (RESTORE_DAYS + 1) * DAY)
    await withAccount(tenant.accountId, () => deleteRecord('customer', tenant.accountId, old.customer.id, longAgo))

    const customers = await list('customers')
    expect(ids(customers)).toEqual([recent.customer.id])
    expect(customers.totalCount).toBe(1)
    expect(customers.edges[0].node.deletedAt).not.toBeNull()
    expect(ids(await list('projects'))).toEqual([recent.project.id])
    expect(ids(await list('leads'))).toEqual([lead.id])
    expect(ids(await list('quotes'))).toEqual([quoteId])
    expect(ids(await list('customers', 'deleted: true, search: "Recent"'))).toEqual([recent.customer.id])
    expect(ids(await list('customers', 'deleted: true, search: "Kept"'))).toEqual([])
    // The live lists are as before; `deleted: false` is the live list too.
    expect(ids(await list('customers', 'deleted: false'))).toEqual([kept.customer.id])
    expect(ids(await list('customers', 'first: 10'))).toEqual([kept.customer.id])
    // A page and its total: two statements, as for the live list.
    expect(await countStatements(() => list('customers'))).toBe(2)

    expect((await hub('POST', `/customers/${recent.customer.id}/restore`, undefined, tenant)).status).toBe(200)
    expect(ids(await list('customers'))).toEqual([])
    expect(ids(await list('projects'))).toEqual([])
    expect(ids(await list('customers', 'first: 10')).sort()).toEqual([recent.customer.id, kept.customer.id].sort())
  })
})

describe('delete, restore and erase across accounts, scopes and retries', () => {
  it("another account's ids are 404 on every delete, restore and erase route", async () => {
    const { customer, project } = await createProject(client, other)
    const { lead, quoteId, appointmentId } = await leadWithQuoteAndAppointment('Theirs', other)
    for (const path of [`/customers/${customer.id}`, `/projects/${project.id}`]) {
      expect((await hub('DELETE', path)).status).toBe(404)
      expect((await hub('POST', `${path}/restore`)).status).toBe(404)
    }
    expect((await hub('POST', `/customers/${customer.id}/erase`)).status).toBe(404)
    for (const path of [`/leads/${lead.id}`, `/quotes/${quoteId}`, `/appointments/${appointmentId}`]) {
      expect((await api('DELETE', path)).status).toBe(404)
      expect((await api('POST', `${path}/restore`)).status).toBe(404)
    }
    expect((await api('POST', `/leads/${lead.id}/erase`)).status).toBe(404)
    // Their own deletes restore fine.
    expect((await api('DELETE', `/leads/${lead.id}`, undefined, other)).status).toBe(200)
    expect((await api('POST', `/leads/${lead.id}/restore`)).status).toBe(404)
    expect((await hub('GET', `/customers/${customer.id}`, undefined, other)).status).toBe(200)
  })

  it('needs the write scope, and a retried DELETE with its Idempotency-Key gets the same answer', async () => {
    const { customer } = await createProject(client, tenant)
    const reader = await tenant.createKey({ scopes: ['read:hub'] })
    const denied = await client.call('DELETE', `/hub/v1/customers/${customer.id}`, { key: reader.secret })
    expect(denied.status).toBe(403)
    const headers = { 'idempotency-key': `del-${customer.id}` }
    const first = await hub('DELETE', `/customers/${customer.id}`, undefined, tenant, headers)
    const retry = await hub('DELETE', `/customers/${customer.id}`, undefined, tenant, headers)
    expect(first.status).toBe(200)
    expect(retry).toMatchObject({ status: 200, body: first.body })
    expect(retry.headers.get('idempotent-replayed')).toBe('true')
    expect((await hub('DELETE', `/customers/${customer.id}`)).status).toBe(404)
  })

  it('GraphQL deletes and restores with the same rules', async () => {
    const { customer } = await createProject(client, tenant)
    const deleted = await gql(
      `mutation($id: ID!) { deleteCustomer(id: $id) { customer { id deletedAt } deletedAt cascade { projects } } }`,
      { id: customer.id },
    )
    expect(deleted.data.deleteCustomer).toMatchObject({ customer: { id: customer.id }, cascade: { projects: 1 } })
    expect(deleted.data.deleteCustomer.customer.deletedAt).toBe(deleted.data.deleteCustomer.deletedAt)
    const again = await gql(`mutation($id: ID!) { deleteCustomer(id: $id) { deletedAt } }`, { id: customer.id })
    expect(again.errors?.[0]).toMatchObject({ message: 'Customer not found', extensions: { code: 'NOT_FOUND' } })
    const restored = await gql(`mutation($id: ID!) { restoreCustomer(id: $id) { customer { id deletedAt } cascade { projects } } }`, {
      id: customer.id,
    })
    expect(restored.data.restoreCustomer).toEqual({ customer: { id: customer.id, deletedAt: null }, cascade: { projects: 1 } })
  })
})

describe('raw SQL', () => {
  it('every raw statement that reads one of the soft-deleted tables leaves deleted rows out', async () => {
    // The client extension hides deleted rows from Prisma queries; raw SQL must say so itself.
    const src = path.resolve(import.meta.dirname, '../src')
    const files = (await readdir(src, { recursive: true })).filter((f) => f.endsWith('.ts') && !f.startsWith('generated'))
    const offenders: string[] = []
    let statements = 0
    for (const file of files) {
      const text = await readFile(path.join(src, file), 'utf8')
      for (const match of text.matchAll(/\b(?:FROM|JOIN)\s+(customers|projects|leads|quotes|appointments)\b[^`]*/g)) {
        statements++
        if (!match[0].includes('deleted_at')) offenders.push(`${file}: ${match[0].slice(0, 80)}`)
      }
    }
    expect(statements).toBeGreaterThanOrEqual(4)
    expect(offenders).toEqual([])
  })
})
