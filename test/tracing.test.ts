/**
 * Tracing, exported over OTLP/HTTP to a local collector stub: one event's spans, from the API
 * request through the automation, the worker's send and its provider call to the webhook delivery
 * it causes, arrive as one trace, each child of the step that caused it, and the request's span
 * carries its request id (the key of its log line).
 */
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { startTracing, stopTracing, traceparent, tracingOn } from '../src/http/tracing.js'
import { type TestClient, testApp, testConfig } from './support/app.js'
import { eventToWebhook } from './support/event-to-webhook.js'
import { type FakeProvider, fakeSendblue } from './support/fake-providers.js'
import { hubCall } from './support/hub.js'
import { startReceiver } from './support/webhook-receiver.js'

interface ExportedSpan {
  traceId: string
  spanId: string
  parentSpanId?: string
  name: string
  attributes: Record<string, unknown>
}

/** Receives OTLP/HTTP JSON exports at /v1/traces and keeps their spans. */
async function startCollector() {
  const spans: ExportedSpan[] = []
  const paths: string[] = []
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = []
    for await (const chunk of req) chunks.push(chunk as Buffer)
    paths.push(`${req.method} ${req.url} ${req.headers['content-type']}`)
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8'))
    for (const resource of body.resourceSpans ?? [])
      for (const scope of resource.scopeSpans ?? [])
        for (const span of scope.spans ?? [])
          spans.push({
            ...span,
            attributes: Object.fromEntries(
              (span.attributes ?? []).map((a: { key: string; value: Record<string, unknown> }) => [a.key, Object.values(a.value)[0]]),
            ),
          })
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end('{}')
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, spans, paths, close: () => server.close() }
}

let client: TestClient
let sendblue: FakeProvider
let receiver: Awaited<ReturnType<typeof startReceiver>>
let collector: Awaited<ReturnType<typeof startCollector>>
let overrides: Record<string, string>

beforeAll(async () => {
  sendblue = await fakeSendblue()
  receiver = await startReceiver()
  collector = await startCollector()
  overrides = { SENDBLUE_API_URL: sendblue.url, ALLOW_PRIVATE_WEBHOOK_URLS: '1' }
  client = await testApp(overrides)
})
afterAll(async () => {
  await stopTracing()
  await sendblue.close()
  await receiver.close()
  collector.close()
})

it('is off and free until an endpoint is configured', async () => {
  expect(await startTracing({ serviceName: 'crm' })).toBe(false)
  expect(tracingOn()).toBe(false)
  expect(traceparent()).toBeNull()
  const response = await client.call('GET', '/health')
  expect(response.status).toBe(200)
  expect(collector.paths).toEqual([])
})

it('exports one trace from the API request to the webhook delivery it causes', async () => {
  expect(await startTracing({ endpoint: collector.url, serviceName: 'crm-test' })).toBe(true)
  const { requestId, tenant } = await eventToWebhook(client, testConfig(overrides), receiver.url)
  expect(receiver.received.at(-1)?.headers['x-webhook-event']).toBe('communication.sent')
  // The trace context the send carried is bookkeeping: the change feed's records leave it out.
  const changes = await hubCall(client, tenant, 'GET', '/changes?object_type=communication')
  expect(changes.body.data.length).toBeGreaterThan(1)
  for (const change of changes.body.data) expect(Object.keys(change.data ?? {})).not.toContain('trace_context')
  await stopTracing() // flushes what is buffered
  expect(collector.paths.every((p) => p.startsWith('POST /v1/traces application/json'))).toBe(true)

  const request = collector.spans.find((s) => s.attributes.request_id === requestId)
  expect(request, 'the request span carries the request id').toMatchObject({
    name: 'POST /hub/v1/events',
    attributes: { 'http.route': '/hub/v1/events', 'http.response.status_code': 201 },
  })
  const trace = collector.spans.filter((s) => s.traceId === request!.traceId)
  const named = (name: string) => {
    const found = trace.filter((s) => s.name === name)
    expect(found, `${name} in the trace`).toHaveLength(1)
    return found[0]
  }
  const automation = named('automation.record_event')
  const send = named('worker.send')
  const provider = named('provider sendblue')
  const delivery = named('webhook delivery')
  expect(automation.parentSpanId).toBe(request!.spanId)
  expect(send.parentSpanId).toBe(automation.spanId)
  expect(provider.parentSpanId).toBe(send.spanId)
  expect(delivery.parentSpanId).toBe(send.spanId)
  expect(delivery.attributes).toMatchObject({ event: 'communication.sent', outcome: 'succeeded', 'http.response.status_code': 200 })
  expect(provider.attributes).toMatchObject({ provider: 'sendblue', channel: 'sms' })
}, 180_000)
