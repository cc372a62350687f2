import { beforeAll, describe, expect, it } from 'vitest'
import { countStatements, keyRemembered, type TestClient, testApp } from './support/app.js'
import { seedConversation } from './support/fixtures.js'
import { type Tenant, twoTenants } from './support/tenants.js'

let client: TestClient
let tenant: Tenant
let other: Tenant
let leadId: string
let customerId: string
let conversationId: string
let othersLeadId: string

const createLead = async (who: Tenant, name: string) => {
  const created = await client.gql(`mutation($name: String) { createLead(input: { name: $name }) { id } }`, { name }, { key: who.key })
  expect(created.errors).toBeUndefined()
  return created.data.createLead.id as string
}

beforeAll(async () => {
  client = await testApp()
  ;[tenant, other] = await twoTenants(client)
  leadId = await createLead(tenant, 'Ada Node')
  othersLeadId = await createLead(other, 'Someone Else')
  const customer = await client.gql(
    `mutation { upsertCustomer(input: { externalId: "n-1", name: "Grace" }) { customer { id } } }`,
    {},
    {
      key: tenant.key,
    },
  )
  customerId = customer.data.upsertCustomer.customer.id
  conversationId = (await seedConversation(tenant.accountId, { messages: [{ content: 'hi' }] })).id
})

const refetch = `query($ids: [ID!]!) {
  nodes(ids: $ids) {
    __typename id
    ... on Lead { name pipelineStage }
    ... on Customer { name }
    ... on Conversation { messages(first: 5) { totalCount } }
  }
}`

describe('node and nodes', () => {
  it('refetches any record by the id every id field returns, whatever its type', async () => {
    const one = await client.gql(
      `query($id: ID!) { node(id: $id) { __typename id ... on Lead { name } } }`,
      { id: leadId },
      { key: tenant.key },
    )
    expect(one.data.node).toEqual({ __typename: 'Lead', id: leadId, name: 'Ada Node' })

    const many = await client.gql(refetch, { ids: [customerId, leadId, conversationId] }, { key: tenant.key })
    expect(many.errors).toBeUndefined()
    expect(many.data.nodes).toEqual([
      { __typename: 'Customer', id: customerId, name: 'Grace' },
      { __typename: 'Lead', id: leadId, name: 'Ada Node', pipelineStage: 'new_lead' },
      { __typename: 'Conversation', id: conversationId, messages: { totalCount: 1 } },
    ])
  })

  it('finds nothing of another account: its ids answer null, like ids that do not exist', async () => {
    const missing = '0192f1a2-0000-7000-8000-000000000000'
    const answer = await client.gql(refetch, { ids: [othersLeadId, missing, leadId] }, { key: tenant.key })
    expect(answer.errors).toBeUndefined()
    expect(answer.data.nodes.map((n: { id: string } | null) => n?.id ?? null)).toEqual([null, null, leadId])
    const single = await client.gql(`query($id: ID!) { node(id: $id) { id } }`, { id: othersLeadId }, { key: tenant.key })
    expect(single.data).toEqual({ node: null })
  })

  it('answers a malformed id with a 400 naming it, not a 500', async () => {
    const answer = await client.gql(`{ node(id: "lead-1") { id } }`, {}, { key: tenant.key })
    expect(answer.status).toBe(400)
    expect(answer.errors?.[0]).toMatchObject({
      message: expect.stringContaining('Invalid id "lead-1"'),
      extensions: { code: 'BAD_REQUEST' },
    })
    // A failed operation reports its cost too, so a client sizes its queries from any answer.
    expect(answer.extensions?.cost).toEqual({ requested: 1, maximum: 5000 })
  })

  it('prices nodes at its most ids, whatever number is given', async () => {
    const answer = await client.gql(`query($ids: [ID!]!) { nodes(ids: $ids) { id } }`, { ids: [leadId] }, { key: tenant.key })
    expect(answer.extensions?.cost).toEqual({ requested: 100, maximum: 5000 })
  })

  it("needs the read scope of the record's type", async () => {
    const { secret } = await tenant.createKey({ scopes: ['read:hub'] })
    const customer = await client.gql(`query($id: ID!) { node(id: $id) { id } }`, { id: customerId }, { key: secret })
    expect(customer.data.node).toEqual({ id: customerId })
    const lead = await client.gql(`query($id: ID!) { node(id: $id) { id } }`, { id: leadId }, { key: secret })
    expect(lead.errors?.[0]).toMatchObject({ message: 'Insufficient scope: leads:read required', extensions: { code: 'FORBIDDEN' } })
  })

  it('reads many ids in one statement to find their types and one per type found', async () => {
    const leads = await Promise.all([1, 2, 3, 4].map((i) => createLead(tenant, `Batch ${i}`)))
    await keyRemembered(client, tenant.key)
    const two = await countStatements(() => client.gql(refetch, { ids: [leadId, customerId] }, { key: tenant.key }))
    const six = await countStatements(() => client.gql(refetch, { ids: [leadId, customerId, ...leads] }, { key: tenant.key }))
    expect(six).toBe(two)
  })
})
