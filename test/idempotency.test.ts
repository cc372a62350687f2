/**
 * `Idempotency-Key` beyond /hub/v1 (test/hub-idempotency.test.ts covers that surface): every write
 * of /api/v1, GraphQL mutations, and who may be answered a replay.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { db } from '../src/db/client.js'
import { ADMIN_TOKEN, type TestClient, testApp } from './support/app.js'
import { type FakeProvider, fakeTwilio } from './support/fake-providers.js'
import { createTenant, type Tenant } from './support/tenants.js'

let client: TestClient
let twilio: FakeProvider
let tenant: Tenant

beforeAll(async () => {
  twilio = await fakeTwilio('AC0123456789abcdef')
  client = await testApp({ TWILIO_API_URL: twilio.url })
  tenant = await createTenant(client)
  const config = { account_sid: 'AC0123456789abcdef', api_key: 'twilio-auth-token', from_number: '+15555550000' }
  expect((await client.call('PUT', '/hub/v1/integrations/twilio', { key: tenant.key, body: { config } })).status).toBe(201)
  const grant = await client.gql(
    `mutation($id: ID!, $n: Int!) { grantSmsCredits(accountId: $id, amount: $n) { account { smsCredits } } }`,
    { id: tenant.accountId, n: 10 },
    { key: ADMIN_TOKEN },
  )
  expect(grant.errors).toBeUndefined()
})
afterAll(() => twilio.close())

const post = (path: string, body: unknown, idempotencyKey: string, apiKey = tenant.key) =>
  client.call('POST', path, { key: apiKey, body, headers: { 'idempotency-key': idempotencyKey } })
const credits = async () => (await db.account.findUniqueOrThrow({ where: { id: tenant.accountId } })).smsCredits
const leadsNamed = (name: string) => db.lead.count({ where: { accountId: tenant.accountId, name } })

async function createLead(name: string, phone = '+15555550123') {
  const response = await client.call('POST', '/api/v1/leads', { key: tenant.key, body: { name, phone } })
  return (await response.json()).data as { id: string }
}

describe('Idempotency-Key on /api/v1', () => {
  it('a retried POST /api/v1/sms sends once and spends one credit', async () => {
    const lead = await createLead('Texted once', '+15555550131')
    const before = await credits()
    const first = await post('/api/v1/sms', { lead_id: lead.id, message: 'Quote ready' }, 'sms-1')
    const retry = await post('/api/v1/sms', { lead_id: lead.id, message: 'Quote ready' }, 'sms-1')
    expect(first.status).toBe(200)
    expect(retry.status).toBe(200)
    expect(retry.headers.get('idempotent-replayed')).toBe('true')
    expect(await retry.json()).toEqual(await first.json())
    expect(twilio.requests.filter((r) => r.body.To === '+15555550131')).toHaveLength(1)
    expect(await credits()).toBe(before - 1)
  })

  it('a failed send leaves the key free: the retry sends', async () => {
    const lead = await createLead('Texted after a failure', '+15555550132')
    const before = await credits()
    twilio.behaviour = 'error'
    try {
      expect((await post('/api/v1/sms', { lead_id: lead.id, message: 'Again' }, 'sms-2')).status).toBe(502)
    } finally {
      twilio.behaviour = 'ok'
    }
    const retry = await post('/api/v1/sms', { lead_id: lead.id, message: 'Again' }, 'sms-2')
    expect(retry.status).toBe(200)
    expect(retry.headers.get('idempotent-replayed')).toBeNull()
    expect(await credits()).toBe(before - 1)
  })

  it('a retried POST /api/v1/leads creates one lead; a lead write that fails is not remembered', async () => {
    const first = await post('/api/v1/leads', { name: 'Keyed lead' }, 'lead-1')
    const retry = await post('/api/v1/leads', { name: 'Keyed lead' }, 'lead-1')
    expect(first.status).toBe(201)
    expect(retry.status).toBe(201)
    expect(await retry.json()).toEqual(await first.json())
    expect(await leadsNamed('Keyed lead')).toBe(1)
    expect((await post('/api/v1/leads', {}, 'lead-2')).status).toBe(400)
    expect((await post('/api/v1/leads', { name: 'Second try' }, 'lead-2')).status).toBe(201)
  })

  it('answers 409 to the key reused with another body', async () => {
    await post('/api/v1/leads', { name: 'First body' }, 'lead-3')
    const other = await post('/api/v1/leads', { name: 'Other body' }, 'lead-3')
    expect(other.status).toBe(409)
    expect(await other.json()).toEqual({ error: 'This Idempotency-Key was already used with a different request' })
    expect(await leadsNamed('Other body')).toBe(0)
  })
})

describe('who is answered a replay', () => {
  it('a key without the scope the first request needed gets 403, not the stored answer', async () => {
    const body = { external_id: 'scoped-1', first_name: 'Scoped' }
    const first = await post('/hub/v1/customers', body, 'scope-1')
    expect(first.status).toBe(201)
    const reader = await tenant.createKey({ scopes: ['read:conversations'] })
    const replay = await post('/hub/v1/customers', body, 'scope-1', reader.secret)
    expect(replay.status).toBe(403)
    expect(await replay.json()).toEqual({ error: 'Forbidden', message: 'Insufficient scope: write:hub required' })
    // Another key holding the scope is answered the replay.
    const writer = await tenant.createKey({ scopes: ['write:hub'] })
    const allowed = await post('/hub/v1/customers', body, 'scope-1', writer.secret)
    expect(allowed.headers.get('idempotent-replayed')).toBe('true')
    expect(await allowed.json()).toEqual(await first.json())
  })

  it('test keys and live keys have separate key spaces', async () => {
    const lead = await createLead('Mode lead', '+15555550133')
    const live = await post('/api/v1/sms', { lead_id: lead.id, message: 'Live' }, 'mode-1')
    const testKey = await tenant.createKey({ mode: 'test' })
    const test = await post('/api/v1/sms', { lead_id: lead.id, message: 'Live' }, 'mode-1', testKey.secret)
    expect(live.status).toBe(200)
    expect(test.status).toBe(200)
    expect(test.headers.get('idempotent-replayed')).toBeNull()
    expect((await test.json()).message_id).not.toBe((await live.json()).message_id)
    expect(twilio.requests.filter((r) => r.body.To === '+15555550133')).toHaveLength(1)
  })
})

describe('Idempotency-Key on GraphQL mutations', () => {
  const createLeadMutation = `mutation($name: String!) { createLead(input: { name: $name }) { id name } }`
  const gql = (variables: Record<string, unknown>, key: string, query = createLeadMutation, apiKey = tenant.key) =>
    client.gql(query, variables, { key: apiKey, headers: { 'idempotency-key': key } })

  it('replays a mutation retried with its key, with one effect', async () => {
    const first = await gql({ name: 'GraphQL keyed' }, 'gql-1')
    const retry = await gql({ name: 'GraphQL keyed' }, 'gql-1')
    expect(first.errors).toBeUndefined()
    expect(retry.data).toEqual(first.data)
    expect(retry.response.headers.get('idempotent-replayed')).toBe('true')
    expect(await leadsNamed('GraphQL keyed')).toBe(1)
    const other = await gql({ name: 'GraphQL other' }, 'gql-1')
    expect(other.status).toBe(409)
    expect(other.errors?.[0]).toMatchObject({ extensions: { code: 'CONFLICT' } })
    expect(await leadsNamed('GraphQL other')).toBe(0)
  })

  it('rolls back a mutation operation with an error whole, and the key stays free', async () => {
    const two = `mutation($name: String!) { a: createLead(input: { name: $name }) { id } b: createLead(input: {}) { id } }`
    const failed = await gql({ name: 'Rolled back' }, 'gql-2', two)
    expect(failed.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_REQUEST' } })
    expect(failed.data).toBeNull()
    expect(await leadsNamed('Rolled back')).toBe(0)
    expect((await gql({ name: 'After rollback' }, 'gql-2')).errors).toBeUndefined()
    expect(await leadsNamed('After rollback')).toBe(1)
  })

  it('replays only to a key holding the scopes the mutation used', async () => {
    await gql({ name: 'GraphQL scoped' }, 'gql-3')
    const reader = await tenant.createKey({ scopes: ['leads:read'] })
    const replay = await gql({ name: 'GraphQL scoped' }, 'gql-3', createLeadMutation, reader.secret)
    expect(replay.status).toBe(403)
    expect(replay.data).toBeNull()
    expect(replay.errors?.[0]).toMatchObject({ message: 'Insufficient scope: leads:write required' })
  })

  it('leaves queries alone', async () => {
    const query = await client.gql('{ __typename }', {}, { key: tenant.key, headers: { 'idempotency-key': 'q-1' } })
    expect(query.data).toEqual({ __typename: 'Query' })
    expect(await db.idempotencyRecord.count({ where: { accountId: tenant.accountId, key: 'q-1' } })).toBe(0)
  })
})
