import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { db } from '../src/db/client.js'
import { type TestClient, testApp } from './support/app.js'
import { type FakeProvider, fakeSendblue } from './support/fake-providers.js'
import { createProject, hubCall } from './support/hub.js'
import { type Tenant, twoTenants } from './support/tenants.js'

let client: TestClient
let sendblue: FakeProvider
let tenant: Tenant
let other: Tenant

beforeAll(async () => {
  sendblue = await fakeSendblue()
  client = await testApp({ SENDBLUE_API_URL: sendblue.url, PROVIDER_TIMEOUT_MS: '10000' })
  ;[tenant, other] = await twoTenants(client)
  await hubCall(client, tenant, 'PUT', '/integrations/sendblue', {
    config: { api_key: 'k-0001', api_secret: 's-0002', from_number: '+15555550000' },
  })
})

afterAll(() => sendblue?.close())

const withKey = (key: string, method: string, path: string, body?: unknown, who = tenant) =>
  hubCall(client, who, method, path, body, { 'idempotency-key': key })

describe('Idempotency-Key', () => {
  it('replays the first answer to a retry with the same body, without a second effect', async () => {
    const body = { external_id: 'idem-1', first_name: 'Once' }
    const first = await withKey('key-customer-1', 'POST', '/customers', body)
    const retry = await withKey('key-customer-1', 'POST', '/customers', body)
    expect(first.status).toBe(201)
    expect(retry.status).toBe(201)
    expect(retry.body).toEqual(first.body)
    expect(retry.headers.get('idempotent-replayed')).toBe('true')
    expect(first.headers.get('idempotent-replayed')).toBeNull()
    // The replay goes out as the original did: whole, with its length.
    expect(retry.headers.get('content-length')).toBe(first.headers.get('content-length'))
    expect(retry.headers.get('content-type')).toBe(first.headers.get('content-type'))
    // Without the key the same body is an ordinary second upsert.
    expect((await hubCall(client, tenant, 'POST', '/customers', body)).status).toBe(200)
  })

  it('an event retried with its key is recorded, and its messages queued, once', async () => {
    const { project } = await createProject(client, tenant)
    const body = { project_id: project.id, event_type: 'contract_ready' }
    const first = await withKey('event-1', 'POST', '/events', body)
    const retry = await withKey('event-1', 'POST', '/events', body)
    expect(retry.body).toEqual(first.body)
    expect(await db.projectEvent.count({ where: { projectId: project.id } })).toBe(1)
    expect(await db.communication.count({ where: { projectId: project.id } })).toBe(2)
  })

  it('answers 409 to the same key with a different request (body or path) and changes nothing', async () => {
    await withKey('key-conflict', 'POST', '/customers', { external_id: 'idem-2' })
    const different = await withKey('key-conflict', 'POST', '/customers', { external_id: 'idem-3' })
    expect(different).toMatchObject({
      status: 409,
      body: { error: 'Conflict', message: 'This Idempotency-Key was already used with a different request' },
    })
    expect(await db.customer.count({ where: { accountId: tenant.accountId, externalId: 'idem-3' } })).toBe(0)
    const otherPath = await withKey('key-conflict', 'POST', '/projects', { external_id: 'idem-2' })
    expect(otherPath.status).toBe(409)
  })

  it('keys belong to one account', async () => {
    const body = { external_id: 'shared-key' }
    expect((await withKey('same-key', 'POST', '/customers', body)).status).toBe(201)
    const theirs = await withKey('same-key', 'POST', '/customers', body, other)
    expect(theirs.status).toBe(201)
    expect(theirs.headers.get('idempotent-replayed')).toBeNull()
  })

  it('covers PATCH and PUT too', async () => {
    const { project } = await createProject(client, tenant)
    const first = await withKey('patch-1', 'PATCH', `/projects/${project.id}/status`, { project_status: 'contract_signed' })
    await hubCall(client, tenant, 'PATCH', `/projects/${project.id}/status`, { project_status: 'in_progress' })
    const retry = await withKey('patch-1', 'PATCH', `/projects/${project.id}/status`, { project_status: 'contract_signed' })
    expect(retry.body).toEqual(first.body)
    expect(await db.projectEvent.count({ where: { projectId: project.id } })).toBe(1)
    const put = await withKey('put-1', 'PUT', '/integrations/vapi', { config: { api_key: 'v-1234' } })
    expect((await withKey('put-1', 'PUT', '/integrations/vapi', { config: { api_key: 'v-1234' } })).body).toEqual(put.body)
  })

  it('forgets a failed attempt, so the same request can be retried with the same key', async () => {
    const message = (await hubCall(client, tenant, 'POST', '/communications', { channel: 'sms', content: 'x', to: '+15555550140' })).body
      .data
    sendblue.behaviour = 'error'
    expect((await withKey('dispatch-1', 'POST', `/communications/${message.id}/dispatch`)).status).toBe(502)
    sendblue.behaviour = 'ok'
    const sent = await withKey('dispatch-1', 'POST', `/communications/${message.id}/dispatch`)
    // The answer commits before the provider call, so it shows the message `sending`; the call has
    // succeeded by the time it arrives (a refusal would be the 502 above).
    expect(sent).toMatchObject({ status: 200, body: { data: { status: 'sending' } } })
    expect((await hubCall(client, tenant, 'GET', `/communications/${message.id}`)).body.data.status).toBe('sent')
    expect((await withKey('dispatch-1', 'POST', `/communications/${message.id}/dispatch`)).body).toEqual(sent.body)
    expect(sendblue.requests.filter((r) => r.body.number === '+15555550140')).toHaveLength(2)
  })

  it('answers a duplicate that arrives while the first is still running with 409 or the first answer, sending once', async () => {
    const message = (await hubCall(client, tenant, 'POST', '/communications', { channel: 'sms', content: 'x', to: '+15555550141' })).body
      .data
    sendblue.delayMs = 250
    const answers = await Promise.all([1, 2].map(() => withKey('inflight-1', 'POST', `/communications/${message.id}/dispatch`)))
    sendblue.delayMs = 0
    const first = answers.find((a) => a.status === 200 && a.headers.get('idempotent-replayed') === null)!
    const duplicate = answers.find((a) => a !== first)!
    // PostgreSQL answers a duplicate overlapping the first's transaction with 409; one arriving
    // after its commit (always, on the embedded database) gets the committed answer.
    if (duplicate.status === 409) {
      expect(duplicate.body).toMatchObject({ message: 'A request with this Idempotency-Key is still in progress: retry later' })
    } else {
      expect(duplicate.body).toEqual(first.body)
    }
    expect((await withKey('inflight-1', 'POST', `/communications/${message.id}/dispatch`)).body).toEqual(first.body)
    expect(sendblue.requests.filter((r) => r.body.number === '+15555550141')).toHaveLength(1)
  })

  it('expires after 24 hours and rejects malformed keys', async () => {
    await withKey('old-key', 'POST', '/customers', { external_id: 'idem-old' })
    await db.idempotencyRecord.update({
      where: { accountId_live_key: { accountId: tenant.accountId, live: true, key: 'old-key' } },
      data: { expiresAt: new Date(Date.now() - 1000) },
    })
    expect((await withKey('old-key', 'POST', '/customers', { external_id: 'idem-new' })).status).toBe(201)
    expect(await withKey('x'.repeat(256), 'POST', '/customers', { external_id: 'idem-long' })).toMatchObject({
      status: 400,
      body: { message: 'Idempotency-Key must be 1 to 255 visible ASCII characters' },
    })
  })
})
