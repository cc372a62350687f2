import { beforeAll, describe, expect, it } from 'vitest'
import { db } from '../src/db/client.js'
import { numberWaitingChanges } from '../src/services/changes/feed.js'
import { countStatements, keyRemembered, type TestClient, testApp } from './support/app.js'
import { seedConversation } from './support/fixtures.js'
import { createProject } from './support/hub.js'
import { createTenant, type Tenant } from './support/tenants.js'

let client: TestClient
let tenant: Tenant
beforeAll(async () => {
  client = await testApp()
  tenant = await createTenant(client)
  await client.call('POST', '/api/v1/leads', {
    key: tenant.key,
    body: { name: 'Ann Lee', phone: '+15550001111', email: 'Ann.Lee@Example.com' },
  })
  await client.call('POST', '/hub/v1/customers', {
    key: tenant.key,
    body: { external_id: 'c-1', name: 'Bo Park', phone: '+15550002222', email: 'bo@example.com' },
  })
})

const leadNames = async (term: string) =>
  (
    (await (await client.call('GET', `/api/v1/leads?search=${encodeURIComponent(term)}`, { key: tenant.key })).json()).data as {
      name: string
    }[]
  ).map((l) => l.name)
const customerNames = async (term: string) =>
  (
    (await (await client.call('GET', `/hub/v1/customers?search=${encodeURIComponent(term)}`, { key: tenant.key })).json()).data as {
      name: string
    }[]
  ).map((c) => c.name)

describe('search over name, phone and email', () => {
  it('matches a substring of any one field, in any case', async () => {
    for (const term of ['ann', 'LEE', '0001111', '+1555000111', 'ann.lee@example.com', 'EXAMPLE.COM'])
      expect(await leadNames(term)).toEqual(['Ann Lee'])
    for (const term of ['park', '0002222', 'bo@EXAMPLE']) expect(await customerNames(term)).toEqual(['Bo Park'])
  })

  it('never matches across two fields, and treats % and _ literally', async () => {
    expect(await leadNames('lee +1555')).toEqual([])
    expect(await leadNames('1111 ann')).toEqual([])
    expect(await leadNames('%')).toEqual([])
    expect(await customerNames('b_@')).toEqual([])
  })
})

describe('project search over name, address and external id', () => {
  it('matches any one field on REST and GraphQL, and keeps the generated column out of the change feed', async () => {
    const t = await createTenant(client)
    await createProject(client, t, { external_id: 'JOB-42', name: 'Metal Roof', address: '12 Elm St' })
    await createProject(client, t, { name: 'Deck', address: '9 Oak Ave' })
    const names = async (term: string) =>
      (
        (await (await client.call('GET', `/hub/v1/projects?search=${encodeURIComponent(term)}`, { key: t.key })).json()).data as {
          name: string
        }[]
      ).map((p) => p.name)
    for (const term of ['metal', 'ELM ST', 'job-42']) expect(await names(term)).toEqual(['Metal Roof'])
    expect(await names('roof 12')).toEqual([])
    const graphql = await client.gql('{ projects(search: "deck") { totalCount edges { node { name } } } }', {}, { key: t.key })
    expect(graphql.data.projects).toEqual({ totalCount: 1, edges: [{ node: { name: 'Deck' } }] })
    // Another account's projects are not searched.
    const other = await createTenant(client)
    expect((await (await client.call('GET', '/hub/v1/projects?search=metal', { key: other.key })).json()).data).toEqual([])
    await numberWaitingChanges([t.accountId])
    const feed = await client.gql('{ changes(objectTypes: ["project"], first: 10) { edges { node { data } } } }', {}, { key: t.key })
    expect(feed.errors).toBeUndefined()
    expect(feed.data.changes.edges.map((e: { node: { data: { name: string } } }) => e.node.data.name)).toEqual(['Metal Roof', 'Deck'])
    for (const edge of feed.data.changes.edges) expect(edge.node.data).not.toHaveProperty('search_text')
  })

  it('keeps the generated search column out of every recorded change', async () => {
    const t = await createTenant(client)
    const conversation = await seedConversation(t.accountId, { participant: '+15550009999' })
    await db.conversation.update({ where: { id: conversation.id }, data: { status: 'closed' } })
    await createProject(client, t, { name: 'Shed' })
    const tables = await db.$queryRaw<{ table: string }[]>`
      SELECT table_name AS table FROM information_schema.columns WHERE column_name = 'search_text' AND table_schema = current_schema()`
    expect(tables.length).toBeGreaterThanOrEqual(4)
    const recorded = await db.$queryRaw<{ type: string; leaked: boolean }[]>`
      SELECT object_type AS type, bool_or(data ? 'search_text' OR coalesce(previous ? 'search_text', false)) AS leaked
      FROM changes WHERE account_id = ${t.accountId} AND object_type IN ('conversation', 'customer', 'project')
      GROUP BY object_type ORDER BY object_type`
    expect(recorded).toEqual([
      { type: 'conversation', leaked: false },
      { type: 'customer', leaked: false },
      { type: 'project', leaked: false },
    ])
  })
})

describe("a search's total", () => {
  const total = async (key: string, term: string) =>
    ((await (await client.call('GET', `/api/v1/leads?search=${encodeURIComponent(term)}`, { key })).json()) as { meta: { total: number } })
      .meta.total

  it('stays exact after every kind of write, and is not counted again while nothing changed', async () => {
    const t = await createTenant(client)
    const created = async (name: string) =>
      (
        (await (await client.call('POST', '/api/v1/leads', { key: t.key, body: { name, email: `${name}@acme.test` } })).json()) as {
          data: { id: string }
        }
      ).data.id
    const first = await created('ada')
    await created('bea')
    expect(await total(t.key, 'acme.test')).toBe(2)
    await keyRemembered(client, t.key)

    // Counted after a write; then, unchanged, only the account's feed head is read, not every match.
    await created('cyd')
    const counted = await countStatements(async () => expect(await total(t.key, 'acme.test')).toBe(3))
    const again = await countStatements(async () => expect(await total(t.key, 'acme.test')).toBe(3))
    expect(again).toBe(counted - 1)
    await client.call('PATCH', `/api/v1/leads/${first}`, { key: t.key, body: { email: 'ada@elsewhere.test' } })
    expect(await total(t.key, 'acme.test')).toBe(2)
    const [other] = await db.lead.findMany({ where: { accountId: t.accountId, name: 'bea' }, select: { id: true } })
    await client.call('DELETE', `/api/v1/leads/${other.id}`, { key: t.key })
    expect(await total(t.key, 'acme.test')).toBe(1)
    await client.call('POST', `/api/v1/leads/${other.id}/restore`, { key: t.key })
    expect(await total(t.key, 'acme.test')).toBe(2)
    // Raw SQL, as a script would write: the change feed's trigger sees it too.
    await db.$executeRaw`INSERT INTO leads (id, account_id, name, email, updated_at) VALUES (gen_random_uuid()::text, ${t.accountId}, 'dee', 'dee@acme.test', now())`
    expect(await total(t.key, 'acme.test')).toBe(3)
    // Erasure forgets the person's changes, waiting ones included: the total still moves.
    const [cyd] = await db.lead.findMany({ where: { accountId: t.accountId, name: 'cyd' }, select: { id: true } })
    expect(await total(t.key, 'acme.test')).toBe(3)
    expect((await client.call('POST', `/api/v1/leads/${cyd.id}/erase`, { key: t.key })).status).toBe(200)
    expect(await total(t.key, 'acme.test')).toBe(2)
    // While more changes wait for the worker than the stamp reads, every search counts; once numbered, it is kept again.
    await db.lead.createMany({
      data: Array.from({ length: 1_001 }, (_, i) => ({ accountId: t.accountId, name: `bulk ${i}`, email: `bulk${i}@acme.test` })),
    })
    const busy = await countStatements(async () => expect(await total(t.key, 'acme.test')).toBe(1_003))
    expect(await countStatements(async () => expect(await total(t.key, 'acme.test')).toBe(1_003))).toBe(busy)
    expect(await numberWaitingChanges([t.accountId])).toBeGreaterThanOrEqual(1_001)
    const numbered = await countStatements(async () => expect(await total(t.key, 'acme.test')).toBe(1_003))
    expect(await countStatements(async () => expect(await total(t.key, 'acme.test')).toBe(1_003))).toBe(numbered - 1)
    // Another account's write changes nothing here, and its own total is its own.
    const u = await createTenant(client)
    await client.call('POST', '/api/v1/leads', { key: u.key, body: { name: 'eve', email: 'eve@acme.test' } })
    expect(await total(t.key, 'acme.test')).toBe(1_003)
    expect(await total(u.key, 'acme.test')).toBe(1)
  }, 180_000)
})
