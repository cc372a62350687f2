/**
 * Local stand-ins for the providers' public HTTP APIs (shared spec providers.md), listening on
 * 127.0.0.1 with a random port, so the real client code runs against them unchanged. Each fake
 * records what it received and can be told to misbehave: answer 500, answer garbage, or hang.
 * Add a provider by giving `startFakeProvider` its routes (e.g. Twilio's form-encoded Messages.json).
 */
import { createServer, type IncomingMessage } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface ReceivedRequest {
  method: string
  path: string
  headers: IncomingMessage['headers']
  /** Parsed JSON, or the fields of a form-encoded body. */
  body: any
}

export type Behaviour = 'ok' | 'error' | 'garbage' | 'hang'

export type Route = (request: ReceivedRequest, count: number) => { status: number; body: unknown }

export interface FakeProvider {
  /** Base URL to put in SENDBLUE_API_URL / VAPI_API_URL / … */
  url: string
  requests: ReceivedRequest[]
  behaviour: Behaviour
  /** Waits this long before answering (to overlap concurrent requests). */
  delayMs: number
  reset(): void
  close(): Promise<void>
}

function parse(raw: string, type: string | undefined): unknown {
  if (type?.includes('application/x-www-form-urlencoded')) return Object.fromEntries(new URLSearchParams(raw))
  try {
    return JSON.parse(raw)
  } catch {
    return raw
  }
}

/** Routes are keyed `METHOD /path` (query string ignored). */
export async function startFakeProvider(routes: Record<string, Route>): Promise<FakeProvider> {
  const fake: FakeProvider = {
    url: '',
    requests: [],
    behaviour: 'ok',
    delayMs: 0,
    reset() {
      fake.requests.length = 0
      fake.behaviour = 'ok'
      fake.delayMs = 0
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = []
    for await (const chunk of req) chunks.push(chunk as Buffer)
    const path = (req.url ?? '/').split('?')[0]
    const received = {
      method: req.method ?? 'GET',
      path,
      headers: req.headers,
      body: parse(Buffer.concat(chunks).toString('utf8'), req.headers['content-type']),
    }
    fake.requests.push(received)
    if (fake.behaviour === 'hang') return // never answers; close() drops the socket
    if (fake.delayMs) await new Promise((resolve) => setTimeout(resolve, fake.delayMs))
    if (fake.behaviour === 'garbage') {
      res.writeHead(200, { 'content-type': 'text/html' }).end('<html>502 Bad Gateway</html>')
      return
    }
    if (fake.behaviour === 'error') {
      res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ error_message: 'Internal failure' }))
      return
    }
    const route = routes[`${received.method} ${path}`]
    const answer = route ? route(received, fake.requests.length) : { status: 404, body: { error: 'not found' } }
    res.writeHead(answer.status, { 'content-type': 'application/json' }).end(JSON.stringify(answer.body))
  })
  // Longer than the client keeps idle sockets: a slow, loaded test run must not see the fake close
  // a kept-alive socket just as the client reuses it (ECONNRESET that no real provider would cause).
  server.keepAliveTimeout = 60_000
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return fake
}

/** Sendblue: `POST /api/send-message` answers with a `message_handle`. */
export const fakeSendblue = () =>
  startFakeProvider({
    'POST /api/send-message': (request, count) => ({
      status: 200,
      body: {
        message_handle: `sb-handle-${count}`,
        status: 'QUEUED',
        error_code: null,
        error_message: null,
        number: request.body.number,
        from_number: request.body.from_number,
        date_created: new Date().toISOString(),
      },
    }),
  })

/** Vapi: `POST /call` answers 201 with a Call object. */
export const fakeVapi = () =>
  startFakeProvider({
    'POST /call': (request, count) => ({
      status: 201,
      body: {
        id: `vapi-call-${count}`,
        status: 'queued',
        type: 'outboundPhoneCall',
        customer: request.body.customer,
        createdAt: new Date().toISOString(),
      },
    }),
  })

/** Twilio: form-encoded `POST /2010-04-01/Accounts/{sid}/Messages.json` answers 201 with a Message. */
export const fakeTwilio = (accountSid: string) =>
  startFakeProvider({
    [`POST /2010-04-01/Accounts/${accountSid}/Messages.json`]: (request, count) => ({
      status: 201,
      body: {
        sid: `SM${String(count).padStart(32, '0')}`,
        status: 'queued',
        error_code: null,
        error_message: null,
        to: request.body.To,
        from: request.body.From,
        date_created: new Date().toUTCString(),
      },
    }),
  })
