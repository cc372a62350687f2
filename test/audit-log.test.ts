import { beforeAll, describe, expect, it, vi } from 'vitest'
import { db } from '../src/db/client.js'
import { ADMIN_TOKEN, countStatements, type TestClient, testApp } from './support/app.js'
import { createCustomer, hubCall } from './support/hub.js'
import { createTenant, type Tenant } from './support/tenants.js'
import { createUser } from './support/users.js'

// Each password is an scrypt hash (about 100 ms alone, far more on a busy machine), and a test makes many.
vi.setConfig({ testTimeout: 240_000 })

let client: TestClient
beforeAll(async () => {
  client = await testApp({ ALLOW_PRIVATE_WEBHOOK_URLS: '1' })
})

interface Entry {
  action: string
  object_type: string
  object_id: string | null
  actor: { type: string; id: string | null }
  address: string | null
  request_id: string | null
  changes: Record<string, { from?: unknown; to?: unknown; changed?: boolean }> | null
}

async function auditLog(tenant: Tenant, query = '') {
  const { secret } = await tenant.createKey({ scopes: ['audit:read'] })
  const response = await client.call('GET', `/hub/v1/audit-log${query}`, { key: secret })
  expect(response.status).toBe(200)
  return (await response.json()) as { data: Entry[]; pagination: Record<string, unknown> }
}

const find = (entries: Entry[], action: string, objectId?: string) =>
  entries.find((entry) => entry.action === action && (objectId === undefined || entry.object_id === objectId))

describe('the audit log', () => {
  it('records changes to keys, users, roles, integrations, webhooks, templates, settings and credits, with the actor and never a secret', async () => {
    const tenant = await createTenant(client)
    const admin = await createUser(client, tenant, 'admin')
    const as = (query: string, variables: Record<string, unknown> = {}, headers: Record<string, string> = {}) =>
      client.gql(query, variables, { cookie: admin.cookie, headers })

    const key = await as(
      `mutation { createApiKey(input: { name: "ci", mode: LIVE, scopes: ["read:hub"] }) { apiKey { id } } }`,
      {},
      {
        'x-request-id': 'req-key-1',
      },
    )
    const keyId = key.data.createApiKey.apiKey.id
    await as(`mutation($id: ID!) { revokeApiKey(id: $id) { id } }`, { id: keyId })
    const viewer = await createUser(client, tenant, 'viewer')
    await as(`mutation($id: ID!) { changeUserRole(id: $id, role: MEMBER) { id } }`, { id: viewer.id })
    await as(
      `mutation { saveIntegration(provider: sendblue, config: { api_key: "sb-key-secret", api_secret: "sb-secret", from_number: "+15550000001" }) { created } }`,
    )
    const hook = await as(
      `mutation { createWebhookEndpoint(input: { url: "http://127.0.0.1:9/hook", events: ["lead.created"] }) { endpoint { id } } }`,
    )
    expect(hook.errors, JSON.stringify(hook.errors)).toBeUndefined()
    await as(`mutation { updateAccountSettings(input: { autoDispatch: true }) { id } }`)
    await client.gql(
      `mutation($id: ID!) { grantSmsCredits(accountId: $id, amount: 50) { account { id } } }`,
      { id: tenant.accountId },
      { key: ADMIN_TOKEN },
    )
    const template = await client.gql(
      `mutation { createTemplate(input: { name: "Hi", eventType: "paid_in_full", channel: sms, body: "Hello" }) { id } }`,
      {},
      { key: tenant.key },
    )
    expect(template.errors, JSON.stringify(template.errors)).toBeUndefined()
    const customer = await createCustomer(client, tenant)
    expect((await hubCall(client, tenant, 'DELETE', `/customers/${customer.id}`)).status).toBe(200)
    await as(`mutation($id: ID!) { removeUser(id: $id, apiKeys: KEEP) { userId } }`, { id: viewer.id })

    const { data } = await auditLog(tenant, '?limit=200')
    const byAdmin = { type: 'user', id: admin.id }
    expect(find(data, 'api_key.created', keyId)).toMatchObject({
      actor: byAdmin,
      request_id: 'req-key-1',
      address: 'local',
      changes: { name: { to: 'ci' }, scopes: { to: ['read:hub'] }, key_hash: { changed: true }, created_by_id: { to: admin.id } },
    })
    expect(find(data, 'api_key.updated', keyId)).toMatchObject({ actor: byAdmin, changes: { revoked_at: { from: null } } })
    expect(find(data, 'user.updated', viewer.id)).toMatchObject({ actor: byAdmin, changes: { role: { from: 'viewer', to: 'member' } } })
    expect(find(data, 'user.deleted', viewer.id)).toMatchObject({ actor: byAdmin })
    const integration = find(data, 'integration.created')
    expect(integration).toMatchObject({ actor: byAdmin, changes: { secrets_encrypted: { changed: true } } })
    expect(JSON.stringify(data)).not.toContain('sb-key-secret')
    expect(find(data, 'webhook_endpoint.created')).toMatchObject({ actor: byAdmin, changes: { secret_encrypted: { changed: true } } })
    expect(data.find((e) => e.changes?.auto_dispatch)).toMatchObject({
      action: 'account.updated',
      actor: byAdmin,
      changes: { auto_dispatch: { from: false, to: true } },
    })
    expect(data.find((e) => e.changes?.sms_credits)).toMatchObject({
      actor: { type: 'operator', id: null },
      changes: { sms_credits: { from: 0, to: 50 } },
    })
    const apiKeyActor = { type: 'api_key', id: expect.any(String) }
    expect(find(data, 'template.created')).toMatchObject({ actor: apiKeyActor })
    expect(find(data, 'customer.deleted', customer.id)).toMatchObject({ actor: apiKeyActor, changes: null })
    expect(data.some((e) => e.action === 'session.signed_in' && e.actor.id === admin.id)).toBe(true)
    // The access code's sign-in is the owner's, named by its session.
    expect(data.some((e) => e.action === 'session.signed_in' && e.actor.type === 'portal')).toBe(true)
  })

  it('records an erasure without what was erased', async () => {
    const tenant = await createTenant(client)
    const customer = await createCustomer(client, tenant, { first_name: 'Erasable', email: 'erase-me@example.com' })
    const erased = await client.gql(`mutation($id: ID!) { eraseCustomer(id: $id) { id } }`, { id: customer.id }, { key: tenant.key })
    expect(erased.errors).toBeUndefined()
    const { data } = await auditLog(tenant, `?object_id=${customer.id}`)
    expect(data.map((e) => e.action)).toContain('customer.erased')
    expect(JSON.stringify(data)).not.toMatch(/Erasable|erase-me/)
  })

  it('is append-only through the application', async () => {
    const tenant = await createTenant(client)
    const entry = await db.auditEntry.findFirstOrThrow({ where: { accountId: tenant.accountId } })
    await expect(db.auditEntry.update({ where: { id: entry.id }, data: { actor: 'someone else' } })).rejects.toThrow()
    await expect(db.auditEntry.delete({ where: { id: entry.id } })).rejects.toThrow()
    expect((await db.auditEntry.findUniqueOrThrow({ where: { id: entry.id } })).actor).toBe(entry.actor)
  })

  it('is read with audit:read only, filtered, by offset or cursor, in two statements a page', async () => {
    const tenant = await createTenant(client)
    const admin = await createUser(client, tenant, 'admin')
    for (let i = 0; i < 3; i++)
      await client.gql(`mutation { createApiKey(input: { name: "k${i}", mode: TEST }) { secret } }`, {}, { cookie: admin.cookie })

    const refused = await client.call('GET', '/hub/v1/audit-log', {
      key: tenant.key.replace(/.*/, (await tenant.createKey({ scopes: ['read:hub'] })).secret),
    })
    expect(refused.status).toBe(403)
    expect(await refused.json()).toEqual({ error: 'Forbidden', message: 'Insufficient scope: audit:read required' })
    const member = await createUser(client, tenant, 'member')
    expect((await client.gql(`{ auditLog { totalCount } }`, {}, { cookie: member.cookie })).errors?.[0].message).toBe(
      'Insufficient scope: audit:read required (your role: member)',
    )

    const mine = await auditLog(tenant, `?actor=user:${admin.id}&object_type=api_key`)
    expect(mine.data.map((e) => e.changes?.name?.to)).toEqual(['k2', 'k1', 'k0'])
    expect(mine.pagination).toMatchObject({ total: 3 })

    const { secret } = await tenant.createKey({ scopes: ['audit:read'] })
    const first = await client.call('GET', '/hub/v1/audit-log?cursor=&limit=2&object_type=api_key', { key: secret })
    const page1 = await first.json()
    expect(page1.data).toHaveLength(2)
    const second = await client.call('GET', `/hub/v1/audit-log?cursor=${page1.pagination.next_cursor}&limit=2&object_type=api_key`, {
      key: secret,
    })
    const page2 = await second.json()
    const ids = [...page1.data, ...page2.data].map((e: Entry & { id: string }) => e.id)
    expect(new Set(ids).size).toBe(ids.length)

    await client.call('GET', '/hub/v1/audit-log?limit=100', { key: secret })
    expect(await countStatements(() => client.call('GET', '/hub/v1/audit-log?limit=100', { key: secret }))).toBe(2)

    const bad = await client.call('GET', '/hub/v1/audit-log?since=yesterday', { key: secret })
    expect(bad.status).toBe(400)
  })
})
