/** Hub fixtures through the public API: a customer with a project, ready for events. */
import { randomBytes } from 'node:crypto'
import { expect } from 'vitest'
import { db } from '../../src/db/client.js'
import type { TestClient } from './app.js'
import { createTenant, type Tenant } from './tenants.js'

export async function hubCall(
  client: TestClient,
  tenant: Tenant,
  method: string,
  path: string,
  body?: unknown,
  headers?: Record<string, string>,
) {
  const response = await client.call(method, `/hub/v1${path}`, { key: tenant.key, body, headers })
  const text = await response.text()
  return { status: response.status, body: text ? JSON.parse(text) : null, headers: response.headers }
}

export async function createCustomer(client: TestClient, tenant: Tenant, fields: Record<string, unknown> = {}) {
  const result = await hubCall(client, tenant, 'POST', '/customers', {
    external_id: `ext-${randomBytes(4).toString('hex')}`,
    first_name: 'Jane',
    last_name: 'Roofer',
    phone: '+15555550100',
    email: 'jane@example.com',
    ...fields,
  })
  expect(result.status, JSON.stringify(result.body)).toBe(201)
  return result.body.data as { id: string; [key: string]: unknown }
}

export async function createProject(
  client: TestClient,
  tenant: Tenant,
  fields: Record<string, unknown> = {},
  customerFields: Record<string, unknown> = {},
) {
  const customer = await createCustomer(client, tenant, customerFields)
  const result = await hubCall(client, tenant, 'POST', '/projects', {
    customer_id: customer.id,
    name: 'New roof',
    address: '1 Main St',
    ...fields,
  })
  expect(result.status, JSON.stringify(result.body)).toBe(201)
  return { project: result.body.data as { id: string; [key: string]: unknown }, customer }
}

/** Sendblue settings the fake provider accepts. */
export const SENDBLUE = { api_key: 'sb-key-id-0001', api_secret: 'sb-secret-abcd', from_number: '+15555550000' }

/**
 * A new auto-dispatch tenant on the fake Sendblue with `count` SMS due now, written straight to the
 * table (the worker's input); each message's text is `<label>-<accountId>-<n>`.
 */
export async function tenantWithDueMessages(client: TestClient, count: number, label: string): Promise<Tenant> {
  const tenant = await createTenant(client)
  expect((await hubCall(client, tenant, 'PUT', '/integrations/sendblue', { config: SENDBLUE })).status).toBe(201)
  await db.account.update({ where: { id: tenant.accountId }, data: { autoDispatch: true } })
  await db.communication.createMany({
    data: Array.from({ length: count }, (_, i) => ({
      accountId: tenant.accountId,
      channel: 'sms' as const,
      to: `+1555${String(i).padStart(7, '0')}`,
      content: `${label}-${tenant.accountId}-${i}`,
    })),
  })
  return tenant
}
