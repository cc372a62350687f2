/**
 * An endpoint's deliveries as a sync list (docs/sync.md, decision 0014): every delivery carries
 * `updated_at`, bumped by each attempt; `updated_since` is inclusive; `sort`/`order` break ties by
 * id; cursor pages stay exact while deliveries are queued; a cursor only works on its endpoint.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { db } from '../src/db/client.js'
import { deliverDueWebhooks, RETRY_DELAYS_MS } from '../src/services/webhooks/delivery.js'
import { countStatements, type TestClient, testApp } from './support/app.js'
import { ids, minutes, walk as walkWith } from './support/cursor-walk.js'
import { createTenant, type Tenant, twoTenants } from './support/tenants.js'
import { startReceiver } from './support/webhook-receiver.js'

let client: TestClient
let receiver: Awaited<ReturnType<typeof startReceiver>>

beforeAll(async () => {
  receiver = await startReceiver()
  client = await testApp({ ALLOW_PRIVATE_WEBHOOK_URLS: '1' })
})
afterAll(() => receiver.close())

const get = async (path: string, key: string) => {
  const response = await client.call('GET', `/hub/v1/webhooks${path}`, { key })
  return { status: response.status, body: await response.json() }
}

async function endpointOf(tenant: Tenant): Promise<string> {
  const created = await client.call('POST', '/hub/v1/webhooks', { key: tenant.key, body: { url: receiver.url, events: ['lead.created'] } })
  expect(created.status).toBe(201)
  return (await created.json()).data.id
}

/** Deliveries written straight to the table, created (and last updated) at the given times. */
async function deliveries(tenant: Tenant, endpointId: string, times: Date[]): Promise<string[]> {
  const rows = await db.webhookDelivery.createManyAndReturn({
    data: times.map((at) => ({ accountId: tenant.accountId, endpointId, event: 'test', body: '{}', createdAt: at, updatedAt: at })),
    select: { id: true },
  })
  return rows.map((r) => r.id)
}

const walk = (path: string, key: string, alongside?: (page: number) => Promise<unknown>) => walkWith(get, path, key, alongside)

describe("an endpoint's deliveries by cursor", () => {
  it('walk every delivery exactly once while deliveries are queued, in either order', async () => {
    const tenant = await createTenant(client)
    const endpoint = await endpointOf(tenant)
    const original = await deliveries(
      tenant,
      endpoint,
      Array.from({ length: 13 }, (_, i) => minutes(i)),
    )
    const path = `/${endpoint}/deliveries`
    // Newest first: deliveries queued during the walk are newer than every cursor.
    const queue = () => client.call('POST', `/hub/v1/webhooks/${endpoint}/test`, { key: tenant.key })
    expect(await walk(`${path}?limit=4`, tenant.key, queue)).toEqual([...original].reverse())
    const queued = (await db.webhookDelivery.count({ where: { endpointId: endpoint } })) - original.length
    expect(queued).toBe(3)
    // Oldest first: what is queued meanwhile lands after the cursor and is read once, at the end.
    const oldestFirst = await walk(`${path}?limit=5&order=asc`, tenant.key, (page) => (page < 2 ? queue() : Promise.resolve()))
    const table = await db.webhookDelivery.findMany({ where: { endpointId: endpoint }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] })
    expect(new Set(oldestFirst).size).toBe(oldestFirst.length)
    expect(oldestFirst.slice(0, original.length)).toEqual(original)
    expect(oldestFirst).toEqual(table.map((row) => row.id).filter((id) => oldestFirst.includes(id)))
    expect(oldestFirst.length).toBeGreaterThanOrEqual(original.length + queued)
  })

  it('answer the cursor envelope (total only with count=true), keep the status filter, and leave offset pages as they were', async () => {
    const tenant = await createTenant(client)
    const endpoint = await endpointOf(tenant)
    const all = await deliveries(tenant, endpoint, [minutes(1), minutes(2), minutes(3)])
    await db.webhookDelivery.update({ where: { id: all[1] }, data: { status: 'failed' } })
    const first = await get(`/${endpoint}/deliveries?cursor=&limit=2`, tenant.key)
    expect(first.body.pagination).toEqual({ limit: 2, has_more: true, next_cursor: expect.any(String) })
    expect(ids(first.body)).toEqual([all[2], all[1]])
    expect(first.body.data[0]).toMatchObject({ updated_at: minutes(3).toISOString(), attempt_log: [] })
    const last = await get(`/${endpoint}/deliveries?starting_after=${first.body.pagination.next_cursor}&limit=2&count=true`, tenant.key)
    expect(last.body.pagination).toEqual({ limit: 2, has_more: false, next_cursor: expect.any(String), total: 3 })
    expect(ids(last.body)).toEqual([all[0]])
    const pending = await get(`/${endpoint}/deliveries?cursor=&status=pending&count=true`, tenant.key)
    expect(ids(pending.body)).toEqual([all[2], all[0]])
    expect(pending.body.pagination.total).toBe(2)
    expect((await get(`/${endpoint}/deliveries?limit=2`, tenant.key)).body.pagination).toEqual({ limit: 2, offset: 0, total: 3 })
    expect((await get(`/${endpoint}/deliveries?cursor=&offset=1`, tenant.key)).status).toBe(400)
    expect((await get(`/${endpoint}/deliveries?sort=delivered_at`, tenant.key)).status).toBe(400)
  })

  it('read a cursor page in the same number of statements for 1 delivery as for 10', async () => {
    const tenant = await createTenant(client)
    const endpoint = await endpointOf(tenant)
    const count = () => countStatements(() => get(`/${endpoint}/deliveries?cursor=`, tenant.key))
    await deliveries(tenant, endpoint, [minutes(1)])
    await count() // the key is remembered after its first use
    const one = await count()
    await deliveries(
      tenant,
      endpoint,
      Array.from({ length: 9 }, (_, i) => minutes(i + 2)),
    )
    expect(await count()).toBe(one)
    expect(one).toBe(3) // the endpoint, the page's ids, then its rows with every attempt
  })

  it("refuse a cursor from another endpoint or order, and answer 404 for another account's endpoint", async () => {
    const [mine, theirs] = await twoTenants(client)
    const [a, b] = [await endpointOf(mine), await endpointOf(mine)]
    await deliveries(mine, a, [minutes(1), minutes(2)])
    await deliveries(mine, b, [minutes(1), minutes(2)])
    const cursor = (await get(`/${a}/deliveries?cursor=&limit=1`, mine.key)).body.pagination.next_cursor
    for (const path of [`/${b}/deliveries?cursor=${cursor}`, `/${a}/deliveries?cursor=${cursor}&order=asc`]) {
      const answer = await get(path, mine.key)
      expect(answer.status, path).toBe(400)
      expect(answer.body).toMatchObject({ error: 'Bad Request' })
    }
    const theirEndpoint = await endpointOf(theirs)
    await deliveries(theirs, theirEndpoint, [minutes(1)])
    for (const query of ['cursor=', 'updated_since=2000-01-01T00:00:00Z&sort=updated_at', `cursor=${cursor}`]) {
      const answer = await get(`/${theirEndpoint}/deliveries?${query}`, mine.key)
      expect(answer, query).toMatchObject({ status: 404, body: { message: 'Webhook endpoint not found' } })
    }
  })
})

describe("an endpoint's deliveries by updated_at", () => {
  it('include a delivery updated exactly at the boundary, on offset pages, cursor pages and GraphQL', async () => {
    const tenant = await createTenant(client)
    const endpoint = await endpointOf(tenant)
    const boundary = new Date('2026-06-01T12:00:00.000Z')
    const [before, at, after] = await deliveries(tenant, endpoint, [
      new Date(boundary.getTime() - 1),
      boundary,
      new Date(boundary.getTime() + 1),
    ])
    expect(before).toBeDefined()
    const since = `updated_since=${boundary.toISOString()}`
    const offset = await get(`/${endpoint}/deliveries?${since}&sort=updated_at&order=asc`, tenant.key)
    expect(ids(offset.body)).toEqual([at, after])
    expect(offset.body.pagination).toEqual({ limit: 50, offset: 0, total: 2 })
    const cursor = await get(`/${endpoint}/deliveries?updated_since=2026-06-01T14:00:00%2B02:00&cursor=&count=true`, tenant.key)
    expect(ids(cursor.body)).toEqual([after, at])
    expect(cursor.body.pagination.total).toBe(2)
    const graphql = await client.gql(
      `query($id: ID!) { webhookEndpoint(id: $id) {
        deliveries(updatedSince: "2026-06-01T12:00:00Z", sort: UPDATED_AT, order: ASC) { totalCount edges { node { id updatedAt } } }
      } }`,
      { id: endpoint },
      { key: tenant.key },
    )
    expect(graphql.errors).toBeUndefined()
    expect(graphql.data.webhookEndpoint.deliveries).toEqual({
      totalCount: 2,
      edges: [
        { node: { id: at, updatedAt: boundary.toISOString() } },
        { node: { id: after, updatedAt: new Date(boundary.getTime() + 1).toISOString() } },
      ],
    })
  })

  it('bump updated_at when an attempt fails and is retried, and when it is delivered', async () => {
    const tenant = await createTenant(client)
    const endpoint = await endpointOf(tenant)
    const queued = (await (await client.call('POST', `/hub/v1/webhooks/${endpoint}/test`, { key: tenant.key })).json()).data
    expect(queued.updated_at).toBe(queued.created_at)
    const read = async () => (await get(`/${endpoint}/deliveries/${queued.id}`, tenant.key)).body.data
    const later = (than: string) => `/${endpoint}/deliveries?updated_since=${new Date(Date.parse(than) + 1).toISOString()}`

    const now = Date.now() + 1000
    receiver.answer({ status: 503, body: 'busy' })
    expect(await deliverDueWebhooks({ config: client.app.config, now: new Date(now), accountId: tenant.accountId })).toBe(1)
    const retrying = await read()
    expect(retrying).toMatchObject({ status: 'pending', attempts: 1 })
    expect(Date.parse(retrying.updated_at)).toBeGreaterThan(Date.parse(queued.updated_at))
    // A client that synced up to the queued delivery sees it again, once it changed.
    expect(ids((await get(later(queued.updated_at), tenant.key)).body)).toEqual([queued.id])

    const retryAt = new Date(now + RETRY_DELAYS_MS[0] + 1000)
    expect(await deliverDueWebhooks({ config: client.app.config, now: retryAt, accountId: tenant.accountId })).toBe(1)
    const delivered = await read()
    expect(delivered).toMatchObject({ status: 'succeeded', attempts: 2 })
    expect(Date.parse(delivered.updated_at)).toBeGreaterThan(Date.parse(retrying.updated_at))
    expect(Date.parse(delivered.updated_at)).toBeGreaterThanOrEqual(Date.parse(delivered.delivered_at))
    expect(ids((await get(later(retrying.updated_at), tenant.key)).body)).toEqual([queued.id])
    expect(ids((await get(later(delivered.updated_at), tenant.key)).body)).toEqual([])
  })

  it('order deliveries with the same time by id, without repeats across pages, both ways', async () => {
    const tenant = await createTenant(client)
    const endpoint = await endpointOf(tenant)
    const same = minutes(7)
    const byId = (await deliveries(tenant, endpoint, [same, same, same, same, same])).sort()
    const path = `/${endpoint}/deliveries`
    expect(await walk(`${path}?sort=updated_at&order=asc&limit=2`, tenant.key)).toEqual(byId)
    expect(await walk(`${path}?sort=created_at&limit=2`, tenant.key)).toEqual([...byId].reverse())
    const offsetPages = []
    for (const offset of [0, 2, 4]) {
      offsetPages.push(...ids((await get(`${path}?sort=updated_at&order=asc&limit=2&offset=${offset}`, tenant.key)).body))
    }
    expect(offsetPages).toEqual(byId)
    const page = async (args: string) => {
      const answer = await client.gql(
        `query($id: ID!) { webhookEndpoint(id: $id) {
          deliveries(${args}, sort: UPDATED_AT, order: ASC) { edges { node { id } } pageInfo { endCursor } }
        } }`,
        { id: endpoint },
        { key: tenant.key },
      )
      expect(answer.errors).toBeUndefined()
      return answer.data.webhookEndpoint.deliveries as { edges: { node: { id: string } }[]; pageInfo: { endCursor: string } }
    }
    const forward = await page('first: 2')
    expect(forward.edges.map((e) => e.node.id)).toEqual(byId.slice(0, 2))
    const rest = await page(`first: 5, after: "${forward.pageInfo.endCursor}"`)
    expect(rest.edges.map((e) => e.node.id)).toEqual(byId.slice(2))
  })
})
