/**
 * Erasure: after one call per customer or lead, the person's name, phone and email appear in no
 * row of any table of the database — while their STOP is still honoured (the list keeps a hash).
 */
import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { db } from '../src/db/client.js'
import { recordOptOut } from '../src/services/opt-out.js'
import { deliverDueWebhooks } from '../src/services/webhooks/delivery.js'
import { type TestClient, testApp } from './support/app.js'
import { hubCall } from './support/hub.js'
import { createTenant, type Tenant } from './support/tenants.js'
import { startReceiver, subscribe } from './support/webhook-receiver.js'

let client: TestClient
let receiver: Awaited<ReturnType<typeof startReceiver>>

beforeAll(async () => {
  receiver = await startReceiver()
  client = await testApp({ ALLOW_PRIVATE_WEBHOOK_URLS: '1' })
})
afterAll(() => receiver.close())

async function api(
  tenant: Tenant,
  method: string,
  path: string,
  body?: unknown,
  options: { key?: string; headers?: Record<string, string> } = {},
) {
  const response = await client.call(method, `/api/v1${path}`, { key: options.key ?? tenant.key, body, headers: options.headers })
  const text = await response.text()
  return { status: response.status, body: text ? JSON.parse(text) : null }
}

/** Every row of every table of the database, as text, that contains any of `terms` (case-insensitive). */
async function rowsMentioning(terms: string[]): Promise<string[]> {
  const tables = await db.$queryRaw<{ name: string }[]>`
    SELECT table_name AS name FROM information_schema.tables
    WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY 1`
  expect(tables.map((t) => t.name)).toContain('webhook_attempts')
  const patterns = terms.map((t) => `%${t}%`)
  const found: string[] = []
  for (const { name } of tables) {
    const rows = await db.$queryRawUnsafe<{ row: string }[]>(
      `SELECT t::text AS row FROM "${name}" t WHERE t::text ILIKE ANY ($1::text[])`,
      patterns,
    )
    found.push(...rows.map((r) => `${name}: ${r.row}`))
  }
  return found
}

/** A person with details no other test uses. */
function person() {
  const tag = randomBytes(4).toString('hex')
  const digits = String(parseInt(tag, 16) % 10_000).padStart(4, '0')
  return { name: `Quinn Zephyr${tag}`, phone: `+1555777${digits}`, email: `quinn.${tag}@example.org` }
}

describe('erasing a lead and a customer', () => {
  it("removes the person's name, phone and email from every table, and keeps honouring their STOP", async () => {
    const tenant = await createTenant(client)
    const who = person()
    const terms = [who.name, who.phone, who.email]
    await subscribe(client, tenant, receiver.url, ['lead.created', 'lead.updated', 'appointment.booked', 'project.status_changed'])

    // The lead, created with an Idempotency-Key (its answer is stored), updated, quoted, booked, texted.
    const created = await api(tenant, 'POST', '/leads', who, { headers: { 'idempotency-key': `lead-${who.phone}` } })
    const lead = created.body.data
    expect((await api(tenant, 'PATCH', `/leads/${lead.id}`, { source: `referral by ${who.name}` })).status).toBe(200)
    const quote = await client.gql(
      `mutation($input: CreateQuoteInput!) { createQuote(input: $input) { id } }`,
      {
        input: {
          leadId: lead.id,
          lineItems: [{ description: `Roof for ${who.name}`, quantity: 1, unitPrice: 10 }],
          metadata: { contact: who.email },
        },
      },
      { key: tenant.key },
    )
    expect(quote.errors).toBeUndefined()
    const booked = await client.gql(
      `mutation($input: BookAppointmentInput!) { bookAppointment(input: $input) { id } }`,
      { input: { leadId: lead.id, type: 'callback', startTime: '2030-01-01T10:00:00Z', title: `Call ${who.name}`, notes: who.phone } },
      { key: tenant.key },
    )
    expect(booked.errors).toBeUndefined()
    const testKey = await tenant.createKey({ mode: 'test' })
    expect((await api(tenant, 'POST', '/sms', { lead_id: lead.id, message: `Hello ${who.name}` }, { key: testKey.secret })).status).toBe(
      200,
    )
    // A call with its transcript and recording, and a STOP from the number.
    await db.conversation.create({
      data: {
        accountId: tenant.accountId,
        channel: 'voice',
        participant: who.phone,
        summary: `${who.name} wants a quote`,
        recordingUrl: `https://recordings.example/${encodeURIComponent(who.email)}.mp3`,
        transcriptEntries: {
          create: [{ accountId: tenant.accountId, position: 0, speaker: 'Customer', text: `This is ${who.name}`, at: new Date() }],
        },
      },
    })
    await db.$transaction((tx) => recordOptOut(tx, tenant.accountId, who.phone, 'stop'))

    // The same person as a customer, with a project whose status change fires a webhook, and a message.
    const customer = await hubCall(
      client,
      tenant,
      'POST',
      '/customers',
      { external_id: `erase-${who.phone}`, ...who },
      { 'idempotency-key': `customer-${who.phone}` },
    )
    const project = await hubCall(client, tenant, 'POST', '/projects', {
      customer_id: customer.body.data.id,
      name: `${who.name}'s roof`,
      address: '9 Elm St',
    })
    expect((await hubCall(client, tenant, 'PATCH', `/projects/${project.body.data.id}/status`, { project_status: 'sold' })).status).toBe(
      200,
    )
    const message = await hubCall(client, tenant, 'POST', '/communications', {
      channel: 'email',
      subject: `For ${who.name}`,
      content: 'Your roof',
      customer_id: customer.body.data.id,
      scheduled_for: new Date(Date.now() + 86_400_000).toISOString(),
    })
    expect(message.status).toBe(201)

    // Deliveries, one of them failing with an answer that echoes the person (kept in the attempt log).
    receiver.answer({ status: 500, body: `could not store ${who.name}` })
    await deliverDueWebhooks({ config: client.app.config, now: new Date(Date.now() + 1000), accountId: tenant.accountId })
    const copiedTo = new Set((await rowsMentioning(terms)).map((row) => row.slice(0, row.indexOf(':'))))
    expect([...copiedTo].sort()).toEqual(
      expect.arrayContaining([
        'appointments',
        'communications',
        'conversations',
        'customers',
        'idempotency_records',
        'leads',
        'messages',
        'projects',
        'quote_line_items',
        'quotes',
        'transcript_entries',
        'webhook_attempts',
        'webhook_deliveries',
      ]),
    )
    expect(copiedTo.has('sms_opt_outs')).toBe(false) // only a hash of the number

    const reader = await tenant.createKey({ scopes: ['leads:read', 'read:hub'] })
    expect((await api(tenant, 'POST', `/leads/${lead.id}/erase`, undefined, { key: reader.secret })).status).toBe(403)

    const erasedLead = await api(tenant, 'POST', `/leads/${lead.id}/erase`)
    expect(erasedLead.status).toBe(200)
    const places = Object.fromEntries(erasedLead.body.data.erased.map((e: { place: string; rows: number }) => [e.place, e.rows]))
    expect(places).toMatchObject({ leads: 1, quotes: 1, appointments: 1, conversations: 2, webhook_deliveries: expect.any(Number) })
    expect(places.webhook_deliveries).toBeGreaterThanOrEqual(3)
    expect(places.idempotency_records).toBeGreaterThanOrEqual(1)
    const erasedCustomer = await client.gql(
      `mutation($id: ID!) { eraseCustomer(id: $id) { id erased { place rows } } }`,
      { id: customer.body.data.id },
      {
        key: tenant.key,
      },
    )
    expect(erasedCustomer.errors).toBeUndefined()
    expect(erasedCustomer.data.eraseCustomer.erased).toContainEqual({ place: 'projects', rows: 1 })

    expect(await rowsMentioning(terms)).toEqual([])

    // Irreversible: gone from every route, and not restorable.
    expect((await api(tenant, 'GET', `/leads/${lead.id}`)).status).toBe(404)
    expect((await api(tenant, 'POST', `/leads/${lead.id}/restore`)).status).toBe(404)
    expect((await api(tenant, 'POST', `/leads/${lead.id}/erase`)).status).toBe(404)
    expect((await hubCall(client, tenant, 'POST', `/customers/${customer.body.data.id}/restore`)).status).toBe(404)
    // The STOP list still knows the number: a new lead with it cannot be texted.
    const again = await api(tenant, 'POST', '/leads', { name: 'Someone', phone: who.phone })
    expect(await api(tenant, 'POST', '/sms', { lead_id: again.body.data.id, message: 'hi' })).toMatchObject({
      status: 400,
      body: { error: 'Lead has opted out of SMS' },
    })
  })

  it('erases a deleted lead too, and leaves other accounts alone', async () => {
    const [tenant, other] = [await createTenant(client), await createTenant(client)]
    const who = person()
    const mine = (await api(tenant, 'POST', '/leads', who)).body.data
    const theirs = (await api(other, 'POST', '/leads', who)).body.data
    expect((await api(tenant, 'DELETE', `/leads/${mine.id}`)).status).toBe(200)
    expect((await api(tenant, 'POST', `/leads/${theirs.id}/erase`)).status).toBe(404)
    expect((await api(tenant, 'POST', `/leads/${mine.id}/erase`)).status).toBe(200)
    // What is left is the other account's: its lead, and its change feed's record of creating it.
    const left = await rowsMentioning([who.email])
    expect(left.map((row) => row.split(':')[0]).sort()).toEqual(['changes', 'leads'])
    for (const row of left) expect(row).toContain(theirs.id)
    expect((await api(other, 'GET', `/leads/${theirs.id}`)).status).toBe(200)
  })
})
