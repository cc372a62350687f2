import { beforeAll, describe, expect, it } from 'vitest'
import { db } from '../src/db/client.js'
import { countStatements, type TestClient, testApp } from './support/app.js'
import { createTenant, type Tenant, twoTenants } from './support/tenants.js'

let client: TestClient
let tenant: Tenant
let other: Tenant

beforeAll(async () => {
  client = await testApp()
  ;[tenant, other] = await twoTenants(client)
})

const get = (path: string, key = tenant.key) => client.call('GET', `/api/v1${path}`, { key })
const send = (method: string, path: string, body: unknown, key = tenant.key) => client.call(method, `/api/v1${path}`, { key, body })
const createLead = async (body: Record<string, unknown>, key = tenant.key) => {
  const response = await send('POST', '/leads', body, key)
  expect(response.status, await response.clone().text()).toBe(201)
  return (await response.json()).data
}

const LEAD_KEYS = [
  'ai_enabled',
  'ai_score',
  'ai_status',
  'ai_summary',
  'created_at',
  'custom_data',
  'email',
  'external_id',
  'first_name',
  'id',
  'last_name',
  'metadata',
  'name',
  'phone',
  'pipeline_stage',
  'source',
  'updated_at',
]

describe('POST /api/v1/leads', () => {
  it('creates a lead with defaults and answers 201 {"data": lead}', async () => {
    const response = await send('POST', '/leads', {
      name: 'Jane Roof',
      phone: '+15555550101',
      email: 'jane@example.com',
      custom_data: { roofType: 'tile' },
      unknown_field: 1,
    })
    expect(response.status).toBe(201)
    const { data } = await response.json()
    expect(Object.keys(data).sort()).toEqual(LEAD_KEYS)
    expect(data).toMatchObject({
      name: 'Jane Roof',
      pipeline_stage: 'new_lead',
      ai_status: 'new',
      ai_score: null,
      ai_enabled: true,
      custom_data: { roofType: 'tile' },
      metadata: {},
    })
    expect((await get(`/leads/${data.id}`)).status).toBe(200)
  })

  it.each([
    [{}, "At least 'name' or 'phone' is required"],
    [{ email: 'a@b.co' }, "At least 'name' or 'phone' is required"],
    [{ name: '   ' }, "At least 'name' or 'phone' is required"],
    [{ phone: '555-0100' }, 'phone must be an E.164 phone number such as +15555550100'],
    [{ name: 'x', email: 'not-an-email' }, 'email must be an email address'],
    [{ name: 'x'.repeat(501) }, 'name must be at most 500 characters'],
    [
      { name: 'x', pipeline_stage: 'won' },
      'Invalid pipeline_stage "won": expected one of new_lead, follow_up, quote_in_progress, quoted, closed_won, closed_lost',
    ],
  ])('refuses %j with 400 and writes nothing', async (body, message) => {
    const before = await db.lead.count({ where: { accountId: tenant.accountId } })
    const response = await send('POST', '/leads', body)
    expect(response.status).toBe(400)
    expect(await response.json()).toEqual({ error: message })
    expect(await db.lead.count({ where: { accountId: tenant.accountId } })).toBe(before)
  })

  it('refuses a wrong type on a known field, and bodies that are not JSON objects', async () => {
    for (const [body, message] of [
      [{ name: 42 }, 'name must be a string'],
      [{ name: 'x', metadata: 'yes' }, 'metadata must be a JSON object'],
      [{ name: 'x', custom_data: [] }, 'custom_data must be a JSON object'],
    ] as const) {
      const response = await send('POST', '/leads', body)
      expect(response.status).toBe(400)
      expect(await response.json()).toEqual({ error: message })
    }
    const patch = await send('PATCH', `/leads/${(await createLead({ name: 'T' })).id}`, { ai_enabled: 'no' })
    expect(await patch.json()).toEqual({ error: 'ai_enabled must be a boolean' })
    for (const body of ['[1]', '{"name": ', '"x"']) {
      const response = await send('POST', '/leads', body)
      expect(response.status).toBe(400)
      expect(Object.keys(await response.json())).toEqual(['error'])
    }
  })

  it('answers an oversized body with 413 in the surface shape', async () => {
    const response = await send('POST', '/leads', { name: 'big', metadata: { blob: 'x'.repeat(2 * 1024 * 1024) } })
    expect(response.status).toBe(413)
    expect(await response.json()).toEqual({ error: 'Request body exceeds 1 MB' })
  })
})

describe('GET /api/v1/leads', () => {
  it("lists newest first with the page/per_page envelope, and only the caller's leads", async () => {
    const t = await createTenant(client)
    const ids = []
    for (let i = 0; i < 3; i++) ids.push((await createLead({ name: `Lead ${i}` }, t.key)).id)
    await createLead({ name: 'Foreign' }, other.key)
    const body = await (await get('/leads', t.key)).json()
    expect(body.meta).toEqual({ page: 1, per_page: 25, total: 3 })
    expect(body.data.map((l: { id: string }) => l.id)).toEqual(ids.reverse())
    expect(Object.keys(body.data[0]).sort()).toEqual(LEAD_KEYS)
  })

  it('clamps out-of-range page values and falls back to defaults for unparsable ones', async () => {
    const t = await createTenant(client)
    for (let i = 0; i < 3; i++) await createLead({ name: `P${i}` }, t.key)
    const meta = async (query: string) => {
      const response = await get(`/leads?${query}`, t.key)
      expect(response.status).toBe(200)
      const body = await response.json()
      return { ...body.meta, count: body.data.length }
    }
    expect(await meta('per_page=0')).toEqual({ page: 1, per_page: 1, total: 3, count: 1 })
    expect(await meta('per_page=1000')).toEqual({ page: 1, per_page: 100, total: 3, count: 3 })
    expect(await meta('page=-3')).toEqual({ page: 1, per_page: 25, total: 3, count: 3 })
    expect(await meta('page=abc&per_page=xyz')).toEqual({ page: 1, per_page: 25, total: 3, count: 3 })
    expect(await meta('page=2&per_page=2')).toEqual({ page: 2, per_page: 2, total: 3, count: 1 })
    expect(await meta('page=99999999999999999999')).toEqual({ page: 1_000_000, per_page: 25, total: 3, count: 0 })
  })

  it('filters by stage and ai_status, and refuses values outside the documented lists', async () => {
    const t = await createTenant(client)
    const quoted = await createLead({ name: 'Q', pipeline_stage: 'quoted' }, t.key)
    await createLead({ name: 'N' }, t.key)
    await db.lead.update({ where: { id: quoted.id }, data: { aiStatus: 'hot' } })
    const ids = async (query: string) => (await (await get(`/leads?${query}`, t.key)).json()).data.map((l: { id: string }) => l.id)
    expect(await ids('stage=quoted')).toEqual([quoted.id])
    expect(await ids('ai_status=hot')).toEqual([quoted.id])
    expect(await ids('stage=closed_won')).toEqual([])
    for (const [query, message] of [
      ['stage=won', 'Invalid stage "won": expected one of new_lead, follow_up, quote_in_progress, quoted, closed_won, closed_lost'],
      ['ai_status=lukewarm', 'Invalid ai_status "lukewarm": expected one of hot, warm, cold, new'],
    ]) {
      const response = await get(`/leads?${query}`, t.key)
      expect(response.status).toBe(400)
      expect(await response.json()).toEqual({ error: message })
    }
  })

  it('searches name, phone and email case-insensitively; emails and phones work as typed', async () => {
    const t = await createTenant(client)
    const jane = await createLead({ name: 'Jane Doe', email: 'jane+roof@example.com', phone: '+15555550123' }, t.key)
    const bob = await createLead({ name: 'Bob 100%_Smith', email: 'bob@example.org' }, t.key)
    const ids = async (search: string) => (await (await get(`/leads?search=${search}`, t.key)).json()).data.map((l: { id: string }) => l.id)
    expect(await ids('jAnE')).toEqual([jane.id])
    expect(await ids('jane+roof@example.com')).toEqual([jane.id]) // `+` unencoded, as typed
    expect(await ids(encodeURIComponent('jane+roof@example.com'))).toEqual([jane.id])
    expect(await ids('+1555555')).toEqual([jane.id])
    expect(await ids('0123')).toEqual([jane.id])
    expect(await ids('EXAMPLE.')).toEqual([bob.id, jane.id])
    expect(await ids('bob+100')).toEqual([bob.id]) // form encoding: `+` is a space in a name
    expect(await ids('100%25_')).toEqual([bob.id]) // LIKE wildcards match literally
    expect(await ids('%25')).toEqual([bob.id])
    expect(await ids('nobody')).toEqual([])
  })

  it('runs the same number of SQL statements for 100 leads as for 1', async () => {
    const small = await createTenant(client)
    const large = await createTenant(client)
    await createLead({ name: 'one' }, small.key)
    await db.lead.createMany({ data: Array.from({ length: 100 }, (_, i) => ({ accountId: large.accountId, name: `Lead ${i}` })) })
    await get('/leads?per_page=100', small.key)
    await get('/leads?per_page=100', large.key)
    const one = await countStatements(() => get('/leads?per_page=100', small.key))
    const many = await countStatements(async () =>
      expect((await (await get('/leads?per_page=100', large.key)).json()).data).toHaveLength(100),
    )
    expect(many).toBe(one)
    expect(many).toBeLessThanOrEqual(3)
  })
})

describe('GET and PATCH /api/v1/leads/{id}', () => {
  it('answers 404 "Lead not found" for unknown and other accounts\' ids, for reads and writes', async () => {
    const theirs = await createLead({ name: 'Theirs' }, other.key)
    for (const id of [theirs.id, 'nope']) {
      for (const response of [await get(`/leads/${id}`), await send('PATCH', `/leads/${id}`, { name: 'Mine now' })]) {
        expect(response.status).toBe(404)
        expect(await response.json()).toEqual({ error: 'Lead not found' })
      }
    }
    expect((await db.lead.findUniqueOrThrow({ where: { id: theirs.id } })).name).toBe('Theirs')
  })

  it('updates only the given fields and returns the whole lead', async () => {
    const lead = await createLead({ name: 'Before', phone: '+15555550111', source: 'web' })
    const response = await send('PATCH', `/leads/${lead.id}`, {
      name: 'After',
      ai_enabled: false,
      email: null,
      pipeline_stage: 'follow_up',
    })
    expect(response.status).toBe(200)
    const { data } = await response.json()
    expect(data).toMatchObject({
      id: lead.id,
      name: 'After',
      phone: '+15555550111',
      source: 'web',
      ai_enabled: false,
      email: null,
      pipeline_stage: 'follow_up',
    })
    expect(Object.keys(data).sort()).toEqual(LEAD_KEYS)
  })

  it.each([
    [{}, 'No valid fields to update'],
    [{ color: 'red', id: 'x', ai_status: 'hot' }, 'No valid fields to update'],
    [{ pipeline_stage: 'lost' }, /^Invalid pipeline_stage "lost"/],
    [{ phone: '12345' }, /E\.164/],
    [{ name: 'ok', phone: '+1' }, /E\.164/],
    [{ name: null, phone: '' }, "At least 'name' or 'phone' is required"],
  ])('refuses PATCH %j with 400 and changes nothing', async (body, message) => {
    const lead = await createLead({ name: 'Stable', phone: '+15555550112' })
    const response = await send('PATCH', `/leads/${lead.id}`, body)
    expect(response.status).toBe(400)
    expect((await response.json()).error).toMatch(message)
    expect(await db.lead.findUniqueOrThrow({ where: { id: lead.id } })).toMatchObject({
      name: 'Stable',
      phone: '+15555550112',
      aiStatus: 'new',
    })
  })
})

describe('scopes and authentication', () => {
  it('answers 403 naming the missing scope, and 401 saying what is wrong', async () => {
    const { secret } = await tenant.createKey({ scopes: ['read:conversations'] })
    for (const [method, path, scope] of [
      ['GET', '/leads', 'leads:read'],
      ['POST', '/leads', 'leads:write'],
      ['GET', '/quotes', 'quotes:read'],
      ['POST', '/sms', 'sms:send'],
      ['GET', '/appointments', 'appointments:read'],
      ['GET', '/pipeline', 'pipeline:read'],
    ]) {
      const response = await client.call(method, `/api/v1${path}`, {
        key: secret,
        body: method === 'POST' ? { name: 'x', lead_id: 'x', message: 'x' } : undefined,
      })
      expect(response.status).toBe(403)
      expect(await response.json()).toEqual({ error: `Insufficient scope: ${scope} required` })
    }
    const anonymous = await client.call('GET', '/api/v1/leads')
    expect(anonymous.status).toBe(401)
    expect(await anonymous.json()).toEqual({ error: 'Authentication required: send Authorization: Bearer <API key>' })
    const bogus = await client.call('GET', '/api/v1/leads', { key: 'obq_live_nope' })
    expect(bogus.status).toBe(401)
    expect((await bogus.json()).error).toMatch(/API keys look like/)
  })

  it('answers unknown paths and methods in the surface shape', async () => {
    const missing = await get('/nothing')
    expect(missing.status).toBe(404)
    expect(await missing.json()).toEqual({ error: 'No route for /api/v1/nothing' })
    const method = await send('DELETE', '/leads', undefined)
    expect(method.status).toBe(405)
    expect(method.headers.get('allow')).toBe('GET, HEAD, POST')
  })
})

describe('quotes', () => {
  const createQuote = async (t: Tenant, leadId: string, extra: Record<string, unknown> = {}) => {
    const result = await client.gql(
      `mutation($input: CreateQuoteInput!) { createQuote(input: $input) { id quoteNumber status total } }`,
      {
        input: {
          leadId,
          lineItems: [
            { description: 'Tear-off', quantity: 1, unitPrice: 2400 },
            { description: 'Shingles', quantity: 2.5, unitPrice: 99.99 },
          ],
          tax: 240,
          metadata: { rep: 'Al' },
          ...extra,
        },
      },
      { key: t.key },
    )
    expect(result.errors, JSON.stringify(result.errors)).toBeUndefined()
    return result.data.createQuote
  }

  it('creates numbered quotes in cents-exact amounts; lists omit line_items and metadata', async () => {
    const t = await createTenant(client)
    const lead = await createLead({ name: 'Quoted' }, t.key)
    const first = await createQuote(t, lead.id, { validUntil: '2026-12-31', currency: 'usd' })
    const second = await createQuote(t, lead.id)
    expect(first).toMatchObject({ quoteNumber: 'Q-00001', status: 'draft', total: 2889.98 })
    expect(second.quoteNumber).toBe('Q-00002')
    const list = await (await get('/quotes', t.key)).json()
    expect(list.meta).toEqual({ page: 1, per_page: 25, total: 2 })
    expect(list.data.map((q: { id: string }) => q.id)).toEqual([second.id, first.id])
    expect(list.data[1]).not.toHaveProperty('line_items')
    expect(list.data[1]).not.toHaveProperty('metadata')
    expect(list.data[1]).toMatchObject({
      quote_number: 'Q-00001',
      subtotal: 2649.98,
      tax: 240,
      total: 2889.98,
      currency: 'USD',
      lead_id: lead.id,
      valid_until: '2026-12-31',
      sent_at: null,
    })
    const one = await (await get(`/quotes/${first.id}`, t.key)).json()
    expect(one.data.line_items).toEqual([
      { description: 'Tear-off', quantity: 1, unit_price: 2400 },
      { description: 'Shingles', quantity: 2.5, unit_price: 99.99 },
    ])
    expect(one.data.metadata).toEqual({ rep: 'Al' })
  })

  it('lists quotes in a fixed number of statements', async () => {
    const small = await createTenant(client)
    const large = await createTenant(client)
    const [a, b] = [await createLead({ name: 'a' }, small.key), await createLead({ name: 'b' }, large.key)]
    await createQuote(small, a.id)
    for (let i = 0; i < 10; i++) await createQuote(large, b.id)
    await get('/quotes', small.key)
    await get('/quotes', large.key)
    const one = await countStatements(() => get('/quotes', small.key))
    const many = await countStatements(() => get('/quotes', large.key))
    expect(many).toBe(one)
    expect(many).toBeLessThanOrEqual(3)
  })

  it('filters by status, updates status through GraphQL, and hides other accounts', async () => {
    const t = await createTenant(client)
    const lead = await createLead({ name: 'Q' }, t.key)
    const quote = await createQuote(t, lead.id)
    const update = (status: string, id = quote.id, key = t.key) =>
      client.gql(
        `mutation($id: ID!, $s: QuoteStatus!) { updateQuoteStatus(id: $id, status: $s) { id status } }`,
        { id, s: status },
        { key },
      )
    expect((await update('accepted')).data.updateQuoteStatus.status).toBe('accepted')
    const unknown = await update('approved')
    expect(unknown.status).toBe(400)
    expect(unknown.errors?.[0].message).toMatch(/"approved" does not exist in "QuoteStatus"/)
    expect((await update('draft')).errors?.[0]).toMatchObject({ extensions: { code: 'BAD_REQUEST' } })
    expect((await update('accepted', quote.id, other.key)).errors?.[0].message).toBe('Quote not found')
    expect((await (await get('/quotes?status=accepted', t.key)).json()).data).toHaveLength(1)
    expect((await (await get('/quotes?status=draft', t.key)).json()).data).toHaveLength(0)
    const bad = await get('/quotes?status=approved', t.key)
    expect(bad.status).toBe(400)
    expect(await bad.json()).toEqual({
      error: 'Invalid status "approved": expected one of draft, sent, viewed, accepted, declined, expired',
    })
    const foreign = await get(`/quotes/${quote.id}`, other.key)
    expect(foreign.status).toBe(404)
    expect(await foreign.json()).toEqual({ error: 'Quote not found' })
  })

  it('refuses bad quote input without writing anything', async () => {
    const t = await createTenant(client)
    const lead = await createLead({ name: 'Q' }, t.key)
    const foreignLead = await createLead({ name: 'F' }, other.key)
    const attempt = (input: Record<string, unknown>) =>
      client.gql(`mutation($input: CreateQuoteInput!) { createQuote(input: $input) { id } }`, { input }, { key: t.key })
    const item = { description: 'x', quantity: 1, unitPrice: 1 }
    expect((await attempt({ leadId: lead.id, lineItems: [] })).errors?.[0].extensions.code).toBe('BAD_REQUEST')
    expect((await attempt({ leadId: lead.id, lineItems: [{ ...item, quantity: 0 }] })).errors?.[0].extensions.code).toBe('BAD_REQUEST')
    expect((await attempt({ leadId: lead.id, lineItems: [{ ...item, unitPrice: -5 }] })).errors?.[0].extensions.code).toBe('BAD_REQUEST')
    expect((await attempt({ leadId: lead.id, lineItems: [item], validUntil: '2026-02-31' })).errors?.[0].extensions.code).toBe(
      'BAD_REQUEST',
    )
    expect((await attempt({ leadId: foreignLead.id, lineItems: [item] })).errors?.[0].message).toBe('Lead not found')
    expect(await db.quote.count({ where: { accountId: t.accountId } })).toBe(0)
    expect((await db.account.findUniqueOrThrow({ where: { id: t.accountId } })).quoteSequence).toBe(0)
  })
})

describe('appointments and pipeline', () => {
  const book = (t: Tenant, input: Record<string, unknown>) =>
    client.gql(`mutation($input: BookAppointmentInput!) { bookAppointment(input: $input) { id } }`, { input }, { key: t.key })

  it('lists appointments with the lead embedded under `leads`, filtered by type, in a fixed number of statements', async () => {
    const t = await createTenant(client)
    const lead = await createLead({ name: 'Ann', phone: '+15555550140', email: 'ann@example.com' }, t.key)
    const slot = { startTime: '2026-12-01T15:00:00Z', endTime: '2026-12-01T16:00:00Z', title: 'Roof check' }
    const onsite = await book(t, { leadId: lead.id, type: 'onsite', bookedBy: 'human', ...slot })
    expect(onsite.errors).toBeUndefined()
    await book(t, { leadId: lead.id, type: 'callback', bookedBy: 'ai', ...slot })
    const body = await (await get('/appointments?type=onsite', t.key)).json()
    expect(body.meta).toEqual({ page: 1, per_page: 25, total: 1 })
    expect(body.data[0]).toMatchObject({
      id: onsite.data.bookAppointment.id,
      title: 'Roof check',
      status: 'scheduled',
      appointment_type: 'onsite',
      booked_by: 'human',
      start_time: '2026-12-01T15:00:00.000Z',
      end_time: '2026-12-01T16:00:00.000Z',
      lead_id: lead.id,
      leads: { name: 'Ann', phone: '+15555550140', email: 'ann@example.com' },
    })
    expect((await (await get('/appointments', t.key)).json()).data).toHaveLength(2)
    const bad = await get('/appointments?type=visit', t.key)
    expect(await bad.json()).toEqual({ error: 'Invalid type "visit": expected one of callback, onsite' })
    for (let i = 0; i < 20; i++) await book(t, { leadId: lead.id, type: 'onsite', ...slot })
    const small = await createTenant(client)
    const smallLead = await createLead({ name: 'S' }, small.key)
    await book(small, { leadId: smallLead.id, type: 'onsite', ...slot })
    await get('/appointments', small.key)
    const one = await countStatements(() => get('/appointments', small.key))
    const many = await countStatements(() => get('/appointments', t.key))
    expect(many).toBe(one)
  })

  it('refuses bad bookings', async () => {
    const t = await createTenant(client)
    const lead = await createLead({ name: 'B' }, t.key)
    const slot = { leadId: lead.id, type: 'onsite', startTime: '2026-12-01T15:00:00Z', title: 'x' }
    expect((await book(t, { ...slot, type: 'visit' })).errors?.[0].message).toMatch(/"visit" does not exist in "AppointmentType"/)
    expect((await book(t, { ...slot, bookedBy: 'robot' })).errors?.[0].message).toMatch(/"robot" does not exist in "BookedBy"/)
    expect((await book(t, { ...slot, endTime: '2026-12-01T14:00:00Z' })).errors?.[0].message).toBe('endTime must be after startTime')
    expect((await book(t, { ...slot, startTime: 'tomorrow' })).errors?.[0].message).toMatch(/startTime.*Invalid DateTime/)
    expect((await book(t, { ...slot, leadId: 'nope' })).errors?.[0].message).toBe('Lead not found')
    expect(await db.appointment.count({ where: { accountId: t.accountId } })).toBe(0)
  })

  it('counts leads per stage with every stage present, in one query', async () => {
    const t = await createTenant(client)
    await createLead({ name: 'a', pipeline_stage: 'quoted' }, t.key)
    await createLead({ name: 'b', pipeline_stage: 'quoted' }, t.key)
    await createLead({ name: 'c' }, t.key)
    await get('/pipeline', t.key)
    let body: any
    const statements = await countStatements(async () => (body = await (await get('/pipeline', t.key)).json()))
    expect(body).toEqual({ data: { new_lead: 1, follow_up: 0, quote_in_progress: 0, quoted: 2, closed_won: 0, closed_lost: 0 } })
    expect(statements).toBe(1) // the GROUP BY (the key was verified by the request before)
  })
})
