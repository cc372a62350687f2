import { beforeAll, describe, expect, it } from 'vitest'
import { db } from '../src/db/client.js'
import { purgeOldChanges } from '../src/services/changes/retention.js'
import { countStatements, type TestClient, testApp } from './support/app.js'
import { createCustomer, createProject, hubCall } from './support/hub.js'
import { type Tenant, twoTenants } from './support/tenants.js'

let client: TestClient
let tenant: Tenant
let other: Tenant

beforeAll(async () => {
  client = await testApp()
  ;[tenant, other] = await twoTenants(client)
})

const feed = async (query = '', who = tenant) => {
  const answer = await hubCall(client, who, 'GET', `/changes${query}`)
  expect(answer.status, JSON.stringify(answer.body)).toBe(200)
  return answer.body as { data: any[]; next_cursor: string; has_more: boolean }
}

describe('GET /hub/v1/changes', () => {
  it('lists creates and updates oldest first, with the record, previous values, actor and request id', async () => {
    const start = (await feed('?cursor=now')).next_cursor
    const key = await tenant.createKey()
    const created = await client.call('POST', '/hub/v1/customers', {
      key: key.secret,
      body: { external_id: 'feed-1', first_name: 'Ann', phone: '+15555550123' },
      headers: { 'x-request-id': 'req-create-1' },
    })
    expect(created.status).toBe(201)
    const customer = (await created.json()).data
    await hubCall(client, tenant, 'POST', '/customers', { external_id: 'feed-1', email: 'ann@example.com' }, { 'x-request-id': 'req-2' })

    const page = await feed(`?cursor=${start}`)
    expect(page.data.map((c) => [c.object_type, c.action])).toEqual([
      ['customer', 'created'],
      ['customer', 'updated'],
    ])
    const [first, second] = page.data
    expect(first).toMatchObject({
      object_id: customer.id,
      actor: { type: 'api_key', id: key.id },
      request_id: 'req-create-1',
      previous: null,
      data: { id: customer.id, external_id: 'feed-1', first_name: 'Ann', phone: '+15555550123', created_at: customer.created_at },
    })
    expect(Object.keys(first.data)).not.toContain('search_text')
    expect(Object.keys(first.data)).not.toContain('account_id')
    expect(second).toMatchObject({ request_id: 'req-2', previous: { email: null }, data: { email: 'ann@example.com' } })
    expect(Object.keys(second.previous)).toEqual(['email'])
    expect(page.next_cursor).toBe(second.cursor)
    expect(page.has_more).toBe(false)

    const empty = await feed(`?cursor=${page.next_cursor}`)
    expect(empty).toEqual({ data: [], next_cursor: page.next_cursor, has_more: false })
  })

  it('pages by cursor, filters by object type and never shows another account its changes', async () => {
    const start = (await feed('?cursor=now')).next_cursor
    const { project, customer } = await createProject(client, tenant)
    await createCustomer(client, other)
    const first = await feed(`?cursor=${start}&limit=1`)
    expect(first.data).toHaveLength(1)
    expect(first.has_more).toBe(true)
    const rest = await feed(`?cursor=${first.next_cursor}`)
    expect([...first.data, ...rest.data].map((c) => c.object_id)).toEqual([customer.id, project.id])
    const projects = await feed(`?cursor=${start}&object_type=project`)
    expect(projects.data.map((c) => c.object_id)).toEqual([project.id])
    const theirs = await feed('', other)
    expect(theirs.data.every((c) => c.object_id !== project.id && c.object_id !== customer.id)).toBe(true)
  })

  it('reads a page in two statements', async () => {
    await createCustomer(client, tenant)
    expect(await countStatements(() => feed('?limit=200'))).toBeLessThanOrEqual(2 + 0)
  })

  it('is a GraphQL connection: edges with cursors, and pageInfo.endCursor to resume from', async () => {
    const start = (await feed('?cursor=now')).next_cursor
    const customer = await createCustomer(client, tenant)
    const query = `query($after: String) { changes(after: $after, first: 5, objectTypes: ["customer"]) {
      edges { cursor node { objectType objectId action data actor { type id } changedAt } } pageInfo { hasNextPage endCursor } } }`
    const answer = await client.gql(query, { after: start }, { key: tenant.key })
    expect(answer.errors).toBeUndefined()
    const { edges, pageInfo } = answer.data.changes
    expect(edges).toHaveLength(1)
    expect(edges[0].node).toMatchObject({ objectType: 'customer', objectId: customer.id, action: 'created', actor: { type: 'api_key' } })
    expect(pageInfo).toEqual({ hasNextPage: false, endCursor: edges[0].cursor })
    const after = await client.gql(query, { after: pageInfo.endCursor }, { key: tenant.key })
    expect(after.data.changes).toEqual({ edges: [], pageInfo: { hasNextPage: false, endCursor: pageInfo.endCursor } })
    const backwards = await client.gql(`{ changes(last: 5) { edges { cursor } } }`, {}, { key: tenant.key })
    expect(backwards.errors?.[0].extensions.code).toBe('BAD_REQUEST')
  })

  it('refuses a bad cursor, limit or object type with a 400', async () => {
    for (const query of ['?cursor=abc', '?limit=0', '?limit=501', '?object_type=planet']) {
      const answer = await hubCall(client, tenant, 'GET', `/changes${query}`)
      expect(answer.status, query).toBe(400)
      expect(answer.body.error).toBe('Bad Request')
    }
  })

  it('needs read:hub', async () => {
    const key = await tenant.createKey({ scopes: ['leads:read'] })
    const answer = await client.call('GET', '/hub/v1/changes', { key: key.secret })
    expect(answer.status).toBe(403)
  })

  it('records a delete as a tombstone, a soft delete as deleted and its undoing as restored', async () => {
    await db.$executeRawUnsafe(`ALTER TABLE customers ADD COLUMN IF NOT EXISTS deleted_at timestamptz(3)`)
    const start = (await feed('?cursor=now')).next_cursor
    const customer = await createCustomer(client, tenant)
    await db.$executeRaw`UPDATE customers SET deleted_at = now() WHERE id = ${customer.id}`
    await db.$executeRaw`UPDATE customers SET deleted_at = NULL WHERE id = ${customer.id}`
    await db.$executeRaw`DELETE FROM customers WHERE id = ${customer.id}`
    const page = await feed(`?cursor=${start}`)
    expect(page.data.map((c) => c.action)).toEqual(['created', 'deleted', 'restored', 'deleted'])
    expect(page.data[1]).toMatchObject({ data: { id: customer.id, deleted: true }, previous: { deleted_at: null } })
    expect(page.data[2].data).toMatchObject({ id: customer.id, deleted_at: null, first_name: 'Jane' })
    expect(page.data[3]).toMatchObject({ data: { id: customer.id, deleted: true }, previous: { id: customer.id, first_name: 'Jane' } })
    expect(page.data[1].actor).toEqual({ type: 'system', id: null })
  })

  it('purges changes past 30 days', async () => {
    await createCustomer(client, tenant)
    const kept = await feed('?limit=500')
    const [first, head] = [kept.data[0].cursor, kept.next_cursor]
    await db.$executeRaw`UPDATE changes SET changed_at = changed_at - interval '31 days' WHERE account_id = ${tenant.accountId}`
    expect(await purgeOldChanges()).toBeGreaterThan(0)
    expect((await feed('?limit=500')).data).toEqual([])
    // A cursor from before the purge cannot be resumed without missing changes: 410, never a silent skip.
    const expired = await hubCall(client, tenant, 'GET', `/changes?cursor=${first}`)
    expect(expired.status).toBe(410)
    expect(expired.body).toMatchObject({ error: 'Gone', message: expect.stringContaining('cursor=now') })
    // The last position handed out still resumes, and what follows it arrives.
    expect((await feed(`?cursor=${head}`)).data).toEqual([])
    await createCustomer(client, tenant)
    expect((await feed(`?cursor=${head}`)).data.map((c) => c.action)).toEqual(['created'])
  })
})
