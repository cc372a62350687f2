/**
 * One event's whole journey, as observability tests follow it: an API request records a
 * `website_visited` event (the automation queues an SMS due now), a worker pass sends it through
 * the fake Sendblue and delivers the `communication.sent` webhook it causes to a local receiver.
 */
import { expect } from 'vitest'
import { db } from '../../src/db/client.js'
import type { Config } from '../../src/env.js'
import { runOnce } from '../../src/services/worker/worker.js'
import type { TestClient } from './app.js'
import { createProject, hubCall, SENDBLUE } from './hub.js'
import { createTenant } from './tenants.js'
import { subscribe } from './webhook-receiver.js'

export async function eventToWebhook(client: TestClient, config: Config, receiverUrl: string) {
  const tenant = await createTenant(client)
  expect((await hubCall(client, tenant, 'PUT', '/integrations/sendblue', { config: SENDBLUE })).status).toBe(201)
  await db.account.update({ where: { id: tenant.accountId }, data: { autoDispatch: true } })
  await subscribe(client, tenant, receiverUrl, ['communication.sent'])
  const { project } = await createProject(client, tenant)
  const recorded = await hubCall(client, tenant, 'POST', '/events', { project_id: project.id, event_type: 'website_visited' })
  expect(recorded.status, JSON.stringify(recorded.body)).toBe(201)
  expect(await runOnce({ config, accountIds: [tenant.accountId] })).toMatchObject({ sent: 1 })
  // The send's webhook falls due as the pass that fired it ends: the next pass delivers it.
  expect(await runOnce({ config, accountIds: [tenant.accountId] })).toMatchObject({ webhooks: 1 })
  return { tenant, requestId: recorded.headers.get('x-request-id')! }
}
