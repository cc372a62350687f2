/**
 * Upserts by the caller's own id on projects (/hub/v1) and leads (/api/v1, GraphQL): 201 when
 * created, 200 when updated, one row however many requests race, and never another account's row.
 */
import { randomBytes } from 'node:crypto'
import { beforeAll, describe, expect, it } from 'vitest'
import { db } from '../src/db/client.js'
import { type TestClient, testApp } from './support/app.js'
import { createCustomer, hubCall } from './support/hub.js'
import { createTenant, type Tenant, twoTenants } from './support/tenants.js'

let client: TestClient
beforeAll(async () => {
  client = await testApp()
})

const newId = (label: string) => `${label}-${randomBytes(4).toString('hex')}`

async function leadCall(tenant: Tenant, method: string, path: string, body?: unknown, headers?: Record<string, string>) {
  const response = await client.call(method, `/api/v1${path}`, { key: tenant.key, body, headers })
  return { status: response.status, body: await response.json() }
}

/** Queues every lead event of the tenant as a delivery row, so the events fired can be counted. */
async function recordLeadEvents(tenant: Tenant) {
  const created = await client.gql(
    `mutation { createWebhookEndpoint(input: { url: "https://93.184.215.14/hook", events: ["lead.created", "lead.updated"] }) { endpoint { id } } }`,
    {},
    { cookie: tenant.cookie },
  )
  expect(created.errors).toBeUndefined()
  return async () => {
    const rows = await db.webhookDelivery.findMany({ where: { accountId: tenant.accountId }, orderBy: { createdAt: 'asc' } })
    return rows.map((row) => ({ event: row.event, body: JSON.parse(row.body) }))
  }
}

describe('projects by external_id (POST /hub/v1/projects)', () => {
  it('creates (201) then updates (200) the project with that external_id, changing only the fields given', async () => {
    const tenant = await createTenant(client)
    const customer = await createCustomer(client, tenant)
    const externalId = newId('job')
    const created = await hubCall(client, tenant, 'POST', '/projects', {
      external_id: externalId,
      customer_id: customer.id,
      name: 'Roof',
      value: 9000,
    })
    expect(created.status).toBe(201)
    expect(created.body.data).toMatchObject({ external_id: externalId, customer_id: customer.id, name: 'Roof', value: 9000 })

    const updated = await hubCall(client, tenant, 'POST', '/projects', { external_id: externalId, name: 'Roof and gutters' })
    expect(updated.status).toBe(200)
    expect(updated.body.data).toMatchObject({ id: created.body.data.id, external_id: externalId, name: 'Roof and gutters', value: 9000 })
    expect(await db.project.count({ where: { accountId: tenant.accountId } })).toBe(1)

    const fetched = await hubCall(client, tenant, 'GET', `/projects/${created.body.data.id}`)
    expect(fetched.body.data.external_id).toBe(externalId)
    const listed = await hubCall(client, tenant, 'GET', `/projects?external_id=${externalId}`)
    expect(listed.body.data.map((p: { id: string }) => p.id)).toEqual([created.body.data.id])
    expect((await hubCall(client, tenant, 'GET', '/projects?external_id=nobody')).body).toMatchObject({
      data: [],
      pagination: { total: 0 },
    })
  })

  it('needs customer_id to create, refuses an external_id another project holds, and moves a project to another customer', async () => {
    const tenant = await createTenant(client)
    const [first, second] = [await createCustomer(client, tenant), await createCustomer(client, tenant)]
    const missing = await hubCall(client, tenant, 'POST', '/projects', { external_id: newId('job'), name: 'No customer' })
    expect(missing).toMatchObject({ status: 400, body: { error: 'Bad Request', message: 'customer_id is required to create a project' } })

    const a = await hubCall(client, tenant, 'POST', '/projects', { external_id: 'job-a', customer_id: first.id })
    const b = await hubCall(client, tenant, 'POST', '/projects', { customer_id: first.id, name: 'Without an external id' })
    expect([a.status, b.status]).toEqual([201, 201])
    expect(b.body.data.external_id).toBeNull()
    const taken = await hubCall(client, tenant, 'POST', '/projects', { id: b.body.data.id, external_id: 'job-a' })
    expect(taken).toMatchObject({ status: 409, body: { error: 'Conflict', message: 'external_id is already used by another project' } })
    const attached = await hubCall(client, tenant, 'POST', '/projects', { id: b.body.data.id, external_id: 'job-b' })
    expect(attached).toMatchObject({ status: 200, body: { data: { external_id: 'job-b' } } })

    const moved = await hubCall(client, tenant, 'POST', '/projects', { external_id: 'job-a', customer_id: second.id })
    expect(moved).toMatchObject({ status: 200, body: { data: { id: a.body.data.id, customer_id: second.id } } })
    const blank = await hubCall(client, tenant, 'POST', '/projects', { external_id: '', customer_id: first.id })
    expect(blank).toMatchObject({ status: 400, body: { message: 'external_id must not be empty' } })
  })

  it("keeps each account's external ids apart", async () => {
    const [mine, theirs] = await twoTenants(client)
    const [myCustomer, theirCustomer] = [await createCustomer(client, mine), await createCustomer(client, theirs)]
    const externalId = newId('shared')
    const their = await hubCall(client, theirs, 'POST', '/projects', {
      external_id: externalId,
      customer_id: theirCustomer.id,
      name: 'Theirs',
    })
    const my = await hubCall(client, mine, 'POST', '/projects', { external_id: externalId, customer_id: myCustomer.id, name: 'Mine' })
    expect([their.status, my.status]).toEqual([201, 201])
    expect(my.body.data.id).not.toBe(their.body.data.id)
    // Their customer is not mine to attach a project to, by external id or otherwise.
    const foreign = await hubCall(client, mine, 'POST', '/projects', { external_id: externalId, customer_id: theirCustomer.id })
    expect(foreign).toMatchObject({ status: 404, body: { message: 'Customer not found' } })
    expect((await hubCall(client, mine, 'GET', `/projects?external_id=${externalId}`)).body.data.map((p: { id: string }) => p.id)).toEqual([
      my.body.data.id,
    ])
    expect((await db.project.findUniqueOrThrow({ where: { id: their.body.data.id } })).name).toBe('Theirs')
  })

  it('10 concurrent upserts with one external_id make one project: one 201, nine 200', async () => {
    const tenant = await createTenant(client)
    const customer = await createCustomer(client, tenant)
    const externalId = newId('race')
    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        hubCall(client, tenant, 'POST', '/projects', { external_id: externalId, customer_id: customer.id, name: `Writer ${i}` }),
      ),
    )
    expect(answers.map((a) => a.status).sort()).toEqual([200, 200, 200, 200, 200, 200, 200, 200, 200, 201])
    expect(new Set(answers.map((a) => a.body.data.id)).size).toBe(1)
    expect(await db.project.count({ where: { accountId: tenant.accountId, externalId } })).toBe(1)
  })

  it('through GraphQL: saveProject with externalId says whether it created, and projectPage filters by it', async () => {
    const tenant = await createTenant(client)
    const customer = await createCustomer(client, tenant)
    const save = `mutation($input: ProjectInput!) { saveProject(input: $input) { created project { id externalId name } } }`
    const input = { externalId: 'gql-1', customerId: customer.id, name: 'First' }
    const first = await client.gql(save, { input }, { key: tenant.key })
    const second = await client.gql(save, { input: { externalId: 'gql-1', name: 'Second' } }, { key: tenant.key })
    expect(first.data.saveProject).toMatchObject({ created: true, project: { externalId: 'gql-1', name: 'First' } })
    expect(second.data.saveProject).toMatchObject({ created: false, project: { id: first.data.saveProject.project.id, name: 'Second' } })
    const page = await client.gql(`{ projectPage(externalId: "gql-1") { total items { name } } }`, {}, { key: tenant.key })
    expect(page.data.projectPage).toEqual({ total: 1, items: [{ name: 'Second' }] })
  })
})

describe('customers by external_id (POST /hub/v1/customers)', () => {
  it('10 concurrent upserts with one external_id make one customer, keyed or not', async () => {
    const tenant = await createTenant(client)
    for (const keyed of [false, true]) {
      const externalId = newId(keyed ? 'keyed' : 'race')
      const answers = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          hubCall(
            client,
            tenant,
            'POST',
            '/customers',
            { external_id: externalId, first_name: 'Jane', last_name: `Racer ${i}` },
            keyed ? { 'idempotency-key': `${externalId}-${i}` } : undefined,
          ),
        ),
      )
      expect(answers.map((a) => a.status).sort()).toEqual([200, 200, 200, 200, 200, 200, 200, 200, 200, 201])
      expect(await db.customer.count({ where: { accountId: tenant.accountId, externalId } })).toBe(1)
    }
  })
})

describe('leads by external_id (POST /api/v1/leads)', () => {
  it('creates (201, lead.created) then updates (200, lead.updated with previous), changing only the fields given', async () => {
    const tenant = await createTenant(client)
    const events = await recordLeadEvents(tenant)
    const externalId = newId('crm')
    const created = await leadCall(tenant, 'POST', '/leads', {
      external_id: externalId,
      name: 'Jane',
      phone: '+15555550123',
      source: 'sync',
    })
    expect(created.status).toBe(201)
    expect(created.body.data).toMatchObject({ external_id: externalId, name: 'Jane', phone: '+15555550123', pipeline_stage: 'new_lead' })

    const updated = await leadCall(tenant, 'POST', '/leads', { external_id: externalId, name: 'Jane Roe', pipeline_stage: 'follow_up' })
    expect(updated.status).toBe(200)
    expect(updated.body.data).toMatchObject({ id: created.body.data.id, name: 'Jane Roe', phone: '+15555550123', source: 'sync' })
    const same = await leadCall(tenant, 'POST', '/leads', { external_id: externalId, name: 'Jane Roe' })
    expect(same.status).toBe(200)

    expect(await events()).toEqual([
      { event: 'lead.created', body: expect.objectContaining({ data: created.body.data }) },
      {
        event: 'lead.updated',
        body: expect.objectContaining({ data: updated.body.data, previous: { name: 'Jane', pipeline_stage: 'new_lead' } }),
      },
    ]) // the unchanged third write fired nothing
    const listed = await leadCall(tenant, 'GET', `/leads?external_id=${externalId}`)
    expect(listed.body).toMatchObject({ data: [{ id: created.body.data.id }], meta: { total: 1 } })
  })

  it('needs a name or phone only to create; PATCH sets or clears the external_id, and one another lead holds is a 409', async () => {
    const tenant = await createTenant(client)
    expect(await leadCall(tenant, 'POST', '/leads', { external_id: 'no-name' })).toEqual({
      status: 400,
      body: { error: "At least 'name' or 'phone' is required" },
    })
    const held = await leadCall(tenant, 'POST', '/leads', { external_id: 'held', name: 'Held' })
    const other = await leadCall(tenant, 'POST', '/leads', { name: 'Other' })
    expect([held.status, other.status]).toEqual([201, 201])
    expect(await leadCall(tenant, 'POST', '/leads', { external_id: 'held', email: 'held@example.com' })).toMatchObject({
      status: 200,
      body: { data: { name: 'Held', email: 'held@example.com' } },
    })
    expect(await leadCall(tenant, 'PATCH', `/leads/${other.body.data.id}`, { external_id: 'held' })).toEqual({
      status: 409,
      body: { error: 'external_id is already used by another lead' },
    })
    expect(await leadCall(tenant, 'PATCH', `/leads/${other.body.data.id}`, { external_id: 'other' })).toMatchObject({
      status: 200,
      body: { data: { external_id: 'other', name: 'Other' } },
    })
    expect(await leadCall(tenant, 'PATCH', `/leads/${other.body.data.id}`, { external_id: null })).toMatchObject({
      body: { data: { external_id: null } },
    })
  })

  it("keeps each account's external ids apart", async () => {
    const [mine, theirs] = await twoTenants(client)
    const their = await leadCall(theirs, 'POST', '/leads', { external_id: 'same', name: 'Theirs' })
    const my = await leadCall(mine, 'POST', '/leads', { external_id: 'same', name: 'Mine' })
    expect([their.status, my.status]).toEqual([201, 201])
    expect((await leadCall(mine, 'POST', '/leads', { external_id: 'same', name: 'Mine again' })).body.data.id).toBe(my.body.data.id)
    expect((await db.lead.findUniqueOrThrow({ where: { id: their.body.data.id } })).name).toBe('Theirs')
  })

  it('never updates a deleted lead: its external_id is free for a new one', async () => {
    const tenant = await createTenant(client)
    const first = await leadCall(tenant, 'POST', '/leads', { external_id: 'reused', name: 'First' })
    expect((await leadCall(tenant, 'DELETE', `/leads/${first.body.data.id}`)).status).toBe(200)
    const second = await leadCall(tenant, 'POST', '/leads', { external_id: 'reused', name: 'Second' })
    expect(second.status).toBe(201)
    expect(second.body.data.id).not.toBe(first.body.data.id)
    expect(await leadCall(tenant, 'POST', '/leads', { external_id: 'reused', name: 'Third' })).toMatchObject({
      status: 200,
      body: { data: { id: second.body.data.id, name: 'Third' } },
    })
    // Still deleted, unchanged (a filter naming deletedAt reaches deleted rows).
    const deleted = await db.lead.findFirstOrThrow({ where: { id: first.body.data.id, deletedAt: { not: null } } })
    expect(deleted).toMatchObject({ name: 'First', externalId: 'reused' })
    expect(await leadCall(tenant, 'POST', `/leads/${first.body.data.id}/restore`)).toEqual({
      status: 409,
      body: { error: 'external_id is now used by another record: restore refused' },
    })
  })

  it('10 concurrent upserts with one external_id make one lead, one 201 and one lead.created; so do keyed ones', async () => {
    const tenant = await createTenant(client)
    const events = await recordLeadEvents(tenant)
    for (const keyed of [false, true]) {
      const externalId = newId(keyed ? 'keyed' : 'race')
      const answers = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          leadCall(
            tenant,
            'POST',
            '/leads',
            { external_id: externalId, name: 'Racer', phone: '+15555550199' },
            keyed ? { 'idempotency-key': `${externalId}-${i}` } : undefined,
          ),
        ),
      )
      expect(answers.map((a) => a.status).sort()).toEqual([200, 200, 200, 200, 200, 200, 200, 200, 200, 201])
      expect(new Set(answers.map((a) => a.body.data.id)).size).toBe(1)
      expect(await db.lead.count({ where: { accountId: tenant.accountId, externalId } })).toBe(1)
    }
    // Same values each time: the nine updates changed nothing and fired nothing.
    expect((await events()).map((e) => e.event)).toEqual(['lead.created', 'lead.created'])
  })

  it('through GraphQL: upsertLead says whether it created, createLead upserts too, and leadPage filters by externalId', async () => {
    const tenant = await createTenant(client)
    const upsert = `mutation($input: LeadInput!) { upsertLead(input: $input) { created lead { id externalId name } } }`
    const first = await client.gql(upsert, { input: { externalId: 'g-1', name: 'First' } }, { key: tenant.key })
    const second = await client.gql(upsert, { input: { externalId: 'g-1', name: 'Second' } }, { key: tenant.key })
    expect(first.data.upsertLead).toMatchObject({ created: true, lead: { externalId: 'g-1', name: 'First' } })
    expect(second.data.upsertLead).toMatchObject({ created: false, lead: { id: first.data.upsertLead.lead.id, name: 'Second' } })
    const viaCreate = await client.gql(
      `mutation { createLead(input: { externalId: "g-1", name: "Third" }) { id name } }`,
      {},
      { key: tenant.key },
    )
    expect(viaCreate.data.createLead).toEqual({ id: first.data.upsertLead.lead.id, name: 'Third' })
    const page = await client.gql(`{ leadPage(externalId: "g-1") { total items { name } } }`, {}, { key: tenant.key })
    expect(page.data.leadPage).toEqual({ total: 1, items: [{ name: 'Third' }] })
  })
})
