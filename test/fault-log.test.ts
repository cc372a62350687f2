/**
 * A fault (here: the database gone from under the server) is a 5xx without detail for the caller
 * and exactly one log line for the operator (`error`; `warn` for the readiness probe), with the
 * error's stack and the request id the caller was given in X-Request-Id, on REST, on GraphQL and
 * from the readiness probe.
 */
import { Writable } from 'node:stream'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApp } from '../src/app.js'
import { disconnectDb } from '../src/db/client.js'
import { keyRemembered, type TestClient, testApp, testConfig } from './support/app.js'
import { createTenant, type Tenant } from './support/tenants.js'

const lines: Record<string, any>[] = []
const logger = pino(
  { level: 'info' },
  new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(String(chunk)))
      done()
    },
  }),
)

let client: TestClient
let tenant: Tenant
beforeAll(async () => {
  client = await testApp()
  tenant = await createTenant(client)
})
afterAll(() => disconnectDb())

describe('an unexpected fault', () => {
  it('is logged once per request with its stack and the request id', async () => {
    const app = createApp(testConfig(), logger)
    // The key is known to the process, so its requests fail in a resolver; the cookie's fail while authenticating.
    await keyRemembered(client, tenant.key)
    await disconnectDb()
    const requests = [
      new Request('http://crm.test/health/ready'),
      new Request('http://crm.test/api/v1/leads', { headers: { cookie: tenant.cookie } }),
      new Request('http://crm.test/api/v1/leads', { headers: { authorization: `Bearer ${tenant.key}` } }),
      new Request('http://crm.test/graphql', {
        method: 'POST',
        headers: { authorization: `Bearer ${tenant.key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ leadPage { total } }' }),
      }),
    ]
    for (const request of requests) {
      const response = await app.fetch(request)
      const requestId = response.headers.get('x-request-id')!
      const body = await response.text()
      expect(body).not.toMatch(/\bat \S+|pool|PGlite|closed/i)
      const errors = lines.filter((line) => line.level >= 40 && line.request_id === requestId)
      expect(errors, request.url).toHaveLength(1)
      expect(errors[0].err.stack).toEqual(expect.stringContaining('\n    at '))
      expect(response.status >= 500 || JSON.parse(body).errors?.[0]?.extensions?.code === 'INTERNAL_SERVER_ERROR', body).toBe(true)
    }
  })
})
