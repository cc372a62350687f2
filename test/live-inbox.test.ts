/**
 * The live inbox the docs give frontend teams (docs/examples/live-inbox.ts) works as written: its
 * documents are typed by GraphQL Code Generator's client preset from the served schema, it
 * type-checks under --strict, and, run against the app, its rows follow conversations that change
 * and appear while it runs, and an open thread receives the messages added to it.
 */
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { generate } from '@graphql-codegen/cli'
import { printSchema } from 'graphql'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { db } from '../src/db/client.js'
import { schema } from '../src/schema/index.js'
import { type TestClient, testApp } from './support/app.js'
import { seedConversation } from './support/fixtures.js'
import { createTenant, type Tenant } from './support/tenants.js'
import { typeErrors } from './support/type-check.js'

const root = path.resolve(import.meta.dirname, '..')
const folder = path.join(root, 'test/generated/live-inbox')
let client: TestClient
let tenant: Tenant

/** The example's exports, as this test uses them. */
interface Row {
  id: string
  messageCount: number
}
interface Api {
  url: string
  apiKey: string
  fetch?: typeof globalThis.fetch
}
interface Example {
  Inbox: new (
    api: Api,
  ) => { rows: Map<string, Row>; list: Row[]; total: number; run(signal: AbortSignal, onChange?: () => void): Promise<void> }
  followThread(api: Api, conversationId: string, onMessage: (message: { content: string }) => void, signal: AbortSignal): Promise<void>
}
let example: Example

beforeAll(async () => {
  client = await testApp()
  tenant = await createTenant(client)
  mkdirSync(folder, { recursive: true })
  writeFileSync(path.join(folder, 'schema.graphql'), printSchema(schema))
  copyFileSync(path.join(root, 'docs/examples/live-inbox.ts'), path.join(folder, 'live-inbox.ts'))
  await generate(
    {
      schema: path.join(folder, 'schema.graphql'),
      documents: [path.join(folder, 'live-inbox.ts')],
      generates: {
        [`${folder}/gql/`]: {
          preset: 'client',
          config: {
            documentMode: 'string',
            enumsAsTypes: true,
            useTypeImports: true,
            scalars: { DateTime: 'string', JSON: 'unknown' },
            emitLegacyCommonJSImports: false,
          },
          presetConfig: { fragmentMasking: false },
        },
      },
      silent: true,
    },
    true,
  )
  example = (await import(pathToFileURL(path.join(folder, 'live-inbox.ts')).href)) as Example
}, 180_000)
afterAll(() => rmSync(folder, { recursive: true, force: true }))

const api = (): Api => ({
  url: 'http://crm.test',
  apiKey: tenant.key,
  fetch: async (input, init) => client.app.fetch(new Request(input, init)),
})

/** A message arriving as the providers' callbacks record it: the message, and its conversation's count. */
async function receive(conversationId: string, content: string) {
  const conversation = await db.conversation.findUniqueOrThrow({ where: { id: conversationId } })
  await db.$transaction([
    db.message.create({
      data: {
        accountId: conversation.accountId,
        conversationId,
        direction: 'inbound',
        channel: conversation.channel,
        sender: 'customer',
        content,
        status: 'received',
      },
    }),
    db.conversation.update({ where: { id: conversationId }, data: { messageCount: { increment: 1 }, lastMessageAt: new Date() } }),
  ])
}

describe('the documented live inbox', () => {
  it('type-checks under --strict with the generated typed documents', () => {
    expect(typeErrors(path.join(folder, 'live-inbox.ts'))).toEqual([])
  }, 120_000)

  it('keeps its rows current as conversations change and arrive, and follows an open thread', async () => {
    const quiet = await seedConversation(tenant.accountId, { messages: [{ content: 'first' }] })
    const busy = await seedConversation(tenant.accountId, { messages: [{ content: 'hello' }] })
    const inbox = new example.Inbox(api())
    const stop = new AbortController()
    const loaded = new Promise<void>((resolve) => {
      void inbox.run(stop.signal, resolve)
    })
    const thread: string[] = []
    const following = example.followThread(api(), busy.id, (message) => thread.push(message.content), stop.signal)
    try {
      await loaded
      expect(inbox.total).toBe(2)
      // Give the thread's subscription a moment to be in place, as a user opening it would.
      let sent = 0
      await vi.waitFor(
        async () => {
          await receive(busy.id, `ping ${sent++}`)
          expect(thread.length).toBeGreaterThan(0)
        },
        { timeout: 30_000, interval: 500 },
      )
      await receive(busy.id, 'are you there?')
      sent++
      const fresh = await seedConversation(tenant.accountId, { messages: [{ content: 'new lead here' }] })
      await vi.waitFor(
        () => {
          expect(inbox.rows.get(fresh.id)?.messageCount).toBe(1)
          expect(inbox.rows.get(busy.id)?.messageCount).toBe(1 + sent)
          expect(thread.at(-1)).toBe('are you there?')
        },
        { timeout: 30_000 },
      )
      expect(inbox.rows.get(quiet.id)?.messageCount).toBe(1)
      expect(inbox.list.map((row) => row.id)[0]).toBe(fresh.id)
    } finally {
      stop.abort()
      await following
    }
  }, 120_000)
})
