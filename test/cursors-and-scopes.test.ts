/**
 * Scopes and cursors reveal nothing extra: a connection cursor only works on the list that handed it
 * out (another account's, a forged or a tampered cursor all get the same 400, so a cursor cannot
 * tell whether a row exists), and a key reads an appointment's lead contact without reading the lead.
 */
import { beforeAll, describe, expect, it } from 'vitest'
import { encodeCursor } from '../src/schema/cursors.js'
import { type TestClient, testApp, testConfig } from './support/app.js'
import { createCustomer } from './support/hub.js'
import { type Tenant, twoTenants } from './support/tenants.js'

let client: TestClient
let mine: Tenant
let theirs: Tenant
beforeAll(async () => {
  client = await testApp()
  ;[mine, theirs] = await twoTenants(client)
})

const customers = `query($first: Int, $after: String) { customers(first: $first, after: $after) { edges { cursor node { id } } pageInfo { hasNextPage endCursor } } }`

describe('connection cursors', () => {
  it('page forward through their own list, and only there', async () => {
    for (let i = 0; i < 3; i++) await createCustomer(client, mine, { external_id: `cursor-${i}` })
    const first = await client.gql(customers, { first: 2 }, { key: mine.key })
    expect(first.data.customers.edges).toHaveLength(2)
    expect(first.data.customers.pageInfo.hasNextPage).toBe(true)
    const next = await client.gql(customers, { first: 2, after: first.data.customers.pageInfo.endCursor }, { key: mine.key })
    expect(next.data.customers.edges).toHaveLength(1)
    expect(next.data.customers.pageInfo.hasNextPage).toBe(false)
    const seen = [...first.data.customers.edges, ...next.data.customers.edges].map((e: { node: { id: string } }) => e.node.id)
    expect(new Set(seen).size).toBe(3)
  })

  it("answer another account's cursor exactly as a made-up one: 400, nothing read", async () => {
    const foreign = await createCustomer(client, theirs, { external_id: 'their-row' })
    const theirPage = await client.gql(customers, { first: 1 }, { key: theirs.key })
    const secret = testConfig().SECRET_KEY!
    const attempts = {
      // A cursor the other account was really given.
      handedToThem: theirPage.data.customers.pageInfo.endCursor,
      // Their row's position, signed for them: what an attacker might copy.
      theirRowSignedForThem: encodeCursor(
        secret,
        { owner: theirs.accountId, name: 'Customer', field: 'createdAt', order: 'desc' },
        { at: new Date(String(foreign.created_at)), id: foreign.id },
      ),
      // A position no row has.
      madeUp: encodeCursor(
        secret,
        { owner: theirs.accountId, name: 'Customer', field: 'createdAt', order: 'desc' },
        { at: new Date(0), id: 'nothing' },
      ),
      tampered: `${theirPage.data.customers.pageInfo.endCursor}x`,
      garbage: 'not-a-cursor',
    }
    const answers = await Promise.all(Object.values(attempts).map((after) => client.gql(customers, { first: 5, after }, { key: mine.key })))
    for (const answer of answers) {
      expect(answer.data).toBeFalsy()
      expect(answer.errors?.[0]).toMatchObject({
        message: 'Invalid cursor: use a cursor this list returned',
        extensions: { code: 'BAD_REQUEST' },
      })
    }
  })

  it("of a parent's rows are tied to that parent", async () => {
    const conversationsOf = `{ conversations(first: 2) { edges { node { id messages(first: 1) { pageInfo { endCursor } } } } } }`
    const data = (await client.gql(conversationsOf, {}, { key: mine.key })).data
    expect(data.conversations.edges).toEqual([]) // nothing to page: the point is the error below
    const project = await client.call('POST', '/hub/v1/projects', {
      key: mine.key,
      body: { customer_id: (await createCustomer(client, mine, { external_id: 'p-owner' })).id, name: 'Roof' },
    })
    const projectId = (await project.json()).data.id
    for (const type of ['website_visited', 'process_abandoned']) {
      await client.call('POST', '/hub/v1/events', { key: mine.key, body: { project_id: projectId, event_type: type } })
    }
    const events = `query($id: ID!, $after: String) { project(id: $id) { events(first: 1, after: $after) { edges { node { eventType } } pageInfo { endCursor } } } }`
    const page = await client.gql(events, { id: projectId }, { key: mine.key })
    const cursor = page.data.project.events.pageInfo.endCursor
    expect((await client.gql(events, { id: projectId, after: cursor }, { key: mine.key })).data.project.events.edges).toHaveLength(1)
    // The same cursor on a list of the account's customers is not a cursor of that list.
    const elsewhere = await client.gql(customers, { first: 1, after: cursor }, { key: mine.key })
    expect(elsewhere.errors?.[0].extensions.code).toBe('BAD_REQUEST')
  })
})

describe('appointments:read', () => {
  it("reads the appointment's lead contact, not the lead's other fields", async () => {
    const lead = await client.call('POST', '/api/v1/leads', {
      key: mine.key,
      body: { name: 'Private Person', phone: '+15555550188', custom_data: { budget: 'secret' } },
    })
    const leadId = (await lead.json()).data.id
    const booked = await client.gql(
      `mutation($l: ID!) { bookAppointment(input: { leadId: $l, type: onsite, startTime: "2026-12-01T15:00:00Z", title: "Visit" }) { id } }`,
      { l: leadId },
      { key: mine.key },
    )
    expect(booked.errors).toBeUndefined()
    const { secret } = await mine.createKey({ scopes: ['appointments:read'] })
    const rest = await (await client.call('GET', '/api/v1/appointments', { key: secret })).json()
    expect(rest.data[0].leads).toEqual({ name: 'Private Person', phone: '+15555550188', email: null })
    const whole = await client.gql(`{ appointments(first: 1) { edges { node { lead { customData } } } } }`, {}, { key: secret })
    expect(whole.errors?.[0]).toMatchObject({ message: 'Insufficient scope: leads:read required', extensions: { code: 'FORBIDDEN' } })
    expect(JSON.stringify(whole.data ?? {})).not.toContain('secret')
  })
})
