/**
 * The Hub's own webhook events: a project status change and every send or failure of a
 * communication are emitted to endpoints that subscribe to them (shared spec automations.md).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { deliverDueWebhooks } from '../src/services/webhooks/delivery.js'
import { type TestClient, testApp } from './support/app.js'
import { type FakeProvider, fakeSendblue } from './support/fake-providers.js'
import { createProject, hubCall } from './support/hub.js'
import { createTenant, type Tenant } from './support/tenants.js'
import { startReceiver, subscribe } from './support/webhook-receiver.js'

let client: TestClient
let sendblue: FakeProvider
let receiver: Awaited<ReturnType<typeof startReceiver>>

beforeAll(async () => {
  ;[receiver, sendblue] = await Promise.all([startReceiver(), fakeSendblue()])
  client = await testApp({ ALLOW_PRIVATE_WEBHOOK_URLS: '1', SENDBLUE_API_URL: sendblue.url })
})
afterAll(async () => {
  await Promise.all([receiver.close(), sendblue.close()])
})

/** Delivers this tenant's due webhooks and returns the bodies its receiver got, in order. */
async function delivered(tenant: Tenant, since: number) {
  await deliverDueWebhooks({ config: client.app.config, now: new Date(Date.now() + 1000), accountId: tenant.accountId })
  return receiver.received
    .slice(since)
    .map((r) => JSON.parse(r.body) as { event: string; data: Record<string, unknown>; previous?: unknown })
}

describe('hub webhook events', () => {
  it('project.status_changed carries the project and its previous status and stage', async () => {
    const tenant = await createTenant(client)
    await subscribe(client, tenant, receiver.url, ['project.status_changed'])
    const { project } = await createProject(client, tenant, { pipeline_stage: 'sales', project_status: 'lead' })
    const since = receiver.received.length
    expect(
      (
        await hubCall(client, tenant, 'PATCH', `/projects/${project.id}/status`, {
          project_status: 'contract_ready',
          pipeline_stage: 'contract',
        })
      ).status,
    ).toBe(200)
    expect((await hubCall(client, tenant, 'PATCH', `/projects/${project.id}/status`, { project_status: 'contract_ready' })).status).toBe(
      200,
    ) // no change: no event
    const bodies = await delivered(tenant, since)
    expect(bodies).toHaveLength(1)
    expect(bodies[0]).toMatchObject({
      event: 'project.status_changed',
      data: { id: project.id, project_status: 'contract_ready', pipeline_stage: 'contract' },
      previous: { project_status: 'lead', pipeline_stage: 'sales' },
    })
  })

  it('communication.sent and communication.failed follow each dispatch', async () => {
    const tenant = await createTenant(client)
    await subscribe(client, tenant, receiver.url, ['communication.sent', 'communication.failed'])
    await hubCall(client, tenant, 'PUT', '/integrations/sendblue', {
      config: { api_key: 'key-id', api_secret: 'secret', from_number: '+15550009999' },
    })
    const queue = async () =>
      (await hubCall(client, tenant, 'POST', '/communications', { channel: 'sms', content: 'On our way', to: '+15555550123' })).body.data
        .id as string
    const since = receiver.received.length
    const first = await queue()
    expect((await hubCall(client, tenant, 'POST', `/communications/${first}/dispatch`)).status).toBe(200)
    sendblue.behaviour = 'error'
    const second = await queue()
    expect((await hubCall(client, tenant, 'POST', `/communications/${second}/dispatch`)).status).toBe(502)
    sendblue.behaviour = 'ok'
    // One delivery pass posts its batch concurrently, so arrival order is not fixed.
    const bodies = (await delivered(tenant, since)).sort((a, b) => a.event.localeCompare(b.event))
    expect(bodies.map((b) => [b.event, b.data.id, b.data.status])).toEqual([
      ['communication.failed', second, 'failed'],
      ['communication.sent', first, 'sent'],
    ])
    expect(bodies[0].data.last_error).toBeTruthy()
  })
})
