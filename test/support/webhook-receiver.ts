/**
 * A local webhook receiver on 127.0.0.1: records every request (headers and the raw body, which
 * is what signatures cover) and answers with the statuses it is told to, in order.
 */
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { expect } from 'vitest'
import type { TestClient } from './app.js'
import type { Tenant } from './tenants.js'

export interface Received {
  headers: Record<string, string>
  body: string
}

export async function startReceiver() {
  const received: Received[] = []
  const answers: { status: number; body?: string }[] = []
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = []
    for await (const chunk of req) chunks.push(chunk as Buffer)
    received.push({ headers: req.headers as Record<string, string>, body: Buffer.concat(chunks).toString('utf8') })
    const answer = answers.shift() ?? { status: 200, body: 'ok' }
    res.writeHead(answer.status, { 'content-type': 'text/plain' })
    res.end(answer.body ?? '')
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}/hook`,
    received,
    /** Queues the next answers; once they run out the receiver answers 200. */
    answer: (...next: { status: number; body?: string }[]) => void answers.push(...next),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

/** Creates an endpoint at `url` for `events` from the tenant's portal session; returns its signing secret. */
export async function subscribe(client: TestClient, tenant: Tenant, url: string, events: string[]): Promise<string> {
  const created = await client.gql(
    `mutation($input: WebhookEndpointInput!) { createWebhookEndpoint(input: $input) { secret endpoint { id } } }`,
    { input: { url, events } },
    { cookie: tenant.cookie },
  )
  expect(created.errors, JSON.stringify(created.errors)).toBeUndefined()
  return created.data.createWebhookEndpoint.secret as string
}
