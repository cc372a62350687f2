import { beforeAll, describe, expect, it } from 'vitest'
import { type TestClient, testApp } from './support/app.js'
import { createTenant, type Tenant } from './support/tenants.js'

let client: TestClient
let tenant: Tenant
beforeAll(async () => {
  client = await testApp()
  tenant = await createTenant(client)
})

describe('health', () => {
  it('GET /health answers without auth', async () => {
    const response = await client.call('GET', '/health')
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({ status: 'ok' })
  })

  it('GET /health/ready answers 200 when the database does', async () => {
    const response = await client.call('GET', '/health/ready')
    expect(response.status).toBe(200)
    expect(await response.json()).toMatchObject({ status: 'ok' })
  })
})

describe('bad input on /graphql', () => {
  it('a body over 1 MB is refused with 413 and nothing runs', async () => {
    const huge = JSON.stringify({ query: `mutation { createApiKey(input: { name: "${'x'.repeat(1_100_000)}", mode: LIVE }) { secret } }` })
    const response = await client.call('POST', '/graphql', { cookie: tenant.cookie, body: huge })
    expect(response.status).toBe(413)
    expect((await response.json()).errors[0].extensions.code).toBe('PAYLOAD_TOO_LARGE')
    const keys = await client.gql(`{ apiKeys { id } }`, {}, { cookie: tenant.cookie })
    expect(keys.data.apiKeys).toHaveLength(1)
  })

  it('malformed JSON is a 400, not a 500', async () => {
    const response = await client.call('POST', '/graphql', { body: '{"query": ', headers: { 'content-type': 'application/json' } })
    expect(response.status).toBe(400)
  })

  it('an unknown enum value or wrong type is a GraphQL error (400 under application/graphql-response+json)', async () => {
    const modern = { key: tenant.key, headers: { accept: 'application/graphql-response+json' } }
    const result = await client.gql(`{ conversations(channel: fax) { totalCount } }`, {}, modern)
    expect(result.status).toBe(400)
    expect(result.errors?.[0].message).toMatch(/fax/)
    const typed = await client.gql(`query($n: Int) { conversationPage(limit: $n) { total } }`, { n: 'ten' }, modern)
    expect(typed.status).toBe(400)
    // Classic application/json clients get 200 with the errors, as GraphQL over HTTP prescribes.
    const classic = await client.gql(`{ conversations(channel: fax) { totalCount } }`, {}, { key: tenant.key })
    expect(classic.data).toBeUndefined()
    expect(classic.errors?.[0].message).toMatch(/fax/)
  })

  it('is answered the same when sent again, once the document runs compiled', async () => {
    const modern = {
      accept: 'application/graphql-response+json',
      authorization: `Bearer ${tenant.key}`,
      'content-type': 'application/json',
    }
    const bad = [
      { query: 'query($n: Int) { conversationPage(limit: $n) { total } }', variables: { n: 'ten' } },
      { query: 'query($n: Int!) { conversationPage(limit: $n) { total } }', variables: {} },
      { query: 'query($c: Channel) { communications(channel: $c) { totalCount } }', variables: { c: 'SMSS' } },
      { query: 'query A { viewer { id } } query B { viewer { name } }' },
      { query: 'query A { viewer { id } }', operationName: 'B' },
    ]
    for (const body of bad) {
      const answers = []
      for (let i = 0; i < 3; i++) {
        const response = await client.call('POST', '/graphql', { body: JSON.stringify(body), headers: modern })
        answers.push({ status: response.status, body: await response.json() })
      }
      expect(answers[0].status, JSON.stringify(body)).toBe(400)
      expect(answers[0].body.data ?? null).toBeNull()
      expect(answers[1], JSON.stringify(body)).toEqual(answers[0])
      expect(answers[2], JSON.stringify(body)).toEqual(answers[0])
    }
  })

  it('an over-long key name is refused', async () => {
    const result = await client.gql(
      `mutation($n: String!) { createApiKey(input: { name: $n, mode: LIVE }) { secret } }`,
      { n: 'k'.repeat(101) },
      { cookie: tenant.cookie },
    )
    expect(result.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_REQUEST' } })
  })
})

describe('unknown paths', () => {
  it('answer 404 JSON', async () => {
    const response = await client.call('GET', '/nope')
    expect(response.status).toBe(404)
    expect(await response.json()).toMatchObject({ error: 'Not Found' })
  })
})

describe('GraphiQL', () => {
  it('is served outside production, from this server (no CDN)', async () => {
    const response = await client.call('GET', '/graphql', { headers: { accept: 'text/html' } })
    expect(response.status).toBe(200)
    const html = await response.text()
    expect(html).toContain('GraphiQL')
    expect(html).not.toMatch(/unpkg\.com|jsdelivr|cdnjs/)
  })

  it('is off in production', async () => {
    const production = await testApp({ NODE_ENV: 'production' })
    const response = await production.call('GET', '/graphql', { headers: { accept: 'text/html' } })
    expect(await response.text()).not.toContain('GraphiQL')
  })
})
