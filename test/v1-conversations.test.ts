import { beforeAll, describe, expect, it } from 'vitest'
import { countStatements, keyRemembered, type TestClient, testApp } from './support/app.js'
import { seedConversation } from './support/fixtures.js'
import { createTenant, type Tenant, twoTenants } from './support/tenants.js'

let client: TestClient
let tenant: Tenant
let other: Tenant

beforeAll(async () => {
  client = await testApp()
  ;[tenant, other] = await twoTenants(client)
})

const get = (path: string, key = tenant.key) => client.call('GET', path, { key })

describe('GET /v1/conversations', () => {
  it("lists only the caller's conversations, newest first, with the documented envelope", async () => {
    const t = await createTenant(client)
    const older = await seedConversation(t.accountId, { createdAt: new Date('2026-01-01T10:00:00Z'), metadata: { crmKey: 'keepCase' } })
    const newer = await seedConversation(t.accountId, { createdAt: new Date('2026-02-01T10:00:00Z') })
    const foreign = await seedConversation(other.accountId)
    const response = await get('/v1/conversations', t.key)
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toMatch(/application\/json/)
    const body = await response.json()
    expect(body.pagination).toEqual({ limit: 50, offset: 0, total: 2 })
    expect(body.data.map((c: { id: string }) => c.id)).toEqual([newer.id, older.id])
    expect(JSON.stringify(body)).not.toContain(foreign.id)
    expect(Object.keys(body.data[1]).sort()).toEqual(
      [
        'channel',
        'created_at',
        'customer_id',
        'ended_at',
        'id',
        'last_message_at',
        'lead_id',
        'message_count',
        'metadata',
        'participant',
        'started_at',
        'status',
        'subject',
        'summary',
        'updated_at',
      ].sort(),
    )
    expect(body.data[1].metadata).toEqual({ crmKey: 'keepCase' })
    expect(body.data[1].created_at).toBe('2026-01-01T10:00:00.000Z')
  })

  it('filters by channel, status and started_at dates (an end date includes its whole day)', async () => {
    const t = await createTenant(client)
    const a = await seedConversation(t.accountId, { channel: 'sms', status: 'open', startedAt: new Date('2026-03-01T08:00:00Z') })
    const b = await seedConversation(t.accountId, { channel: 'voice', status: 'closed', startedAt: new Date('2026-03-02T23:59:00Z') })
    const c = await seedConversation(t.accountId, { channel: 'email', status: 'open', startedAt: new Date('2026-03-03T00:00:00Z') })
    const ids = async (query: string) =>
      ((await (await get(`/v1/conversations?${query}`, t.key)).json()).data as { id: string }[]).map((x) => x.id).sort()
    expect(await ids('channel=voice')).toEqual([b.id])
    expect(await ids('status=open')).toEqual([a.id, c.id].sort())
    expect(await ids('start_date=2026-03-02')).toEqual([b.id, c.id].sort())
    expect(await ids('end_date=2026-03-02')).toEqual([a.id, b.id].sort())
    expect(await ids('start_date=2026-03-02&end_date=2026-03-02')).toEqual([b.id])
    expect(await ids('start_date=2026-03-01T09:00:00Z&end_date=2026-03-03T00:00:00Z')).toEqual([b.id, c.id].sort())
    expect(await ids('channel=sms&status=closed')).toEqual([])
  })

  it('pages with limit/offset, clamps limit to 200 and keeps the order stable across pages', async () => {
    const t = await createTenant(client)
    const sameTime = new Date('2026-04-01T00:00:00Z')
    for (let i = 0; i < 5; i++) await seedConversation(t.accountId, { createdAt: sameTime })
    const all = (await (await get('/v1/conversations?limit=5', t.key)).json()).data.map((c: { id: string }) => c.id)
    const pages = []
    for (let offset = 0; offset < 5; offset += 2) {
      const body = await (await get(`/v1/conversations?limit=2&offset=${offset}`, t.key)).json()
      expect(body.pagination).toEqual({ limit: 2, offset, total: 5 })
      pages.push(...body.data.map((c: { id: string }) => c.id))
    }
    expect(pages).toEqual(all)
    const clamped = await (await get('/v1/conversations?limit=5000', t.key)).json()
    expect(clamped.pagination.limit).toBe(200)
    expect((await (await get('/v1/conversations?offset=100', t.key)).json()).data).toEqual([])
  })

  it.each([
    ['limit=-1', /limit/],
    ['limit=abc', /limit/],
    ['limit=1.5', /limit/],
    ['offset=-3', /offset/],
    ['offset=99999999999999999999', /offset/],
    ['channel=fax', /channel/],
    ['status=archived', /status/],
    ['start_date=yesterday', /Invalid date/],
    ['end_date=2026-02-31', /Invalid date/],
    [`start_date=${'9'.repeat(5000)}`, /start_date/],
  ])('answers %s with 400 and the documented error body', async (query, message) => {
    const response = await get(`/v1/conversations?${query}`)
    expect(response.status).toBe(400)
    const body = await response.json()
    expect(body.error).toBe('Bad Request')
    expect(body.message).toMatch(message)
  })

  it('runs the same number of SQL statements for 200 conversations as for 1', async () => {
    const small = await createTenant(client)
    const large = await createTenant(client)
    await seedConversation(small.accountId)
    for (let i = 0; i < 200; i++) await seedConversation(large.accountId, { messages: [{ content: `hi ${i}` }] })
    await get('/v1/conversations?limit=200', small.key) // lastUsedAt written once per minute: warm both keys first
    await get('/v1/conversations?limit=200', large.key)
    const one = await countStatements(() => get('/v1/conversations?limit=200', small.key))
    const many = await countStatements(async () => {
      const body = await (await get('/v1/conversations?limit=200', large.key)).json()
      expect(body.data).toHaveLength(200)
    })
    expect(many).toBe(one)
    expect(many).toBeLessThanOrEqual(2) // page, count (the key is remembered from the warm-up)
  })
})

describe('GET /v1/conversations/{id}', () => {
  it("returns the conversation, and 404 for an unknown id or another account's id", async () => {
    const mine = await seedConversation(tenant.accountId, { channel: 'imessage' })
    const theirs = await seedConversation(other.accountId)
    const ok = await get(`/v1/conversations/${mine.id}`)
    expect(ok.status).toBe(200)
    expect((await ok.json()).data).toMatchObject({ id: mine.id, channel: 'imessage', status: 'open' })
    for (const id of [theirs.id, 'does-not-exist', encodeURIComponent('../../etc')]) {
      const response = await get(`/v1/conversations/${id}`)
      expect(response.status).toBe(404)
      expect(await response.json()).toEqual({ error: 'Not Found', message: 'Conversation not found' })
    }
  })
})

describe('GET /v1/conversations/{id}/messages', () => {
  it('pages messages oldest first; 404 for another account', async () => {
    const base = Date.parse('2026-05-01T12:00:00Z')
    const conv = await seedConversation(tenant.accountId, {
      messages: [
        { content: 'first', at: new Date(base) },
        { sender: 'agent', content: 'second', at: new Date(base + 1000) },
        { content: 'third', at: new Date(base + 2000) },
      ],
    })
    const body = await (await get(`/v1/conversations/${conv.id}/messages?limit=2`)).json()
    expect(body.pagination).toEqual({ limit: 2, offset: 0, total: 3 })
    expect(body.data.map((m: { content: string }) => m.content)).toEqual(['first', 'second'])
    expect(body.data[1]).toMatchObject({ conversation_id: conv.id, direction: 'outbound', sender: 'agent', channel: 'sms' })
    const foreign = await seedConversation(other.accountId, { messages: [{ content: 'secret' }] })
    const response = await get(`/v1/conversations/${foreign.id}/messages`)
    expect(response.status).toBe(404)
    expect(JSON.stringify(await response.json())).not.toContain('secret')
  })

  it('counts the total with the conversation: two statements for any page, right totals past the end and for none', async () => {
    const empty = await seedConversation(tenant.accountId)
    const busy = await seedConversation(tenant.accountId, { messages: Array.from({ length: 60 }, (_, i) => ({ content: `m${i}` })) })
    await keyRemembered(client, tenant.key)
    const none = await countStatements(async () => {
      expect(await (await get(`/v1/conversations/${empty.id}/messages`)).json()).toEqual({
        data: [],
        pagination: { limit: 50, offset: 0, total: 0 },
      })
    })
    const page = await countStatements(async () => {
      const body = await (await get(`/v1/conversations/${busy.id}/messages?limit=50&offset=40`)).json()
      expect(body.pagination).toEqual({ limit: 50, offset: 40, total: 60 })
      expect(body.data.map((m: { content: string }) => m.content)).toEqual(Array.from({ length: 20 }, (_, i) => `m${i + 40}`))
    })
    expect(page).toBe(none)
    expect(page).toBeLessThanOrEqual(2) // the conversation with its count, then the page
    const past = await (await get(`/v1/conversations/${busy.id}/messages?offset=100`)).json()
    expect(past).toEqual({ data: [], pagination: { limit: 50, offset: 100, total: 60 } })
  })
})

describe('GET /v1/conversations/{id}/transcript', () => {
  it('serves a voice transcript as JSON and as text', async () => {
    const at = (s: number) => new Date(Date.parse('2026-06-01T15:00:00Z') + s * 1000)
    const conv = await seedConversation(tenant.accountId, {
      channel: 'voice',
      transcript: [
        { speaker: 'AI', text: 'Hi, this is Acme Roofing.', at: at(0) },
        { speaker: 'Customer', text: 'Hello!\nWhen do you start?', at: at(4) },
      ],
    })
    const json = await (await get(`/v1/conversations/${conv.id}/transcript`)).json()
    expect(json.data).toMatchObject({ conversation_id: conv.id, channel: 'voice' })
    expect(json.data.entries).toEqual([
      { speaker: 'AI', text: 'Hi, this is Acme Roofing.', at: '2026-06-01T15:00:00.000Z' },
      { speaker: 'Customer', text: 'Hello!\nWhen do you start?', at: '2026-06-01T15:00:04.000Z' },
    ])
    const text = await get(`/v1/conversations/${conv.id}/transcript?format=text`)
    expect(text.headers.get('content-type')).toBe('text/plain; charset=utf-8')
    const expected =
      '[2026-06-01T15:00:00.000Z] AI: Hi, this is Acme Roofing.\n[2026-06-01T15:00:04.000Z] Customer: Hello! When do you start?'
    expect(await text.text()).toBe(expected)
    expect(json.data.text).toBe(expected)
  })

  it("builds a text conversation's transcript from its messages", async () => {
    const conv = await seedConversation(tenant.accountId, {
      messages: [
        { content: 'Is Tuesday ok?', at: new Date('2026-06-02T10:00:00Z') },
        { sender: 'ai', content: 'Tuesday works.', at: new Date('2026-06-02T10:01:00Z') },
      ],
    })
    const text = await (await get(`/v1/conversations/${conv.id}/transcript?format=text`)).text()
    expect(text).toBe('[2026-06-02T10:00:00.000Z] Customer: Is Tuesday ok?\n[2026-06-02T10:01:00.000Z] AI: Tuesday works.')
  })

  it('rejects other formats, needs read:transcripts and hides other accounts', async () => {
    const conv = await seedConversation(tenant.accountId)
    const bad = await get(`/v1/conversations/${conv.id}/transcript?format=xml`)
    expect(bad.status).toBe(400)
    const { secret } = await tenant.createKey({ scopes: ['read:conversations'] })
    const denied = await get(`/v1/conversations/${conv.id}/transcript`, secret)
    expect(denied.status).toBe(403)
    expect(await denied.json()).toEqual({ error: 'Forbidden', message: 'Insufficient scope: read:transcripts required' })
    expect((await get(`/v1/conversations/${conv.id}`, secret)).status).toBe(200)
    const { secret: transcriptsOnly } = await tenant.createKey({ scopes: ['read:transcripts'] })
    expect((await get(`/v1/conversations/${conv.id}/transcript`, transcriptsOnly)).status).toBe(200)
    expect((await get(`/v1/conversations`, transcriptsOnly)).status).toBe(403)
    const foreign = await seedConversation(other.accountId)
    expect((await get(`/v1/conversations/${foreign.id}/transcript`)).status).toBe(404)
  })
})

describe('the /v1 rules', () => {
  it.each(['POST', 'PUT', 'PATCH', 'DELETE'])('%s on any /v1 path is 405 with Allow: GET, HEAD', async (method) => {
    for (const path of ['/v1/conversations', '/v1/conversations/x/messages', '/v1/unknown/thing']) {
      const response = await client.call(method, path, { key: tenant.key, body: { a: 1 } })
      expect(response.status).toBe(405)
      expect(response.headers.get('allow')).toBe('GET, HEAD')
      expect((await response.json()).error).toBe('Method Not Allowed')
    }
  })

  it('answers HEAD like GET without a body', async () => {
    const response = await client.call('HEAD', '/v1/conversations', { key: tenant.key })
    expect(response.status).toBe(200)
    expect(await response.text()).toBe('')
  })

  it('answers an unknown /v1 path with 404 in the documented shape', async () => {
    const response = await get('/v1/nothing-here')
    expect(response.status).toBe(404)
    expect((await response.json()).error).toBe('Not Found')
  })

  it('needs a key: 401 without one', async () => {
    const response = await client.call('GET', '/v1/conversations')
    expect(response.status).toBe(401)
    expect(await response.json()).toEqual({
      error: 'Unauthorized',
      message: 'Authentication required: send Authorization: Bearer <API key>',
    })
  })

  it('echoes a valid X-Request-Id and mints one otherwise', async () => {
    const echoed = await client.call('GET', '/v1/conversations', { key: tenant.key, headers: { 'x-request-id': 'trace-123' } })
    expect(echoed.headers.get('x-request-id')).toBe('trace-123')
    const minted = await client.call('GET', '/v1/conversations', { key: tenant.key, headers: { 'x-request-id': 'bad id with spaces' } })
    expect(minted.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/)
  })
})
