import { beforeAll, describe, expect, it } from 'vitest'
import { countStatements, keyRemembered, type TestClient, testApp } from './support/app.js'
import { seedConversation } from './support/fixtures.js'
import { createTenant, type Tenant } from './support/tenants.js'

let client: TestClient
let tenant: Tenant
beforeAll(async () => {
  client = await testApp()
  tenant = await createTenant(client)
  for (let i = 0; i < 5; i++) {
    await seedConversation(tenant.accountId, {
      channel: i % 2 ? 'voice' : 'sms',
      createdAt: new Date(Date.UTC(2026, 0, 1 + i)),
      messages: [{ content: `hello ${i}` }, { sender: 'ai', content: `reply ${i}` }],
    })
  }
})

const list = `query($first: Int, $after: String, $channel: ConversationChannel) {
  conversations(first: $first, after: $after, channel: $channel) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node { id channel createdAt messages(first: 10) { totalCount edges { node { content sender } } } } }
  }
}`

describe('conversations over GraphQL', () => {
  it('pages with cursors and reports totalCount', async () => {
    const first = await client.gql(list, { first: 2 }, { key: tenant.key })
    expect(first.data.conversations.totalCount).toBe(5)
    expect(first.data.conversations.edges.map((e: any) => e.node.createdAt)).toEqual([
      '2026-01-05T00:00:00.000Z',
      '2026-01-04T00:00:00.000Z',
    ])
    const second = await client.gql(list, { first: 2, after: first.data.conversations.pageInfo.endCursor }, { key: tenant.key })
    expect(second.data.conversations.edges.map((e: any) => e.node.createdAt)).toEqual([
      '2026-01-03T00:00:00.000Z',
      '2026-01-02T00:00:00.000Z',
    ])
    const voice = await client.gql(list, { first: 10, channel: 'voice' }, { key: tenant.key })
    expect(voice.data.conversations.totalCount).toBe(2)
    expect(voice.data.conversations.edges[0].node.messages).toMatchObject({
      totalCount: 2,
      edges: [{ node: { content: 'hello 3', sender: 'customer' } }, { node: { content: 'reply 3', sender: 'ai' } }],
    })
  })

  it('loads nested messages without a query per conversation', async () => {
    await client.gql(list, { first: 1 }, { key: tenant.key })
    const one = await countStatements(() => client.gql(list, { first: 1 }, { key: tenant.key }))
    const five = await countStatements(() => client.gql(list, { first: 5 }, { key: tenant.key }))
    expect(five).toBe(one)
  })

  it("counts each conversation's messages in the statement that reads the conversations", async () => {
    const totals = `query($limit: Int) { conversationPage(limit: $limit) { items { messagePage { total } } } }`
    await keyRemembered(client, tenant.key)
    const one = await countStatements(async () => {
      expect((await client.gql(totals, { limit: 1 }, { key: tenant.key })).data.conversationPage.items).toEqual([
        { messagePage: { total: 2 } },
      ])
    })
    const five = await countStatements(async () => {
      const { data } = await client.gql(totals, { limit: 5 }, { key: tenant.key })
      expect(data.conversationPage.items.map((c: any) => c.messagePage.total)).toEqual([2, 2, 2, 2, 2])
    })
    expect(five).toBe(one)
  })

  it('a portal session sees its account; another account sees nothing', async () => {
    const bySession = await client.gql(list, { first: 10 }, { cookie: tenant.cookie })
    expect(bySession.data.conversations.totalCount).toBe(5)
    const other = await createTenant(client)
    const theirs = await client.gql(list, { first: 10 }, { key: other.key })
    expect(theirs.data.conversations.totalCount).toBe(0)
  })

  it('needs read:conversations, naming the scope', async () => {
    const { secret } = await tenant.createKey({ scopes: ['read:hub'] })
    const result = await client.gql(list, { first: 1 }, { key: secret })
    expect(result.errors?.[0]).toMatchObject({
      message: 'Insufficient scope: read:conversations required',
      extensions: { code: 'FORBIDDEN' },
    })
  })
})
