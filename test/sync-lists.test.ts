/**
 * Lists an integrator can sync from (docs/api-crm.md#sync, docs/api-leads.md#sync, decision 0014):
 * `updated_since` is inclusive, `sort`/`order` break ties by id, cursor pages stay exact while rows
 * are inserted, a cursor only works on the list and sort that handed it out, and a cursor page
 * counts nothing unless asked. Offset pages keep their documented envelopes.
 */
import { beforeAll, describe, expect, it } from 'vitest'
import { db } from '../src/db/client.js'
import { countStatements, keyRemembered, type TestClient, testApp } from './support/app.js'
import { ids, minutes, walk as walkWith } from './support/cursor-walk.js'
import { createCustomer, createProject, hubCall } from './support/hub.js'
import { createTenant, type Tenant } from './support/tenants.js'

let client: TestClient
let tenant: Tenant

beforeAll(async () => {
  client = await testApp()
  tenant = await createTenant(client)
})

const get = async (path: string, key = tenant.key) => {
  const response = await client.call('GET', path, { key })
  return { status: response.status, body: await response.json() }
}

/** Conversations written straight to the table, at the given creation times (and updated then too). */
async function conversations(accountId: string, times: Date[]): Promise<string[]> {
  const rows = await db.conversation.createManyAndReturn({
    data: times.map((at) => ({
      accountId,
      channel: 'sms' as const,
      participant: '+15555550100',
      startedAt: at,
      createdAt: at,
      updatedAt: at,
    })),
    select: { id: true },
  })
  return rows.map((r) => r.id)
}

const walk = (path: string, key: string, alongside?: (page: number) => Promise<unknown>) => walkWith(get, path, key, alongside)

describe('cursor pages', () => {
  it('walk every row exactly once while rows are inserted, in either order', async () => {
    const t = await createTenant(client)
    const original = await conversations(
      t.accountId,
      Array.from({ length: 23 }, (_, i) => minutes(i)),
    )
    // Newest first: rows inserted during the walk are newer than every cursor, so none shows up.
    const newestFirst = await walk('/v1/conversations?limit=5', t.key, () => conversations(t.accountId, [new Date(), new Date()]))
    expect(newestFirst).toEqual([...original].reverse())
    const inserted = (await db.conversation.count({ where: { accountId: t.accountId } })) - original.length
    expect(inserted).toBe(8)
    // Oldest first: the rows inserted meanwhile land after the cursor and are read once, at the end.
    const oldestFirst = await walk('/v1/conversations?limit=6&order=asc', t.key, (page) =>
      page < 3 ? conversations(t.accountId, [new Date(Date.now() + 60_000)]) : Promise.resolve(),
    )
    const table = await db.conversation.findMany({ where: { accountId: t.accountId }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] })
    expect(new Set(oldestFirst).size).toBe(oldestFirst.length)
    expect(oldestFirst.slice(0, original.length)).toEqual(original)
    // Every row that existed when the walk began, and each insert once at most, in the table's order.
    expect(oldestFirst).toEqual(table.map((row) => row.id).filter((id) => oldestFirst.includes(id)))
    expect(oldestFirst.length).toBeGreaterThanOrEqual(original.length + inserted)
  })

  it('start with an empty cursor, answer has_more and next_cursor, and count only when asked', async () => {
    const t = await createTenant(client)
    const all = await conversations(t.accountId, [minutes(1), minutes(2), minutes(3)])
    const first = await get('/v1/conversations?cursor=&limit=2', t.key)
    expect(first.body.pagination).toEqual({ limit: 2, has_more: true, next_cursor: expect.any(String) })
    expect(ids(first.body)).toEqual([all[2], all[1]])
    const last = await get(`/v1/conversations?starting_after=${first.body.pagination.next_cursor}&limit=2&count=true`, t.key)
    expect(last.body.pagination).toEqual({ limit: 2, has_more: false, next_cursor: expect.any(String), total: 3 })
    expect(ids(last.body)).toEqual([all[0]])
    // Past the end: nothing, and the cursor to resume from later is the one sent.
    const after = await get(`/v1/conversations?cursor=${last.body.pagination.next_cursor}`, t.key)
    expect(after.body).toEqual({ data: [], pagination: { limit: 50, has_more: false, next_cursor: last.body.pagination.next_cursor } })
    // limit above the maximum is clamped as offset pages clamp it.
    expect((await get('/v1/conversations?cursor=&limit=500', t.key)).body.pagination.limit).toBe(200)
    // Without a cursor the documented offset envelope is unchanged.
    expect((await get('/v1/conversations?limit=2', t.key)).body.pagination).toEqual({ limit: 2, offset: 0, total: 3 })
  })

  it('read one statement per page, two with count=true, whatever the list holds', async () => {
    const t = await createTenant(client)
    await conversations(
      t.accountId,
      Array.from({ length: 120 }, (_, i) => minutes(i)),
    )
    await keyRemembered(client, t.key)
    const page = await get('/v1/conversations?cursor=&limit=100', t.key)
    const next = page.body.pagination.next_cursor
    expect(await countStatements(() => get(`/v1/conversations?cursor=${next}&limit=100`, t.key))).toBe(1)
    expect(await countStatements(() => get(`/v1/conversations?cursor=${next}&limit=100&count=true`, t.key))).toBe(2)
    expect(await countStatements(() => get('/v1/conversations?offset=100&limit=100', t.key))).toBe(2)
    // A parent's rows: the parent, its page of ids, the rows.
    const [conversation] = await conversations(t.accountId, [minutes(500)])
    await db.message.createMany({
      data: Array.from({ length: 120 }, (_, i) => ({
        accountId: t.accountId,
        conversationId: conversation,
        direction: 'inbound' as const,
        channel: 'sms' as const,
        sender: 'customer' as const,
        content: `m${i}`,
        status: 'received',
        createdAt: minutes(i),
      })),
    })
    const messages = `/v1/conversations/${conversation}/messages`
    const firstMessages = await get(`${messages}?cursor=&limit=10`, t.key)
    expect(firstMessages.body.data).toHaveLength(10)
    // A REST cursor page is as large as the surface's limit allows, above GraphQL's 100.
    expect((await get(`${messages}?cursor=&limit=150`, t.key)).body).toMatchObject({ pagination: { limit: 150, has_more: false } })
    expect((await get(`${messages}?cursor=&limit=150`, t.key)).body.data).toHaveLength(120)
    expect(await countStatements(() => get(`${messages}?cursor=${firstMessages.body.pagination.next_cursor}&limit=10`, t.key))).toBe(3)
  })

  it('refuse a forged cursor, or one from another sort, order or list, with the same 400 in each surface’s shape', async () => {
    const t = await createTenant(client)
    await conversations(t.accountId, [minutes(1), minutes(2)])
    const handed = (await get('/v1/conversations?cursor=&limit=1', t.key)).body.pagination.next_cursor
    const refused = { error: 'Bad Request', message: 'Invalid cursor: use a cursor this list returned' }
    for (const path of [
      `/v1/conversations?cursor=${handed}&sort=updated_at`,
      `/v1/conversations?cursor=${handed}&order=asc`,
      `/v1/conversations?cursor=${handed}x`,
      '/v1/conversations?cursor=bm90LWEtY3Vyc29y.AAAA',
      `/hub/v1/customers?cursor=${handed}`,
    ]) {
      expect(await get(path, t.key), path).toEqual({ status: 400, body: refused })
    }
    const otherAccount = await createTenant(client)
    expect(await get(`/v1/conversations?cursor=${handed}`, otherAccount.key)).toEqual({ status: 400, body: refused })
    await client.call('POST', '/api/v1/leads', { key: t.key, body: { name: 'L' } })
    const leadCursor = (await get('/api/v1/leads?cursor=&per_page=1', t.key)).body.meta.next_cursor
    expect(await get(`/api/v1/leads?cursor=${leadCursor}&sort=updated_at`, t.key)).toEqual({
      status: 400,
      body: { error: 'Invalid cursor: use a cursor this list returned' },
    })
    const gql = await client.gql(
      'query($after: String) { conversations(first: 1, after: $after, sort: UPDATED_AT) { edges { node { id } } } }',
      { after: handed },
      { key: t.key },
    )
    expect(gql.status).toBe(400)
    expect(gql.errors?.[0]).toMatchObject({ message: refused.message, extensions: { code: 'BAD_REQUEST' } })
  })

  it('refuse offset or page beside a cursor, and bad sync parameters, with a 400', async () => {
    const cases: [string, string][] = [
      ['/v1/conversations?cursor=&offset=10', 'Give offset or cursor, not both'],
      ['/api/v1/leads?cursor=&page=2', 'Give page or cursor, not both'],
      ['/v1/conversations?updated_since=yesterday', 'updated_since'],
      ['/v1/conversations?sort=name', 'sort'],
      ['/hub/v1/projects?order=up', 'order'],
      ['/hub/v1/customers?cursor=a&starting_after=b', 'Give cursor or starting_after, not both'],
    ]
    for (const [path, message] of cases) {
      const answer = await get(path)
      expect(answer.status, path).toBe(400)
      expect(JSON.stringify(answer.body), path).toContain(message)
    }
  })
})

describe('updated_since and sort', () => {
  it('include a row updated exactly at the boundary, on offset pages, cursor pages and GraphQL', async () => {
    const t = await createTenant(client)
    const [before, at, after] = await Promise.all(['before', 'at', 'after'].map((name) => createCustomer(client, t, { name })))
    const boundary = new Date('2026-06-01T12:00:00.000Z')
    const times: [string, Date][] = [
      [before.id, new Date(boundary.getTime() - 1)],
      [at.id, boundary],
      [after.id, new Date(boundary.getTime() + 1)],
    ]
    for (const [id, time] of times) await db.$executeRaw`UPDATE customers SET updated_at = ${time} WHERE id = ${id}`
    const since = 'updated_since=2026-06-01T12:00:00.000Z'
    const offset = await hubCall(client, t, 'GET', `/customers?${since}&sort=updated_at&order=asc`)
    expect(ids(offset.body)).toEqual([at.id, after.id])
    expect(offset.body.pagination).toEqual({ limit: 50, offset: 0, total: 2 })
    // The same instant in another zone is the same boundary.
    const cursor = await hubCall(
      client,
      t,
      'GET',
      '/customers?updated_since=2026-06-01T14:00:00%2B02:00&sort=updated_at&order=desc&cursor=&count=true',
    )
    expect(ids(cursor.body)).toEqual([after.id, at.id])
    expect(cursor.body.pagination.total).toBe(2)
    const graphql = await client.gql(
      `{ customers(updatedSince: "2026-06-01T12:00:00Z", sort: UPDATED_AT, order: ASC) { totalCount edges { node { id updatedAt } } } }`,
      {},
      { key: t.key },
    )
    expect(graphql.data.customers.edges.map((e: { node: { id: string } }) => e.node.id)).toEqual([at.id, after.id])
    expect(graphql.data.customers.totalCount).toBe(2)
  })

  it('order rows with the same time by id, without repeats across pages, both ways', async () => {
    const t = await createTenant(client)
    const same = minutes(7)
    const tied = await conversations(t.accountId, [same, same, same, same, same])
    const byId = [...tied].sort()
    expect(await walk('/v1/conversations?sort=updated_at&order=asc&limit=2', t.key)).toEqual(byId)
    expect(await walk('/v1/conversations?sort=started_at&limit=2', t.key)).toEqual([...byId].reverse())
    const offsetPages = []
    for (const offset of [0, 2, 4]) {
      offsetPages.push(...ids((await get(`/v1/conversations?sort=updated_at&order=asc&limit=2&offset=${offset}`, t.key)).body))
    }
    expect(offsetPages).toEqual(byId)
    // GraphQL pages the same way, backwards too.
    const page = async (args: string) => {
      const query = `{ conversations(${args}, sort: UPDATED_AT, order: ASC) { edges { node { id } } pageInfo { endCursor } } }`
      const answer = await client.gql(query, {}, { key: t.key })
      expect(answer.errors).toBeUndefined()
      return answer.data.conversations as { edges: { node: { id: string } }[]; pageInfo: { endCursor: string } }
    }
    const forward = await page('first: 2')
    expect(forward.edges.map((e) => e.node.id)).toEqual(byId.slice(0, 2))
    const rest = await page(`first: 5, after: "${forward.pageInfo.endCursor}"`)
    expect(rest.edges.map((e) => e.node.id)).toEqual(byId.slice(2))
    expect((await page('last: 3')).edges.map((e) => e.node.id)).toEqual(byId.slice(2))
  })

  it('sort a parent’s rows: a project’s events by updated_at, a customer’s projects on GraphQL', async () => {
    const t = await createTenant(client)
    const { project } = await createProject(client, t)
    const recorded = []
    for (const type of ['website_visited', 'quote_sent', 'site_visit']) {
      recorded.push((await hubCall(client, t, 'POST', '/events', { project_id: project.id, event_type: type })).body.data.event)
    }
    const first = recorded[0].id
    await db.$executeRaw`UPDATE project_events SET updated_at = now() + interval '1 hour' WHERE id = ${first}`
    const events = await hubCall(client, t, 'GET', `/projects/${project.id}/events?sort=updated_at&limit=1&cursor=`)
    expect(ids(events.body)).toEqual([first])
    expect(events.body.data[0]).toHaveProperty('updated_at')
    const since = await hubCall(
      client,
      t,
      'GET',
      `/projects/${project.id}/events?updated_since=${new Date(Date.now() + 1_800_000).toISOString()}`,
    )
    expect(since.body.pagination).toEqual({ limit: 50, offset: 0, total: 1 })
    // A customer's projects, nested in GraphQL: the same arguments, read for every customer at once.
    const second = await hubCall(client, t, 'POST', '/projects', { customer_id: project.customer_id, name: 'Second' })
    await db.$executeRaw`UPDATE projects SET updated_at = now() - interval '1 hour' WHERE id = ${second.body.data.id}`
    const nested = await client.gql(
      `{ customers(first: 5) { edges { node { projects(sort: UPDATED_AT, order: ASC) { edges { node { id } } } } } } }`,
      {},
      { key: t.key },
    )
    expect(nested.errors).toBeUndefined()
    const projects = nested.data.customers.edges[0].node.projects.edges.map((e: { node: { id: string } }) => e.node.id)
    expect(projects).toEqual([second.body.data.id, project.id])
  })
})

describe('every list', () => {
  it('accepts the sync parameters on every surface, by offset and by cursor', async () => {
    const t = await createTenant(client)
    const [conversation] = await conversations(t.accountId, [minutes(1)])
    const { project } = await createProject(client, t)
    const lists = [
      '/v1/conversations',
      `/v1/conversations/${conversation}/messages`,
      '/hub/v1/customers',
      '/hub/v1/projects',
      `/hub/v1/projects/${project.id}/events`,
      '/hub/v1/communications',
      '/hub/v1/templates',
      '/hub/v1/campaigns',
      '/api/v1/leads',
      '/api/v1/quotes',
      '/api/v1/appointments',
    ]
    const sync = 'updated_since=2000-01-01T00:00:00Z&sort=updated_at&order=asc'
    for (const list of lists) {
      const leads = list.startsWith('/api/v1')
      const size = leads ? 'per_page=2' : 'limit=2'
      const offset = await get(`${list}?${sync}&${size}`, t.key)
      expect(offset.status, list).toBe(200)
      expect(Object.keys(offset.body[leads ? 'meta' : 'pagination']).sort(), list).toEqual(
        leads ? ['page', 'per_page', 'total'] : ['limit', 'offset', 'total'],
      )
      const cursor = await get(`${list}?${sync}&${size}&cursor=`, t.key)
      expect(cursor.status, list).toBe(200)
      expect(cursor.body[leads ? 'meta' : 'pagination'], list).toMatchObject({ has_more: expect.any(Boolean) })
      expect(cursor.body[leads ? 'meta' : 'pagination'], list).toHaveProperty('next_cursor')
    }
  })
})
