/**
 * Input PostgreSQL cannot take (U+0000 in text), JSON too deep to walk, and a session cookie
 * that is not valid percent-encoding: each is the caller's mistake, answered 400 (or ignored, for
 * the cookie) in the surface's error shape, never a 500, on the embedded database and on
 * PostgreSQL alike.
 */
import { beforeAll, describe, expect, it } from 'vitest'
import { db } from '../src/db/client.js'
import { dataExceptionOf } from '../src/errors.js'
import { type TestClient, testApp } from './support/app.js'
import { callbackSender, loggedApp } from './support/callbacks.js'
import { hubCall } from './support/hub.js'
import { createTenant, type Tenant } from './support/tenants.js'

let client: TestClient
let tenant: Tenant
beforeAll(async () => {
  client = await testApp()
  tenant = await createTenant(client)
})

const NUL = '\u0000'

/** The message of a REST error answer, in either documented shape. */
const messageOf = (body: { error: string; message?: string }) => body.message ?? body.error

describe('U+0000 in a request', () => {
  it('is a 400 naming the value in ids, filters and string fields on every REST surface', async () => {
    const cases: [string, string, unknown?][] = [
      ['GET', '/api/v1/leads/a%00b'],
      ['GET', '/api/v1/quotes/a%00b'],
      ['GET', '/v1/conversations/a%00b'],
      ['GET', '/hub/v1/customers/a%00b'],
      ['GET', '/hub/v1/projects/a%00b'],
      ['GET', '/api/v1/leads?search=a%00b'],
      ['GET', '/hub/v1/customers?search=a%00b'],
      ['GET', '/hub/v1/customers?external_id=a%00b'],
      ['POST', '/api/v1/leads', { name: `a${NUL}b` }],
      ['POST', '/api/v1/leads', { name: 'Jo', custom_data: { note: `a${NUL}` } }],
      ['POST', '/api/v1/sms', { lead_id: `a${NUL}`, message: 'hello' }],
      ['POST', '/hub/v1/customers', { name: `a${NUL}b` }],
    ]
    for (const [method, path, body] of cases) {
      const response = await client.call(method, path, { key: tenant.key, body })
      expect(response.status, `${method} ${path}`).toBe(400)
      expect(messageOf((await response.json()) as never), `${method} ${path}`).toMatch(/U\+0000|printable ASCII/)
    }
  })

  it('is a 400 BAD_REQUEST in GraphQL, in literal arguments and in variables', async () => {
    const literal = await client.gql(`{ lead(id: "a\\u0000b") { id } customer(id: "x") { id } }`, {}, { key: tenant.key })
    expect(literal.status).toBe(400)
    expect(literal.errors?.[0]).toMatchObject({
      message: 'Argument id must not contain the character U+0000',
      extensions: { code: 'BAD_REQUEST' },
    })

    const variable = await client.gql(`query($s: String) { leads(search: $s) { totalCount } }`, { s: `a${NUL}` }, { key: tenant.key })
    expect(variable.status).toBe(400)
    expect(variable.errors?.[0]).toMatchObject({ message: '$s must not contain the character U+0000', extensions: { code: 'BAD_REQUEST' } })

    const nested = await client.gql(
      `mutation($input: LeadInput!) { createLead(input: $input) { id } }`,
      { input: { name: 'Jo', customData: { notes: ['fine', `a${NUL}`] } } },
      { key: tenant.key },
    )
    expect(nested.status).toBe(400)
    expect(nested.errors?.[0].message).toBe('$input.customData.notes[1] must not contain the character U+0000')
  })

  it('in a provider callback, which no field rule reads, is refused by the database: 400 and a warning, not a fault', async () => {
    const signingSecret = 'sendblue-signing-secret-1'
    const config = { api_key: 'key-id', api_secret: 'secret', from_number: '+15550001111', signing_secret: signingSecret }
    expect((await hubCall(client, tenant, 'PUT', '/integrations/sendblue', { config })).status).toBe(201)
    const logged = loggedApp()
    const send = callbackSender(logged.app)
    const reports = [
      { is_outbound: false, message_handle: `in${NUL}1`, number: '+15555550123', from_number: '+15555550123', content: `hi${NUL}` },
      { is_outbound: true, message_handle: `out${NUL}1`, status: 'DELIVERED', number: '+15555550123', from_number: config.from_number },
    ]
    for (const report of reports) {
      const response = await send.sendblue(tenant.accountId, report, signingSecret)
      expect(response.status).toBe(400)
      expect(await response.json()).toEqual({ error: 'Bad Request', message: 'Text must not contain the character U+0000' })
    }
    const levels = logged.lines.map((line) => JSON.parse(line).level as number)
    expect(levels.filter((level) => level === 40)).toHaveLength(2)
    expect(levels.filter((level) => level >= 50)).toEqual([])
  })

  it('refused by the database anyway is a 400, not a fault', async () => {
    const error = await db.lead.findFirst({ where: { name: `a${NUL}` } }).catch((e: unknown) => e)
    expect(dataExceptionOf(error)).toMatchObject({ code: 'BAD_REQUEST', message: 'Text must not contain the character U+0000' })
  })
})

describe('JSON nested 30,000 levels deep', () => {
  const deep = (levels: number) => `${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`

  it('in custom_data is a 400 on REST and in GraphQL', async () => {
    const rest = await client.call('POST', '/api/v1/leads', { key: tenant.key, body: `{"name":"Jo","custom_data":${deep(30_000)}}` })
    expect(rest.status).toBe(400)
    expect(await rest.json()).toEqual({ error: 'custom_data must not nest deeper than 32 levels' })

    const graphql = await client.call('POST', '/graphql', {
      key: tenant.key,
      body: `{"query":"mutation($d: JSON) { createLead(input: { name: \\"Jo\\", customData: $d }) { id } }","variables":{"d":${deep(30_000)}}}`,
    })
    expect(graphql.status).toBe(400)
    expect(((await graphql.json()) as any).errors[0]).toMatchObject({
      message: '$d must not nest deeper than 64 levels',
      extensions: { code: 'BAD_REQUEST' },
    })
  })
})

describe('a session cookie that is not valid percent-encoding', () => {
  it('is an unknown session on every route, anonymous ones included, never a 500', async () => {
    const routes = [
      '/health',
      '/graphql?query=%7B__typename%7D',
      '/api/v1/leads',
      '/v1/conversations',
      '/hub/v1/customers',
      '/openapi/crm.json',
    ]
    for (const path of routes) {
      const response = await client.app.fetch(new Request(`http://crm.test${path}`, { headers: { cookie: 'obq_session=%' } }))
      expect(response.status, path).toBeLessThan(500)
    }
    const signedOut = await client.call('GET', '/api/v1/leads', { cookie: 'obq_session=%E0%A4%A' })
    expect(signedOut.status).toBe(401)
    // A good cookie next to a broken one still signs in.
    const both = await client.gql('{ viewer { id } }', {}, { cookie: `other=%; ${tenant.cookie}` })
    expect(both.errors).toBeUndefined()
  })
})
