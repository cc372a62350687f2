import { beforeAll, describe, expect, it } from 'vitest'
import { type TestClient, testApp } from './support/app.js'
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
