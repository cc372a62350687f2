import { beforeAll, describe, expect, it } from 'vitest'
import { type TestClient, testApp } from './support/app.js'
import { createCustomer, createProject, hubCall } from './support/hub.js'
import { createTenant, type Tenant, twoTenants } from './support/tenants.js'

let client: TestClient
let tenant: Tenant
let other: Tenant

beforeAll(async () => {
  client = await testApp()
  ;[tenant, other] = await twoTenants(client)
})

const call = (method: string, path: string, body?: unknown, who = tenant) => hubCall(client, who, method, path, body)

describe('customers', () => {
  it('upserts by external_id: 201 when created, 200 when updated, with the documented shape', async () => {
    const created = await call('POST', '/customers', {
      external_id: 'crm-1',
      first_name: 'Ann',
      last_name: 'Lee',
      phone: '+15555550111',
      metadata: { tier: 'gold' },
      unknown_field: 1,
    })
    expect(created.status).toBe(201)
    expect(Object.keys(created.body.data).sort()).toEqual(
      ['address', 'created_at', 'email', 'external_id', 'first_name', 'id', 'last_name', 'metadata', 'name', 'phone', 'updated_at'].sort(),
    )
    expect(created.body.data).toMatchObject({
      external_id: 'crm-1',
      name: 'Ann Lee',
      first_name: 'Ann',
      phone: '+15555550111',
      metadata: { tier: 'gold' },
    })
    const updated = await call('POST', '/customers', { external_id: 'crm-1', email: 'ann@example.com' })
    expect(updated.status).toBe(200)
    expect(updated.body.data).toMatchObject({ id: created.body.data.id, email: 'ann@example.com', first_name: 'Ann' })
    const byId = await call('POST', '/customers', { id: created.body.data.id, last_name: 'Li' })
    expect(byId.status).toBe(200)
    expect(byId.body.data.last_name).toBe('Li')
    // The same external_id in another account is another customer.
    expect((await call('POST', '/customers', { external_id: 'crm-1' }, other)).status).toBe(201)
  })

  it('answers 404 for an id of another account and changes nothing', async () => {
    const theirs = await createCustomer(client, other, { first_name: 'Theirs' })
    const response = await call('POST', '/customers', { id: theirs.id, first_name: 'Hacked' })
    expect(response).toMatchObject({ status: 404, body: { error: 'Not Found', message: 'Customer not found' } })
    expect((await call('GET', `/customers/${theirs.id}`)).status).toBe(404)
    expect((await call('GET', `/customers/${theirs.id}`, undefined, other)).body.data.first_name).toBe('Theirs')
  })

  it.each([
    [{}, 'id or external_id is required'],
    [{ external_id: 'x', phone: '555-0100' }, 'phone must be an E.164 phone number such as +15555550100'],
    [{ external_id: 'x', email: 'not-an-email' }, 'email must be an email address'],
    [{ external_id: 'x', first_name: 42 }, 'first_name must be a string'],
    [{ external_id: 'x', metadata: [1] }, 'metadata must be a JSON object'],
  ])('rejects %j with 400 %s', async (body, message) => {
    const response = await call('POST', '/customers', body)
    expect(response.status).toBe(400)
    expect(response.body.error).toBe('Bad Request')
    expect(response.body.message).toBe(message)
  })

  it('rejects malformed JSON and a non-object body', async () => {
    const bad = await client.call('POST', '/hub/v1/customers', {
      key: tenant.key,
      body: '{"external_id": ',
      headers: { 'content-type': 'application/json' },
    })
    expect(bad.status).toBe(400)
    expect(await bad.json()).toEqual({ error: 'Bad Request', message: 'Request body is not valid JSON' })
    const array = await client.call('POST', '/hub/v1/customers', { key: tenant.key, body: '[1]' })
    expect(await array.json()).toEqual({ error: 'Bad Request', message: 'Request body must be a JSON object' })
  })

  it('lists newest first, searches name/email/phone case-insensitively and filters by external_id', async () => {
    const t = await createTenant(client)
    const a = await createCustomer(client, t, { name: 'Zed Alpha', email: 'zed@alpha.io', phone: '+15555550901' })
    const b = await createCustomer(client, t, { name: 'Mia Beta', email: 'mia@beta.io', phone: '+15555550902', external_id: 'beta-1' })
    const ids = async (query: string) => (await call('GET', `/customers?${query}`, undefined, t)).body.data.map((c: { id: string }) => c.id)
    const all = await call('GET', '/customers', undefined, t)
    expect(all.body.pagination).toEqual({ limit: 50, offset: 0, total: 2 })
    expect(all.body.data.map((c: { id: string }) => c.id)).toEqual([b.id, a.id])
    expect(await ids('search=ALPHA')).toEqual([a.id])
    expect(await ids('search=mia%40beta')).toEqual([b.id])
    expect(await ids('search=0902')).toEqual([b.id])
    expect(await ids('external_id=beta-1')).toEqual([b.id])
    expect((await call('GET', '/customers?limit=-1', undefined, t)).status).toBe(400)
  })

  it('needs read:hub to read and write:hub to write', async () => {
    const { secret } = await tenant.createKey({ scopes: ['read:hub'] })
    const read = await client.call('GET', '/hub/v1/customers', { key: secret })
    expect(read.status).toBe(200)
    const write = await client.call('POST', '/hub/v1/customers', { key: secret, body: { external_id: 'nope' } })
    expect(write.status).toBe(403)
    expect(await write.json()).toEqual({ error: 'Forbidden', message: 'Insufficient scope: write:hub required' })
    const { secret: writeOnly } = await tenant.createKey({ scopes: ['write:hub'] })
    expect(await (await client.call('GET', '/hub/v1/customers', { key: writeOnly })).json()).toEqual({
      error: 'Forbidden',
      message: 'Insufficient scope: read:hub required',
    })
    expect((await client.call('GET', '/hub/v1/customers')).status).toBe(401)
  })
})

describe('projects', () => {
  it('creates (201) and updates (200) a project; GET embeds its customer', async () => {
    const customer = await createCustomer(client, tenant)
    const created = await call('POST', '/projects', {
      customer_id: customer.id,
      name: 'Roof',
      value: 12500.5,
      build_date: '2026-12-01',
      pipeline_stage: 'lead',
    })
    expect(created.status).toBe(201)
    expect(Object.keys(created.body.data).sort()).toEqual(
      [
        'address',
        'build_date',
        'created_at',
        'customer_id',
        'external_id',
        'id',
        'metadata',
        'name',
        'pipeline_stage',
        'project_status',
        'updated_at',
        'value',
      ].sort(),
    )
    expect(created.body.data).toMatchObject({ customer_id: customer.id, value: 12500.5, build_date: '2026-12-01', pipeline_stage: 'lead' })
    const updated = await call('POST', '/projects', { id: created.body.data.id, name: 'Roof and gutters' })
    expect(updated.status).toBe(200)
    expect(updated.body.data).toMatchObject({ name: 'Roof and gutters', value: 12500.5 })
    const fetched = await call('GET', `/projects/${created.body.data.id}`)
    expect(fetched.body.data.customer).toMatchObject({ id: customer.id, first_name: 'Jane' })
  })

  it('requires a customer of the same account', async () => {
    const theirs = await createCustomer(client, other)
    for (const customerId of [theirs.id, 'missing']) {
      const response = await call('POST', '/projects', { customer_id: customerId, name: 'x' })
      expect(response).toMatchObject({ status: 404, body: { error: 'Not Found', message: 'Customer not found' } })
    }
    expect((await call('POST', '/projects', { name: 'x' })).body).toEqual({ error: 'Bad Request', message: 'customer_id is required' })
    const { project } = await createProject(client, other)
    const hijack = await call('POST', '/projects', { id: project.id, name: 'mine now' })
    expect(hijack).toMatchObject({ status: 404, body: { message: 'Project not found' } })
    expect((await call('GET', `/projects/${project.id}`, undefined, other)).body.data.name).toBe('New roof')
  })

  it.each([
    [{ value: 'lots' }, 'value must be a number'],
    [{ build_date: '2026-02-31' }, 'build_date must be a date as YYYY-MM-DD'],
    [{ name: ['x'] }, 'name must be a string'],
  ])('rejects %j', async (fields, message) => {
    const customer = await createCustomer(client, tenant)
    const response = await call('POST', '/projects', { customer_id: customer.id, ...fields })
    expect(response).toMatchObject({ status: 400, body: { error: 'Bad Request', message } })
  })

  it('filters by pipeline_stage, project_status and customer_id', async () => {
    const t = await createTenant(client)
    const { project: a, customer } = await createProject(client, t, { pipeline_stage: 'quote', project_status: 'open' })
    const b = (await call('POST', '/projects', { customer_id: customer.id, pipeline_stage: 'won' }, t)).body.data
    const { project: c } = await createProject(client, t, { pipeline_stage: 'quote' })
    const ids = async (query: string) => (await call('GET', `/projects?${query}`, undefined, t)).body.data.map((p: { id: string }) => p.id)
    expect(await ids('')).toEqual([c.id, b.id, a.id])
    expect(await ids('pipeline_stage=quote')).toEqual([c.id, a.id])
    expect(await ids('project_status=open')).toEqual([a.id])
    expect(await ids(`customer_id=${customer.id}`)).toEqual([b.id, a.id])
  })

  it('PATCH status updates stage and status; a non-automation status queues nothing', async () => {
    const { project } = await createProject(client, tenant)
    const response = await call('PATCH', `/projects/${project.id}/status`, { pipeline_stage: 'production', project_status: 'in_progress' })
    expect(response.status).toBe(200)
    expect(response.body.data.project).toMatchObject({ pipeline_stage: 'production', project_status: 'in_progress' })
    expect(response.body.data.event).toBeNull()
    expect(response.body.data.communications).toEqual([])
    expect((await call('PATCH', `/projects/${project.id}/status`, { other: 1 })).body).toEqual({
      error: 'Bad Request',
      message: 'project_status or pipeline_stage is required',
    })
    expect((await call('PATCH', `/projects/${project.id}/status`, { project_status: 5 })).body.message).toBe(
      'project_status must be a string',
    )
    const { project: theirs } = await createProject(client, other)
    const foreign = await call('PATCH', `/projects/${theirs.id}/status`, { project_status: 'contract_signed' })
    expect(foreign).toMatchObject({ status: 404, body: { message: 'Project not found' } })
    expect((await call('GET', `/projects/${theirs.id}`, undefined, other)).body.data.project_status).toBeNull()
    expect((await call('GET', `/projects/${theirs.id}/events`, undefined, other)).body.data).toEqual([])
  })
})

describe('the /hub/v1 surface', () => {
  it("answers another account's ids on every read by id with 404 and the documented body", async () => {
    const { project, customer } = await createProject(client, other)
    const event = (await call('POST', '/events', { project_id: project.id, event_type: 'contract_ready' }, other)).body.data
    const reads: [string, string][] = [
      [`/customers/${customer.id}`, 'Customer not found'],
      [`/projects/${project.id}`, 'Project not found'],
      [`/projects/${project.id}/events`, 'Project not found'],
      [`/communications/${event.communications[0].id}`, 'Communication not found'],
    ]
    for (const [path, message] of reads) {
      expect(await call('GET', path), path).toEqual({ status: 404, body: { error: 'Not Found', message }, headers: expect.anything() })
      expect((await call('GET', path, undefined, other)).status, path).toBe(200)
    }
    for (const path of ['/customers', '/projects', '/communications', '/campaigns']) {
      expect(JSON.stringify((await call('GET', `${path}?limit=200`)).body), path).not.toContain(project.id)
    }
  })

  it('answers unknown paths with 404 and unsupported methods with 405 and Allow', async () => {
    expect(await call('GET', '/nothing')).toMatchObject({
      status: 404,
      body: { error: 'Not Found', message: 'No route for /hub/v1/nothing' },
    })
    const response = await call('DELETE', '/customers')
    expect(response).toMatchObject({ status: 405, body: { error: 'Method Not Allowed' } })
    expect(response.headers.get('allow')).toBe('GET, HEAD, POST')
    expect((await call('GET', '/campaigns/adjust')).headers.get('allow')).toBe('POST')
    expect((await call('PATCH', '/integrations/sendblue')).headers.get('allow')).toBe('PUT, POST')
  })
})

describe('GraphQL connections for frontends', () => {
  it('serve every hub list with totalCount, to a portal session as to a key', async () => {
    const t = await createTenant(client)
    const { project } = await createProject(client, t)
    await call('POST', '/events', { project_id: project.id, event_type: 'contract_generated' }, t)
    const query = `{
      customers(first: 1) { totalCount edges { node { id projects(first: 5) { totalCount } } } }
      projects(first: 5) { totalCount edges { node { id customer { firstName } events(first: 5) { totalCount edges { node { eventType communicationIds } } } } } }
      communications(first: 2, status: scheduled) { totalCount edges { node { id status } } }
      templates(first: 1, eventType: "process_abandoned") { totalCount }
      campaigns(first: 5) { totalCount edges { node { eventType pendingCount communications(first: 5) { totalCount } } } }
      providers { name configured }
    }`
    for (const auth of [{ cookie: t.cookie }, { key: t.key }]) {
      const result = await client.gql(query, {}, auth)
      expect(result.errors).toBeUndefined()
      const data = result.data
      expect(data.customers).toMatchObject({ totalCount: 1, edges: [{ node: { projects: { totalCount: 1 } } }] })
      expect(data.projects.edges[0].node).toMatchObject({ customer: { firstName: 'Jane' }, events: { totalCount: 1 } })
      expect(data.projects.edges[0].node.events.edges[0].node.communicationIds).toHaveLength(3)
      expect(data.communications.totalCount).toBe(3)
      expect(data.communications.edges).toHaveLength(2)
      expect(data.templates.totalCount).toBe(5)
      expect(data.campaigns.edges[0].node).toMatchObject({
        eventType: 'contract_generated',
        pendingCount: 3,
        communications: { totalCount: 3 },
      })
    }
    const { secret } = await t.createKey({ scopes: ['read:conversations'] })
    const denied = await client.gql('{ customers(first: 1) { totalCount } }', {}, { key: secret })
    expect(denied.errors?.[0]).toMatchObject({ message: 'Insufficient scope: read:hub required', extensions: { code: 'FORBIDDEN' } })
  })
})
