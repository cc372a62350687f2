/**
 * The sync loop the docs give integrators (docs/examples/sync-loop.ts) works as written: it
 * type-checks under --strict against the types openapi-typescript makes from the served CRM
 * document, and, run while another client creates, updates and deletes records, it ends with a
 * mirror equal to what the API lists.
 */
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import openapiTS, { astToString } from 'openapi-typescript'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type TestClient, testApp } from './support/app.js'
import { createTenant, type Tenant } from './support/tenants.js'
import { typeErrors } from './support/type-check.js'

const root = path.resolve(import.meta.dirname, '..')
// Inside the checkout, so the program resolves openapi-fetch from the project's node_modules.
const folder = path.join(root, 'test/generated/sync-loop')
let client: TestClient

/** The example's exports, as this test uses them (the module is loaded from its copy beside the generated types). */
interface Mirror {
  customers: Map<string, unknown>
  projects: Map<string, unknown>
  feedCursor: string
}
interface SyncLoop {
  crmClient(baseUrl: string, apiKey: string, fetch: typeof globalThis.fetch): unknown
  initialLoad(crm: unknown): Promise<Mirror>
  followChanges(crm: unknown, mirror: Mirror): Promise<number>
}
let example: SyncLoop

beforeAll(async () => {
  client = await testApp()
  mkdirSync(folder, { recursive: true })
  const served = await client.call('GET', '/openapi/crm.json')
  expect(served.status).toBe(200)
  writeFileSync(path.join(folder, 'crm.ts'), astToString(await openapiTS(await served.text())))
  copyFileSync(path.join(root, 'docs/examples/sync-loop.ts'), path.join(folder, 'sync-loop.ts'))
  example = (await import(pathToFileURL(path.join(folder, 'sync-loop.ts')).href)) as SyncLoop
}, 120_000)
afterAll(() => rmSync(folder, { recursive: true, force: true }))

/** The client the example builds, speaking to the app in-process. */
const crmOf = (tenant: Tenant) =>
  example.crmClient('http://crm.test', tenant.key, async (input, init) => client.app.fetch(new Request(input, init)))

async function upsertCustomer(tenant: Tenant, body: Record<string, unknown>) {
  const response = await client.call('POST', '/hub/v1/customers', { key: tenant.key, body })
  expect(response.status, await response.clone().text()).toBeLessThan(300)
  return ((await response.json()) as { data: { id: string } }).data
}

async function createProject(tenant: Tenant, customerId: string, name: string) {
  const response = await client.call('POST', '/hub/v1/projects', { key: tenant.key, body: { customer_id: customerId, name } })
  expect(response.status, await response.clone().text()).toBe(201)
  return ((await response.json()) as { data: { id: string } }).data
}

/** What the API lists now, by offset pages, as id → name. */
async function listed(tenant: Tenant, resource: 'customers' | 'projects'): Promise<Map<string, string>> {
  const names = new Map<string, string>()
  for (let offset = 0; ; offset += 200) {
    const response = await client.call('GET', `/hub/v1/${resource}?limit=200&offset=${offset}`, { key: tenant.key })
    const page = (await response.json()) as { data: { id: string; name: string }[]; pagination: { total: number } }
    for (const row of page.data) names.set(row.id, row.name)
    if (offset + 200 >= page.pagination.total) return names
  }
}

const namesOf = (table: Map<string, unknown>) => new Map([...table].map(([id, row]) => [id, (row as { name: string }).name]))

describe('the documented sync loop', () => {
  it('type-checks under --strict against the served document', () => {
    expect(typeErrors(path.join(folder, 'sync-loop.ts'))).toEqual([])
  }, 120_000)

  it('mirrors an account while it is being written, deletes included', async () => {
    const tenant = await createTenant(client)
    const crm = crmOf(tenant)
    const customers = []
    for (let i = 0; i < 30; i++) customers.push(await upsertCustomer(tenant, { external_id: `c-${i}`, name: `Customer ${i}` }))
    const projects = []
    for (let i = 0; i < 10; i++) projects.push(await createProject(tenant, customers[i].id, `Roof ${i}`))

    // Another client writes while the initial load reads.
    const writer = (async () => {
      for (let i = 30; i < 45; i++) await upsertCustomer(tenant, { external_id: `c-${i}`, name: `Customer ${i}` })
      for (let i = 0; i < 5; i++) await upsertCustomer(tenant, { external_id: `c-${i}`, name: `Renamed ${i}` })
      expect((await client.call('DELETE', `/hub/v1/customers/${customers[20].id}`, { key: tenant.key })).status).toBe(200)
      expect((await client.call('DELETE', `/hub/v1/projects/${projects[3].id}`, { key: tenant.key })).status).toBe(200)
    })()
    const mirror = await example.initialLoad(crm)
    await writer
    // Deleting a customer deletes its projects: customer 0's project goes with it.
    expect((await client.call('DELETE', `/hub/v1/customers/${customers[0].id}`, { key: tenant.key })).status).toBe(200)
    await createProject(tenant, customers[1].id, 'Gutter')

    expect(await example.followChanges(crm, mirror)).toBeGreaterThan(0)
    expect(namesOf(mirror.customers)).toEqual(await listed(tenant, 'customers'))
    expect(namesOf(mirror.projects)).toEqual(await listed(tenant, 'projects'))
    expect(mirror.customers.has(customers[20].id)).toBe(false)
    expect(mirror.projects.has(projects[0].id)).toBe(false)

    // Nothing new: the next read applies nothing, and the cursor stays usable.
    expect(await example.followChanges(crm, mirror)).toBe(0)
    await upsertCustomer(tenant, { external_id: 'c-1', name: 'Once more' })
    expect(await example.followChanges(crm, mirror)).toBe(1)
    expect(namesOf(mirror.customers).get(customers[1].id)).toBe('Once more')
  }, 180_000)
})
